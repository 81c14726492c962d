// The stall rules of the playback watcher, on hand-made samples (no browser).
import { describe, expect, it } from "vitest";
import { analyzePlayback } from "../../browser/support/playback-report.js";
import type { PlaybackSample, PlayerError } from "../../browser/support/viewer.js";

const INTERVAL_MS = 500;

/** One sample per currentTime, INTERVAL_MS apart; `overrides[i]` patches sample i. */
function samples(times: number[], overrides: Record<number, Partial<PlaybackSample>> = {}): PlaybackSample[] {
  return times.map((currentTime, i) => ({
    atMs: 1_000 + i * INTERVAL_MS,
    currentTime,
    paused: false,
    ended: false,
    readyState: 4,
    bufferedAhead: 5,
    videoWidth: 640,
    videoHeight: 360,
    playerErrors: [],
    stats: null,
    level: null,
    live: false,
    statusText: "",
    ...overrides[i],
  }));
}

describe("analyzePlayback", () => {
  it("reports steady playback as advancing with no stall", () => {
    const report = analyzePlayback("steady", samples([0, 0.5, 1, 1.5, 2]));
    expect(report).toMatchObject({ advancedSec: 2, durationMs: 2_000, samples: 5, stalls: 0, stalledMs: 0 });
  });

  it("ignores a single frozen interval but counts two as one stall", () => {
    expect(analyzePlayback("blip", samples([0, 0.5, 0.5, 1])).stalls).toBe(0);
    const report = analyzePlayback("stall", samples([0, 0.5, 0.5, 0.5, 0.5, 1, 1.5]));
    expect(report).toMatchObject({ stalls: 1, stalledMs: 1_500, longestStallMs: 1_500 });
  });

  it("counts a stall still going at the end of the watch", () => {
    expect(analyzePlayback("end", samples([0, 0.5, 0.5, 0.5]))).toMatchObject({
      stalls: 1,
      stalledMs: 1_000,
    });
  });

  it("does not count a paused or not-yet-started player as stalled", () => {
    expect(analyzePlayback("startup", samples([0, 0, 0, 0, 0.5, 1])).stalls).toBe(0);
    const paused = samples([0, 0.5, 0.5, 0.5, 0.5], {
      2: { paused: true },
      3: { paused: true },
      4: { paused: true },
    });
    expect(analyzePlayback("paused", paused).stalls).toBe(0);
  });

  it("treats a backward seek as movement, not a stall", () => {
    expect(analyzePlayback("loop", samples([58, 58.5, 0.2, 0.7])).stalls).toBe(0);
  });

  it("separates errors seen before the watch from those during it", () => {
    const early: PlayerError = { type: "mediaError", details: "bufferSeekOverHole", fatal: false };
    const late: PlayerError = { type: "networkError", details: "fragLoadError", fatal: true };
    const report = analyzePlayback(
      "errors",
      samples([0, 0.5, 1], {
        0: { playerErrors: [early] },
        1: { playerErrors: [early] },
        2: { playerErrors: [early, late] },
      }),
    );
    expect(report.errorsDuringWatch).toEqual([late]);
    expect(report.fatalErrors).toEqual([late]);
    expect(report.playerErrors).toEqual([early, late]);
  });

  it("refuses an empty series", () => {
    expect(() => analyzePlayback("none", [])).toThrow(/no samples/);
  });
});
