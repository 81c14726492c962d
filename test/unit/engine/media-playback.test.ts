import { describe, expect, it } from "vitest";
import { readPlayback } from "../../../sdk/src/engine/media-playback.js";

function media(over: {
  currentTime?: number;
  paused?: boolean;
  readyState?: number;
  ranges?: [number, number][];
}) {
  const ranges = over.ranges ?? [];
  return {
    currentTime: over.currentTime ?? 0,
    paused: over.paused ?? false,
    readyState: over.readyState ?? 4,
    playbackRate: 1,
    buffered: {
      length: ranges.length,
      start: (i: number) => ranges[i]![0],
      end: (i: number) => ranges[i]![1],
    },
  } as unknown as HTMLMediaElement;
}

describe("readPlayback", () => {
  it("measures the contiguous buffer ahead of the position, bridging sub-0.1 s holes", () => {
    const state = readPlayback(
      media({
        currentTime: 10,
        ranges: [
          [0, 12],
          [12.05, 16],
          [20, 30],
        ],
      }),
    );
    expect(state?.bufferedAheadSec).toBeCloseTo(6);
    expect(state?.waiting).toBe(false);
  });

  it("reports a player that cannot go on (start-up or stall) as waiting, a paused one as not", () => {
    expect(readPlayback(media({ readyState: 1, ranges: [[0, 1.9]] }))?.waiting).toBe(true);
    expect(readPlayback(media({ readyState: 2, paused: true }))?.waiting).toBe(false);
  });

  it("knows nothing without a media element", () => {
    expect(readPlayback(null)).toBeUndefined();
  });
});
