// Why the CDN was asked for a segment in steady state: the simulator's HTTP loads of segments asked
// for after the steady window began, by cause, per segment. The whole-run breakdown (report.ts) is
// dominated by start-up; this one shows what a large live audience keeps paying for.
import type { SegmentRecord, ViewerResult } from "../lib/swarm-metrics.js";
import { table } from "./report.js";

export const STEADY_CAUSES = [
  "first fetch of the segment",
  "resumed after a P2P failure",
  "no time to wait",
  "no peer had it, after a hold",
  "no peer had it, no hold (no slack)",
  "other",
] as const;
export type SteadyCause = (typeof STEADY_CAUSES)[number];

export interface SteadyCauseRow {
  cause: SteadyCause;
  /** HTTP loads of this cause per distinct steady segment (rendition, msn). */
  perSegment: number;
  /** Median time from the segment's first HTTP request to these loads' requests, ms. */
  medianGapMs: number | undefined;
  /** Median time these loads held before going to HTTP, ms. */
  medianHeldMs: number | undefined;
  /** Median media buffered ahead when these loads were asked for, seconds. */
  medianBufferSec: number | undefined;
}

export interface SteadyBreakdown {
  segments: number;
  rows: SteadyCauseRow[];
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function causeOf(s: SegmentRecord): SteadyCause {
  if (s.p2pBytes > 0) return "resumed after a P2P failure";
  if (s.decision === "http:no-time") return "no time to wait";
  if (s.decision === "http:no-peer-has-it")
    return (s.heldMs ?? 0) > 0 ? "no peer had it, after a hold" : "no peer had it, no hold (no slack)";
  return "other";
}

/**
 * Classify the HTTP loads asked for at or after `fromMs` (viewers grouped by `renditionOf`): the
 * earliest request of each segment is its first fetch, the others by the decision that sent them to
 * HTTP and whether they held first.
 */
export function steadyBreakdown(
  viewers: readonly ViewerResult[],
  renditionOf: (viewerIndex: number) => string,
  fromMs: number,
): SteadyBreakdown {
  const bySegment = new Map<string, SegmentRecord[]>();
  viewers.forEach((v, i) => {
    for (const s of v.segments) {
      if (s.requestMs < fromMs || s.httpBytes <= 0) continue;
      const key = `${renditionOf(i)}/${s.msn}`;
      let list = bySegment.get(key);
      if (!list) bySegment.set(key, (list = []));
      list.push(s);
    }
  });
  const acc = new Map(
    STEADY_CAUSES.map((c) => [
      c,
      { loads: 0, gaps: [] as number[], held: [] as number[], buffer: [] as number[] },
    ]),
  );
  for (const loads of bySegment.values()) {
    loads.sort((a, b) => a.requestMs - b.requestMs);
    const firstMs = loads[0]!.requestMs;
    loads.forEach((s, i) => {
      const a = acc.get(i === 0 ? "first fetch of the segment" : causeOf(s))!;
      a.loads++;
      a.gaps.push(s.requestMs - firstMs);
      a.held.push(s.heldMs ?? 0);
      a.buffer.push(s.bufferAheadSec);
    });
  }
  const segments = bySegment.size;
  return {
    segments,
    rows: STEADY_CAUSES.map((cause) => {
      const a = acc.get(cause)!;
      return {
        cause,
        perSegment: segments > 0 ? a.loads / segments : 0,
        medianGapMs: median(a.gaps),
        medianHeldMs: median(a.held),
        medianBufferSec: median(a.buffer),
      };
    }),
  };
}

/** One column per scenario: HTTP loads per steady segment by cause (median gap, median hold in ms). */
export function formatSteadyBreakdownTable(
  results: readonly { name: string; steady: SteadyBreakdown | undefined }[],
): string {
  return table(
    [
      "steady HTTP loads per segment by cause (median ms after the first / held / s buffered at the request)",
      ...results.map((r) => r.name),
    ],
    STEADY_CAUSES.map((cause) => [
      cause,
      ...results.map(({ steady }) => {
        const row = steady?.rows.find((r) => r.cause === cause);
        if (!row) return "–";
        const gap = row.medianGapMs === undefined ? "–" : Math.round(row.medianGapMs);
        const held = row.medianHeldMs === undefined ? "–" : Math.round(row.medianHeldMs);
        const buffer = row.medianBufferSec === undefined ? "–" : row.medianBufferSec.toFixed(1);
        return `${row.perSegment.toFixed(2)} (${gap} / ${held} / ${buffer})`;
      }),
    ]),
  );
}
