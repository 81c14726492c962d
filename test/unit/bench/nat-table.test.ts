import { describe, expect, it } from "vitest";
import type { LiveResult, PairResult } from "../../support/netns/nat-matrix.js";
import { formatLiveTable, formatPairTable, routeOf } from "../../support/netns/nat-table.js";
import type { ViewerSite } from "../../support/netns/topology.js";

const site = (name: string, kind: ViewerSite["kind"]): ViewerSite => ({
  name,
  kind,
  ns: `nc-test-${name}`,
  address: "10.213.11.2",
  publicAddress: "10.213.0.11",
});
const eim = site("eim-1", "eim");
const sym1 = site("sym-1", "symmetric");
const sym2 = site("sym-2", "symmetric");

describe("NAT tables", () => {
  it("calls a connection relayed when either end used a TURN relay candidate", () => {
    expect(routeOf(["srflx/srflx"])).toBe("direct");
    expect(routeOf(["prflx/relay", "relay/prflx"])).toBe("relayed");
    expect(routeOf([])).toBe("");
  });

  it("counts connected rounds per pair and mode, with the median time of those that connected", () => {
    const pairs: PairResult[] = [
      { a: sym1, b: sym2, mode: "stun", connectMs: undefined, paths: [] },
      { a: sym1, b: sym2, mode: "stun", connectMs: undefined, paths: [] },
      { a: sym1, b: sym2, mode: "turn", connectMs: 3000, paths: ["prflx/relay"] },
      { a: sym1, b: sym2, mode: "turn", connectMs: 5000, paths: ["relay/prflx"] },
      { a: eim, b: sym1, mode: "turn", connectMs: 2000, paths: ["srflx/relay"] },
    ];
    const lines = formatPairTable(pairs).split("\n");
    expect(lines[0]).toMatch(/NAT pair .* STUN only: connected .* STUN \+ TURN: connected/);
    expect(lines[2]).toMatch(/symmetric ↔ symmetric \| 0\/2 +\| 2\/2 3\.0 s, relayed 2\/2/);
    expect(lines[3]).toMatch(/eim ↔ symmetric +\| +\| 1\/1 2\.0 s, relayed 1\/1/);
  });

  it("reports offload against the 1 − 1/N ceiling, TURN egress and stalls", () => {
    const viewer = {
      site: eim,
      httpBytes: 1e6,
      p2pBytes: 3e6,
      uploadedBytes: 0,
      receivedBytes: 4e6,
      stalls: 1,
      stalledMs: 300,
      startupMs: 50,
      errors: [],
      peersEver: 2,
      paths: ["srflx/srflx"],
    };
    const live: LiveResult[] = [
      {
        mode: "turn",
        viewers: [viewer, { ...viewer, peersEver: 0, stalls: 0 }],
        originMediaBytes: 2e6,
        receivedBytes: 8e6,
        offload: 0.75,
        ceiling: 0.5,
        turnEgressBytes: 1.5e6,
      },
    ];
    expect(formatLiveTable(live).split("\n")[2]).toMatch(
      /STUN \+ TURN \| 0\.750 +\| 1\.50 × +\| 2\.0 +\| 8\.0 +\| 1\.5 +\| 1\/2 +\| 1 +\| 0 /,
    );
  });
});
