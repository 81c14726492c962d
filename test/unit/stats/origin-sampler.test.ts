import { describe, expect, it } from "vitest";
import { zeroCounters, type OriginStatsSnapshot } from "../../../demo-server/src/origin/origin-counters.js";
import { OriginSampler } from "../../../demo-server/src/stats/origin-sampler.js";

function snapshot(streams: Record<string, number>): OriginStatsSnapshot {
  return {
    since: "",
    at: "",
    totals: zeroCounters(),
    streams: Object.fromEntries(
      Object.entries(streams).map(([name, mediaBytes]) => [
        name,
        { ...zeroCounters(), mediaBytes, renditions: {} },
      ]),
    ),
    cdn: { latencyMs: 0, bandwidthKbps: 0, playlistLatencyMs: 0 },
  };
}

describe("OriginSampler", () => {
  it("reports what was served since the previous sample, not before the start", () => {
    const sampler = new OriginSampler(snapshot({ demo: 1000 }));
    expect(sampler.sample(snapshot({ demo: 1500, other: 20 }))).toEqual(
      new Map([
        ["demo", 500],
        ["other", 20],
      ]),
    );
    expect(sampler.sample(snapshot({ demo: 1500, other: 20 }))).toEqual(new Map());
  });

  it("treats a counter that went down or vanished as reset", () => {
    const sampler = new OriginSampler(snapshot({ demo: 1000 }));
    expect(sampler.sample(snapshot({ demo: 300 }))).toEqual(new Map([["demo", 300]]));
    expect(sampler.sample(snapshot({}))).toEqual(new Map());
    expect(sampler.sample(snapshot({ demo: 50 }))).toEqual(new Map([["demo", 50]]));
  });
});
