import { describe, expect, it } from "vitest";
import { summarize, type HttpLoadBreakdown } from "../../../bench/lib/swarm-metrics.js";
import {
  fixed,
  formatBreakdownTable,
  formatCounts,
  formatLagTable,
  formatSummaryTable,
  formatTargetVerdict,
  type RunReport,
} from "../../../bench/lib/swarm-table.js";

function report(offload: number, viewers = 50, stalls = 0): RunReport {
  const summary = {
    ...summarize({ viewers: [], workers: 2, originMediaBytes: 0, originSegments: {} }),
    viewers,
    receivedBytes: 100 * 2 ** 20,
    originMediaBytes: (1 - offload) * 100 * 2 ** 20,
    offload,
    ceiling: 1 - 1 / viewers,
    ofCeiling: offload / (1 - 1 / viewers),
    stalls,
  };
  const breakdown: HttpLoadBreakdown[] = [
    {
      category: "first fetch of the segment",
      loads: 30,
      httpBytes: 3 * 2 ** 20,
      meanPeers: 8,
      medianGapMs: undefined,
    },
    { category: "no connected peer had it", loads: 5, httpBytes: 2 ** 20, meanPeers: 7, medianGapMs: 150.4 },
  ];
  return {
    summary,
    breakdown,
    trace: { decisions: {}, peerFailures: {} },
    lags: [
      { process: "bench+server", p50Ms: 0.2, p99Ms: 3, maxMs: 40, cpuShare: 0.1 },
      { process: "worker1", p50Ms: 1, p99Ms: 30, maxMs: 120, cpuShare: 0.6 },
    ],
    disconnects: {},
    steadyMeanPeers: 8,
    expectedFetchesWithoutHold: 50 / 9,
    startup: { httpByOrdinal: [50, 49], requestMedianMs: [3, 15], httpPerViewer: 1.98 },
  };
}

describe("markdown tables", () => {
  it("one summary row per N with the worst process's lag", () => {
    const text = formatSummaryTable([report(0.9, 10), report(0.93)]);
    const lines = text.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| N \| engine procs \| origin offload \| × ceiling \|/);
    expect(lines[1]).toMatch(/^\| --- \|/);
    expect(lines[2]).toContain("| 10 | 2 | 0.900 | 1.00 |");
    expect(lines[3]).toContain("| 50 | 2 | 0.930 | 0.95 |");
    expect(lines[3]).toContain("30 / 120 (worker1)");
    // every row has as many cells as the header
    const cells = (l: string) => l.split("|").length;
    for (const l of lines) expect(cells(l)).toBe(cells(lines[0]!));
  });

  it("breakdown and lag tables", () => {
    const b = formatBreakdownTable([report(0.9)]);
    expect(b).toContain("| first fetch of the segment | 30 / 3.0 / 8.0 / – |");
    expect(b).toContain("| no connected peer had it | 5 / 1.0 / 7.0 / 150 |");
    expect(b).toContain("| before the first peer | 0 |");
    const l = formatLagTable([report(0.9)]);
    expect(l).toContain("| 50 | worker1 | 1 | 30 | 120 | 0.60 |");
  });

  it("formats missing values as a dash and counts by size", () => {
    expect(fixed(undefined)).toBe("–");
    expect(fixed(Number.NaN)).toBe("–");
    expect(fixed(0.12345)).toBe("0.123");
    expect(formatCounts({ a: 1, b: 3, c: 0 })).toBe("b 3, a 1");
    expect(formatCounts({})).toBe("none");
  });
});

describe("formatTargetVerdict", () => {
  it("met when ≥ 0.95 × ceiling without stalls", () => {
    expect(formatTargetVerdict(report(0.94).summary)).toContain(": met (0.959 × ceiling, no stalls)");
  });

  it("says by how much a miss falls short, in ratio and origin bytes", () => {
    const text = formatTargetVerdict(report(0.9).summary);
    expect(text).toContain("MISSED");
    expect(text).toContain("0.918 × ceiling, short by 0.032 × ceiling");
    // the target allows (1 − 0.95 × 0.98) × 100 MiB = 6.9 MiB; the origin served 10 MiB
    expect(text).toContain("origin served 10.0 MiB, target allows 6.9 MiB");
  });

  it("stalls alone miss the target", () => {
    expect(formatTargetVerdict(report(0.95, 50, 2).summary)).toMatch(/MISSED — 0.969 × ceiling; 2 stalls/);
  });
});
