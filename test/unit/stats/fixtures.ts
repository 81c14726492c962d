// Reports and a fake clock for the stats unit tests.
import type { StatsReport, StatsReportBatch } from "../../../sdk/src/core/report-types.js";
import { StatsAggregator, type AggregatorLimits } from "../../../demo-server/src/stats/aggregator.js";

export const LIVE_ID = "http://127.0.0.1:8080/streams/demo/live/master.m3u8";
export const RENDITION = "v842000-960x540-avc1.4d401f,mp4a.40.2";
/** A round start time, so bucket boundaries fall on whole 5-s steps. */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

export class FakeClock {
  constructor(public nowMs = T0) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

export function report(overrides: Partial<StatsReport> = {}): StatsReport {
  const deltas = overrides.deltas ?? { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 500 };
  return {
    clientId: "client-0001",
    seq: 1,
    streamId: LIVE_ID,
    sentAtMs: T0,
    deltas,
    renditions: [{ rendition: RENDITION, ...deltas }],
    peers: 2,
    final: false,
    ...overrides,
  };
}

export function batch(...reports: StatsReport[]): StatsReportBatch {
  return { v: 1, reports };
}

export function makeAggregator(
  clock: FakeClock,
  limits: Partial<AggregatorLimits> = {},
  originStreams: readonly string[] = ["demo"],
): StatsAggregator {
  return new StatsAggregator({
    clock: clock.now,
    isOriginStream: (name) => originStreams.includes(name),
    limits,
  });
}
