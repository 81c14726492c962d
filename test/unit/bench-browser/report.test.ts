import { describe, expect, it } from "vitest";
import type { ClientSummary } from "../../../bench/browser/metrics.js";
import {
  evaluateTargets,
  formatDiagnostics,
  formatRow,
  formatTable,
  formatVerdict,
  TABLE_HEADER,
} from "../../../bench/browser/report.js";
import {
  evaluateTrustTargets,
  formatTrustCost,
  formatTrustLine,
} from "../../../bench/browser/report-trust.js";

const summary = (overrides: Partial<ClientSummary>): ClientSummary => ({
  client: "nearcast",
  viewers: 6,
  originBytes: 10 * 2 ** 20,
  aheadBytes: 2 ** 20,
  deliveredBytes: 60 * 2 ** 20,
  originOffload: 5 / 6,
  strictOriginOffload: 0.8,
  ceiling: 5 / 6,
  ofCeiling: 1,
  requestsPerSegment: 1.25,
  originRangeRequests: 0,
  originRangeBytes: 0,
  trust: null,
  swarmIdealOffload: 0.8,
  ofSwarmIdeal: 1.04,
  fetchCounts: { 1: 30, 2: 3 },
  repeatedFiles: {},
  httpBytesAtStart: 3 * 2 ** 20,
  startupMedianMs: 900,
  startupP95Ms: 1400,
  failedStarts: 0,
  stalls: 0,
  stalledMs: 0,
  watchedMs: 360_000,
  rebufferRatio: 0,
  fatalErrors: 0,
  clientHttpBytes: 10 * 2 ** 20,
  clientP2pBytes: 50 * 2 ** 20,
  clientUploadBytes: 50 * 2 ** 20,
  clientOffload: 5 / 6,
  meanLatencySec: 6.2,
  mediaRate: 0.994,
  ...overrides,
});

describe("table", () => {
  it("has one cell per header column and readable figures", () => {
    const row = formatRow(summary({ failedStarts: 1, fatalErrors: 2, stalls: 1, stalledMs: 1234.4 }));
    expect(row.split("|").length).toBe(TABLE_HEADER.split("|").length);
    expect(row).toContain("| Nearcast | 0.833 (0.800) | 1.00 | 1.25 | 900 / 1400 | 1 (1234) |");
    expect(row).toContain("| 2 (+1 never started) |");
    expect(row).toContain("| 10.0 / 60.0 (+1.0) | 50.0 (0.833) | 50.0 | 6.2 (0.994) |");
  });

  it("shows dashes for missing startup and latency", () => {
    const row = formatRow(
      summary({
        client: "http",
        startupMedianMs: null,
        startupP95Ms: null,
        meanLatencySec: null,
        mediaRate: null,
      }),
    );
    expect(row).toContain("| HTTP-only (hls.js) |");
    expect(row).toContain("| – / – |");
    expect(row.endsWith("| – (–) |")).toBe(true);
  });

  it("is a markdown table: header, separator, one row per client", () => {
    const lines = formatTable([summary({ client: "http" }), summary({})]).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\|( --- \|)+$/);
    expect(lines[1]?.split("|").length).toBe(TABLE_HEADER.split("|").length);
  });
});

describe("diagnostics", () => {
  it("says how close to the swarm ideal a client came and how often files left the origin", () => {
    expect(formatDiagnostics(summary({ fetchCounts: { 10: 1, 2: 3, 1: 30 } }))).toBe(
      "Nearcast: swarm-ideal offload 0.800 (every distinct file played leaves the origin once), reached 1.04 " +
        "of it; origin fetches per file 1×: 30, 2×: 3, 10×: 1; HTTP until the first `playing` event 3.0 MiB",
    );
    expect(formatDiagnostics(summary({ client: "http", fetchCounts: {} }))).toContain(
      "origin fetches per file none",
    );
  });

  it("names the files a P2P client fetched most often", () => {
    const repeatedFiles = {
      "demo/540p/seg-00000.ts": 6,
      "demo/540p/seg-00001.ts": 2,
      "demo/540p/seg-00002.ts": 2,
      "demo/540p/seg-00003.ts": 2,
    };
    expect(formatDiagnostics(summary({ repeatedFiles }))).toContain(
      "2×: 3 (most: 540p/seg-00000.ts 6×, 540p/seg-00001.ts 2×, 540p/seg-00002.ts 2×);",
    );
    expect(formatDiagnostics(summary({ client: "http", repeatedFiles }))).not.toContain("most:");
  });
});

describe("verdict", () => {
  const live = { minOfCeiling: 0.9, zeroStalls: true, startupWithinMsOfHttp: 100 };

  it("passes when every target is met", () => {
    const checks = evaluateTargets(live, [
      summary({ client: "http", startupMedianMs: 850 }),
      summary({ ofCeiling: 0.93, startupMedianMs: 940 }),
      summary({ client: "p2pml", originOffload: 0.1, stalls: 0 }),
    ]);
    expect(checks.map((check) => check.pass)).toEqual([true, true, true, true, true]);
    expect(formatVerdict("live", checks)).toMatch(/^verdict live: PASS \(5\/5\)/);
  });

  it("states misses by how much", () => {
    const checks = evaluateTargets(live, [
      summary({ client: "http", startupMedianMs: 800 }),
      summary({ ofCeiling: 0.72, stalls: 2, stalledMs: 3100, startupMedianMs: 1030, originOffload: 0.6 }),
      summary({ client: "p2pml", originOffload: 0.65, stalls: 1 }),
    ]);
    const line = formatVerdict("live", checks);
    expect(line).toMatch(/^verdict live: MISS \(0\/5\)/);
    expect(line).toContain("✗ offload ≥ 0.90 × ceiling: 0.72, short by 0.18");
    expect(line).toContain("✗ zero stalls: 2 stalls, 3100 ms");
    expect(line).toContain(
      "✗ startup median within 100 ms of HTTP-only: +230 ms vs HTTP-only, over by 130 ms",
    );
    expect(line).toContain("✗ offload > p2p-media-loader: 0.600 vs 0.650, behind by 0.050");
    expect(line).toContain("✗ no more stalls than p2p-media-loader: 2 vs 1, 1 more");
  });

  it("only compares with the clients that ran", () => {
    expect(evaluateTargets({}, [summary({})])).toEqual([]);
    expect(formatVerdict("x", [])).toBe("verdict x: n/a (Nearcast not run, or no target at this N)");
    const startup = evaluateTargets({ startupWithinMsOfHttp: 100 }, [summary({})]);
    expect(startup).toEqual([
      { label: "startup median within 100 ms of HTTP-only", pass: false, detail: "HTTP-only not run" },
    ]);
    expect(evaluateTargets({ minOfCeiling: 0.5 }, [summary({ client: "p2pml" })])).toEqual([]);
  });

  it("a faster Nearcast start is shown with a minus sign", () => {
    const [check] = evaluateTargets({ startupWithinMsOfHttp: 100 }, [
      summary({ client: "http", startupMedianMs: 1000 }),
      summary({ startupMedianMs: 950 }),
    ]);
    expect(check?.detail).toBe("−50 ms vs HTTP-only");
  });
});

describe("trust", () => {
  const trust = { fromViewers: 6, minOffload: 0.75, maxCost: 0.04 };
  const counters = {
    verifiedBy: { "origin-digest": 0, "spot-check": 40 },
    unverifiedRefetched: 2,
    unverifiedDelivered: 0,
    spotCheckRequests: 160,
    spotCheckBytes: 2 ** 20,
    discardedP2pBytes: 2 ** 19,
  };

  it("checks offload and the protection's cost against allowUnverifiedPeers from N = 6 on", () => {
    const pass = evaluateTrustTargets({ trust }, [
      summary({ originOffload: 0.76 }),
      summary({ client: "nearcast-unverified", originOffload: 0.79 }),
    ]);
    expect(pass.map((check) => check.pass)).toEqual([true, true]);
    const miss = formatVerdict(
      "trust-live",
      evaluateTrustTargets({ trust }, [
        summary({ originOffload: 0.7 }),
        summary({ client: "nearcast-unverified", originOffload: 0.75 }),
      ]),
    );
    expect(miss).toContain(
      "✗ origin offload ≥ 0.75 (every verification fetch included): 0.700, short by 0.050",
    );
    expect(miss).toContain(
      "✗ protection costs ≤ 0.04 offload: 0.050 (0.700 vs allowUnverifiedPeers 0.750 + its Range bytes 0.000), over by 0.010",
    );
    const withRange = evaluateTrustTargets({ trust }, [
      summary({ originOffload: 0.76 }),
      summary({ client: "nearcast-unverified", originOffload: 0.76, originRangeBytes: 3 * 2 ** 20 }),
    ]);
    expect(withRange[1]).toMatchObject({ pass: false, detail: expect.stringMatching(/^0\.050 /) });
    expect(evaluateTrustTargets({ trust }, [summary({ viewers: 4, originOffload: 0.6 })])).toEqual([]);
    expect(evaluateTrustTargets({ trust }, [summary({ originOffload: 0.8 })])[1]).toMatchObject({
      pass: false,
      detail: "nearcast-unverified not run",
    });
  });

  it("shows where verification's origin bytes went", () => {
    const line = formatTrustLine(
      summary({ originRangeRequests: 150, originRangeBytes: 0.6 * 2 ** 20, trust: counters }),
    );
    expect(line).toBe(
      "Nearcast — origin: 1.25 whole-file requests per file, 150 Range requests = 0.6 MiB (0.010 of delivered, " +
        "0.060 of origin bytes); viewers: 160 spot-check requests = 1.0 MiB; segments verified by spot-check 40; " +
        "unverified refetched 2, delivered 0; peer bytes discarded 0.5 MiB",
    );
    expect(formatTrustLine(summary({ client: "http" }))).toBeNull();
    expect(
      formatTrustCost([
        summary({ viewers: 4, originOffload: 0.62, originRangeBytes: 0.6 * 2 ** 20 }),
        summary({ client: "nearcast-unverified", viewers: 4, originOffload: 0.64 }),
      ]),
    ).toBe(
      "Protection's cost at N = 4: origin offload 0.620 (default) vs 0.640 (allowUnverifiedPeers) = 0.020; " +
        "Range bytes at the origin (both spot-check) cost 0.010 / 0.000",
    );
  });
});
