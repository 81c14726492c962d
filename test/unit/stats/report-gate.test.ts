import { describe, expect, it } from "vitest";
import type { StatsReport, StatsReportBatch } from "../../../sdk/src/core/report-types.js";
import { ServerKeys } from "../../../demo-server/src/net/server-keys.js";
import { mintSession, verifySession } from "../../../demo-server/src/net/session-token.js";
import { ReportGate } from "../../../demo-server/src/stats/report-gate.js";
import { swarmInfoHash } from "../../../demo-server/src/stats/stream-state.js";

const keys = new ServerKeys("report-gate-test-secret");
const STREAM = "https://cdn.example/live/master.m3u8";
const RENDITION = "v800000-640x360-avc1,mp4a";
const PEER = "ab".repeat(20);

function session(sessionId: string, swarms = [swarmInfoHash(STREAM, RENDITION)]): string {
  return mintSession(keys, {
    sessionId,
    peerId: "cd".repeat(20),
    swarms,
    from: "",
    issuedAtMs: 0,
    expiresAtMs: 3_600_000,
  });
}

function report(clientId: string, seq: number, httpBytes: number, p2pBytes = 0): StatsReport {
  const deltas = { httpBytes, p2pBytes, uploadedBytes: 0 };
  return {
    clientId,
    seq,
    streamId: STREAM,
    sentAtMs: 0,
    deltas,
    renditions: [
      {
        rendition: RENDITION,
        ...deltas,
        ...(p2pBytes > 0 ? { transfers: [{ peer: PEER, receivedBytes: p2pBytes, sentBytes: 0 }] } : {}),
      },
    ],
    peers: 1,
    final: false,
  };
}

function gate(acceptAnonymous = false) {
  const known = new Set<string>();
  const g = new ReportGate({
    verifySession: (token) => verifySession(keys, token, 1_000),
    acceptAnonymous,
    isCounted: () => false,
    knowsClient: (id) => known.has(id),
    knowsStream: () => true,
    maxClients: 100,
  });
  return { gate: g, known };
}

const batch = (reports: StatsReport[], token?: string): StatsReportBatch => ({
  v: 1,
  ...(token === undefined ? {} : { session: token }),
  reports,
});

describe("ReportGate", () => {
  it("refuses batches without a session, or with one it did not sign", () => {
    const { gate: g } = gate();
    expect(g.admit(batch([report("client-01", 1, 10)]), "4/1.2.3.4", 0)).toMatchObject({
      ok: false,
      status: 401,
      reason: "session_missing",
    });
    const foreign = mintSession(new ServerKeys("someone-elses-secret"), {
      sessionId: "x",
      peerId: "cd".repeat(20),
      swarms: [],
      from: "",
      issuedAtMs: 0,
      expiresAtMs: 3_600_000,
    });
    expect(g.admit(batch([report("client-01", 1, 10)], foreign), "4/1.2.3.4", 0)).toMatchObject({
      reason: "session_invalid",
    });
  });

  it("binds a session to one clientId", () => {
    const { gate: g } = gate();
    const token = session("s1");
    expect(g.admit(batch([report("client-01", 1, 10)], token), "4/1.2.3.4", 0).ok).toBe(true);
    expect(g.admit(batch([report("client-02", 1, 10)], token), "4/1.2.3.4", 0)).toMatchObject({
      status: 403,
      reason: "session_reused",
    });
  });

  it("clips a report to the viewer's plausible rate and leaves P2P to the ledger", () => {
    const { gate: g } = gate();
    // 800 kbit/s declared × 3 headroom = 300 kB/s, 30 s of it at once: 9 MB.
    const decision = g.admit(
      batch([report("client-01", 1, 2_000_000_000, 1_000)], session("s1")),
      undefined,
      0,
    );
    if (!decision.ok) throw new Error(decision.message);
    const counted = decision.batch.reports[0]!;
    expect(counted.deltas.httpBytes).toBeLessThanOrEqual(9_000_000);
    expect(counted.deltas.httpBytes).toBeGreaterThan(8_900_000);
    expect(counted.deltas.p2pBytes).toBe(0);
    expect(decision.transfers).toHaveLength(1);
    expect(g.clipped.rate).toBeGreaterThan(1_990_000_000);
    // Ten seconds later, ten seconds' worth more.
    const later = g.admit(batch([report("client-01", 2, 10_000_000)], session("s1")), undefined, 10_000);
    if (!later.ok) throw new Error(later.message);
    expect(later.batch.reports[0]!.deltas.httpBytes).toBeCloseTo(3_000_000, -4);
  });

  it("counts nothing of a rendition whose swarm the session did not join", () => {
    const { gate: g } = gate();
    const decision = g.admit(batch([report("client-01", 1, 5000)], session("s1", [])), undefined, 0);
    if (!decision.ok) throw new Error(decision.message);
    expect(decision.batch.reports[0]!.deltas.httpBytes).toBe(0);
    expect(g.clipped.swarm_not_joined).toBe(5000);
  });

  it("limits how fast one address brings new viewers", () => {
    const { gate: g } = gate(true);
    const statuses: (number | "ok")[] = [];
    for (let i = 0; i < 210; i++) {
      const d = g.admit(batch([report(`client-${String(i).padStart(4, "0")}`, 1, 10)]), "4/6.6.6.6", 0);
      statuses.push(d.ok ? "ok" : d.status);
    }
    expect(statuses.filter((s) => s === "ok")).toHaveLength(200);
    expect(statuses.slice(200)).toEqual(Array(10).fill(429));
    // Another address is not affected.
    expect(g.admit(batch([report("client-elsewhere", 1, 10)]), "4/10.0.0.1", 0).ok).toBe(true);
  });
});
