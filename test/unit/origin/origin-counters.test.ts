import { describe, expect, it } from "vitest";
import { OriginCounters } from "../../../demo-server/src/origin/origin-counters.js";

const cdn = { latencyMs: 0, bandwidthKbps: 0, playlistLatencyMs: 0 };
const t360 = { stream: "demo", rendition: "360p" };

describe("OriginCounters", () => {
  it("adds media bytes at rendition, stream and total level and per segment", () => {
    const counters = new OriginCounters(cdn, () => 0);
    counters.recordMediaRequest(t360, "seg-00001.ts");
    counters.recordMediaBytes(t360, "seg-00001.ts", 100);
    counters.recordMediaBytes(t360, "seg-00001.ts", 50);
    counters.recordMediaRequest({ stream: "demo", rendition: "240p" }, "seg-00001.ts");
    counters.recordMediaBytes({ stream: "demo", rendition: "240p" }, "seg-00001.ts", 7);
    counters.recordMediaRequest(t360, "seg-00002.ts", true);
    counters.recordMediaBytes(t360, "seg-00002.ts", 30, true);
    counters.recordMediaAborted(t360);
    const stats = counters.snapshot();
    expect(stats.totals).toEqual({
      mediaBytes: 187,
      mediaRequests: 3,
      rangeMediaRequests: 1,
      rangeMediaBytes: 30,
      abortedMediaRequests: 1,
      playlistBytes: 0,
      playlistRequests: 0,
    });
    expect(stats.streams["demo"]?.mediaBytes).toBe(187);
    expect(stats.streams["demo"]?.renditions["360p"]).toMatchObject({
      mediaBytes: 180,
      mediaRequests: 2,
      rangeMediaRequests: 1,
      rangeMediaBytes: 30,
      abortedMediaRequests: 1,
      segments: {
        "seg-00001.ts": { bytes: 150, requests: 1, rangeRequests: 0, rangeBytes: 0 },
        "seg-00002.ts": { bytes: 30, requests: 1, rangeRequests: 1, rangeBytes: 30 },
      },
      evictedSegments: 0,
    });
  });

  it("counts playlists apart from media; master playlists only at stream level", () => {
    const counters = new OriginCounters(cdn, () => 0);
    counters.recordPlaylist({ stream: "demo" }, 300);
    counters.recordPlaylist(t360, 1000);
    const stats = counters.snapshot();
    expect(stats.totals).toMatchObject({ playlistBytes: 1300, playlistRequests: 2, mediaBytes: 0 });
    expect(stats.streams["demo"]?.renditions["360p"]).toMatchObject({ playlistBytes: 1000, segments: {} });
  });

  it("keeps only the most recently used segment keys", () => {
    const counters = new OriginCounters(cdn, () => 0, 3);
    for (const key of ["a", "b", "c"]) counters.recordMediaBytes(t360, key, 1);
    counters.recordMediaBytes(t360, "a", 1); // a becomes most recent
    counters.recordMediaBytes(t360, "d", 1); // evicts b
    const rendition = counters.snapshot().streams["demo"]?.renditions["360p"];
    expect(Object.keys(rendition?.segments ?? {})).toEqual(["c", "a", "d"]);
    expect(rendition?.evictedSegments).toBe(1);
    expect(rendition?.mediaBytes).toBe(5);
  });

  it("resets to zero and restarts the 'since' clock", () => {
    let now = Date.UTC(2025, 0, 1);
    const counters = new OriginCounters(
      { latencyMs: 50, bandwidthKbps: 800, playlistLatencyMs: 0 },
      () => now,
    );
    counters.recordMediaBytes(t360, "x", 10);
    now += 60_000;
    counters.reset();
    const stats = counters.snapshot();
    expect(stats.totals.mediaBytes).toBe(0);
    expect(stats.streams).toEqual({});
    expect(stats.since).toBe("2025-01-01T00:01:00.000Z");
    expect(stats.cdn).toEqual({ latencyMs: 50, bandwidthKbps: 800, playlistLatencyMs: 0 });
  });

  it("returns a snapshot that later traffic does not change", () => {
    const counters = new OriginCounters(cdn, () => 0);
    counters.recordMediaBytes(t360, "x", 10);
    const before = counters.snapshot();
    counters.recordMediaBytes(t360, "x", 10);
    expect(before.streams["demo"]?.renditions["360p"]?.segments["x"]?.bytes).toBe(10);
  });
});
