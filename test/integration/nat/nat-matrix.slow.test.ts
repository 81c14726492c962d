// Viewers behind real NAT routers (Linux namespaces, iptables MASQUERADE), coturn and the demo
// server on a public segment, SDK engines over node-datachannel. Needs root, iproute2, iptables and
// coturn (.ci/run installs them); skipped, loudly, only where namespaces cannot be made.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNatExperiment, type LiveResult, type PairResult } from "../../support/netns/nat-matrix.js";
import {
  formatLiveTable,
  formatLiveViewers,
  formatPairTable,
  pairLabel,
} from "../../support/netns/nat-table.js";
import { netnsUnavailableReason } from "../../support/netns/topology.js";

const unavailable = netnsUnavailableReason();
if (unavailable) {
  const banner = "!".repeat(100);
  console.warn(
    `\n${banner}\n!!! NAT MATRIX SKIPPED: ${unavailable}\n!!! The NAT traversal tests did NOT run on this machine.\n${banner}\n`,
  );
}

describe.skipIf(unavailable !== undefined)(
  "NAT traversal in network namespaces (STUN only vs STUN + TURN)",
  () => {
    let pairs: PairResult[] = [];
    let live: LiveResult[] = [];

    beforeAll(async () => {
      const startedMs = Date.now();
      ({ pairs, live } = await runNatExperiment({
        pairTimeoutMs: 25_000,
        liveDurationMs: 30_000,
        log: (line) => console.log(`[nat ${((Date.now() - startedMs) / 1000).toFixed(1)} s] ${line}`),
      }));
      console.log(`\n${formatPairTable(pairs)}\n\n${formatLiveTable(live)}\n\n${formatLiveViewers(live)}\n`);
    }, 600_000);

    afterAll(() => {
      pairs = [];
      live = [];
    });

    const connected = (label: string, mode: "stun" | "turn") =>
      pairs.filter((p) => pairLabel(p) === label && p.mode === mode).every((p) => p.connectMs !== undefined);

    it("connects every NAT pair when TURN is configured through the server's /api/ice", () => {
      const turn = pairs.filter((p) => p.mode === "turn");
      expect(turn.length).toBeGreaterThanOrEqual(5);
      expect(turn.filter((p) => p.connectMs === undefined).map(pairLabel)).toEqual([]);
      // Those that STUN cannot reach went through the relay, not around the NAT.
      for (const label of ["symmetric ↔ symmetric", "eim ↔ symmetric"]) {
        const paths = pairs
          .filter((p) => pairLabel(p) === label && p.mode === "turn")
          .flatMap((p) => p.paths);
        expect(paths.some((path) => path.includes("relay"))).toBe(true);
      }
    });

    it("with STUN only, connects through cone NATs but not symmetric ↔ symmetric", () => {
      expect(connected("eim ↔ eim", "stun")).toBe(true);
      expect(connected("open ↔ symmetric", "stun")).toBe(true);
      const symmetric = pairs.filter((p) => pairLabel(p) === "symmetric ↔ symmetric" && p.mode === "stun");
      expect(symmetric.length).toBeGreaterThan(0);
      expect(symmetric.every((p) => p.connectMs === undefined)).toBe(true);
    });

    it("viewers that cannot reach a peer fall back to HTTP: every segment delivered, no stall", () => {
      const stunOnly = live.find((run) => run.mode === "stun")!;
      for (const viewer of stunOnly.viewers) {
        expect(viewer.errors).toEqual([]);
        expect(viewer.stalls).toBe(0);
        expect(viewer.receivedBytes).toBeGreaterThan(0);
      }
      // The symmetric viewers had nobody to talk to: all their bytes came over HTTP.
      for (const viewer of stunOnly.viewers.filter((v) => v.site.kind === "symmetric")) {
        expect(viewer.peersEver).toBe(0);
        expect(viewer.p2pBytes).toBe(0);
      }
    });

    it("with TURN every viewer of the live swarm exchanges segments with peers, without stalls", () => {
      const withTurn = live.find((run) => run.mode === "turn")!;
      for (const viewer of withTurn.viewers) {
        expect(viewer.errors).toEqual([]);
        expect(viewer.stalls).toBe(0);
        expect(viewer.peersEver).toBeGreaterThan(0);
        expect(viewer.p2pBytes + viewer.uploadedBytes).toBeGreaterThan(0);
      }
    });
  },
);
