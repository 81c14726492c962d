// The soak's per-minute playback stretches, on hand-made probes (no browser).
import { describe, expect, it } from "vitest";
import { playbackStretches, type PlaybackProbe } from "../../browser/support/soak-playback.js";

/** A probe `atSec` wall seconds after the first; the rest from `overrides`. */
function probe(atSec: number, overrides: Partial<PlaybackProbe> = {}): PlaybackProbe {
  return {
    wallMs: 1_000_000 + atSec * 1000,
    currentTime: 100 + atSec,
    bufferedAheadSec: 6,
    liveEdgeSec: 108 + atSec,
    latencySec: 8,
    targetLatencySec: 6,
    playbackRate: 1,
    droppedFrames: 0,
    totalFrames: atSec * 30,
    waitingCount: 0,
    waitingMs: 0,
    seeks: 0,
    seekJumpSec: 0,
    ...overrides,
  };
}

describe("playbackStretches", () => {
  it("cuts 30-s probes into minutes and reports real-time playback as rate 1", () => {
    const stretches = playbackStretches([0, 30, 60, 90, 120].map((t) => probe(t)));
    expect(stretches.map((s) => s.toSec)).toEqual([60, 120]);
    for (const s of stretches) {
      expect(s.advanceRate).toBeCloseTo(1, 6);
      expect(s.edgeRate).toBeCloseTo(1, 6);
      expect(s.totalFrames).toBe(1800);
    }
  });

  it("tells a media clock slower than the wall from waiting and seeks", () => {
    const slow = playbackStretches([probe(0), probe(60, { currentTime: 100 + 54, droppedFrames: 90 })]);
    expect(slow[0]).toMatchObject({ waitingMs: 0, seeks: 0, droppedFrames: 90 });
    expect(slow[0]!.advanceRate).toBeCloseTo(0.9, 6);

    const waited = playbackStretches([
      probe(0, { waitingMs: 500, waitingCount: 1 }),
      probe(60, { currentTime: 157, waitingMs: 3500, seeks: 1, seekJumpSec: 0.2 }),
    ]);
    expect(waited[0]).toMatchObject({ waitingMs: 3000, seeks: 1, seekJumpSec: 0.2 });
  });

  it("keeps a short last stretch and has no edge rate without a live playlist", () => {
    const stretches = playbackStretches([probe(0), probe(60), probe(75, { liveEdgeSec: null })]);
    expect(stretches.map((s) => s.wallSec)).toEqual([60, 15]);
    expect(stretches[1]!.edgeRate).toBeNull();
  });

  it("returns nothing for no probes", () => {
    expect(playbackStretches([])).toEqual([]);
  });
});
