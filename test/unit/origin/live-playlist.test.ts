import { describe, expect, it } from "vitest";
import {
  buildLivePlaylist,
  computeLiveWindow,
  discontinuitiesBefore,
  liveStartMsFor,
  producedSegmentCount,
  resolveLiveResource,
} from "../../../demo-server/src/origin/live-playlist.js";
import { parseMediaPlaylist } from "../../../demo-server/src/origin/playlist-parser.js";
import { discontinuityMsns, fakeRendition, fakeStream, listedMsns, tagValue } from "./fake-rendition.js";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
/** Five 2 s segments: a 10 s loop. */
const rendition = fakeRendition();
/** Wall-clock time at which `produced` segments are complete (half-way into the next one). */
const whenProduced = (produced: number) => T0 + produced * 2000 + 500;

function playlistAt(produced: number, windowSegments = 3, r = rendition): string {
  return buildLivePlaylist(r, whenProduced(produced), { liveStartMs: T0, windowSegments });
}

describe("live timeline", () => {
  it("lists a segment only once it is completely produced", () => {
    expect(producedSegmentCount(rendition, T0 - 1, T0)).toBe(0);
    expect(producedSegmentCount(rendition, T0, T0)).toBe(0);
    expect(producedSegmentCount(rendition, T0 + 1999, T0)).toBe(0);
    expect(producedSegmentCount(rendition, T0 + 2000, T0)).toBe(1);
    expect(producedSegmentCount(rendition, T0 + 10_000, T0)).toBe(5);
    expect(producedSegmentCount(rendition, T0 + 3_600_000, T0)).toBe(1800);
  });

  it("handles segments of different durations", () => {
    const uneven = fakeRendition({ durationsSec: [2, 2, 1.5] }); // 5.5 s loop
    expect(producedSegmentCount(uneven, T0 + 5_499, T0)).toBe(2);
    expect(producedSegmentCount(uneven, T0 + 5_500, T0)).toBe(3);
    expect(producedSegmentCount(uneven, T0 + 7_500, T0)).toBe(4);
    const playlist = buildLivePlaylist(uneven, T0 + 11_000, { liveStartMs: T0, windowSegments: 10 });
    expect(playlist).toContain("#EXTINF:1.500000,\nseg-live-2.ts");
    expect(playlist).toContain(
      "#EXT-X-PROGRAM-DATE-TIME:2025-01-01T12:00:09.500Z\n#EXTINF:1.500000,\nseg-live-5.ts",
    );
  });

  it("starts a full window at server start with liveStartMsFor", () => {
    const serverStartMs = T0 + 123_456;
    const liveStartMs = liveStartMsFor(fakeStream(rendition), serverStartMs, 20);
    expect(liveStartMs).toBe(serverStartMs - 40_000);
    const window = computeLiveWindow(rendition, serverStartMs, { liveStartMs, windowSegments: 20 });
    expect(window).toEqual({ firstMsn: 0, count: 20, discontinuitySequence: 0 });
  });
});

describe("buildLivePlaylist", () => {
  it("is an empty but valid playlist before the first segment is produced", () => {
    const playlist = buildLivePlaylist(rendition, T0, { liveStartMs: T0, windowSegments: 3 });
    expect(tagValue(playlist, "#EXT-X-MEDIA-SEQUENCE")).toBe("0");
    expect(listedMsns(playlist)).toEqual([]);
    expect(playlist).not.toContain("#EXT-X-ENDLIST");
  });

  it("grows until the window is full, then slides one segment per segment duration", () => {
    expect(listedMsns(playlistAt(1))).toEqual([0]);
    expect(listedMsns(playlistAt(3))).toEqual([0, 1, 2]);
    expect(listedMsns(playlistAt(4))).toEqual([1, 2, 3]);
    expect(tagValue(playlistAt(4), "#EXT-X-MEDIA-SEQUENCE")).toBe("1");
  });

  it("has the live headers and no VOD tags", () => {
    const playlist = playlistAt(4);
    expect(playlist.startsWith("#EXTM3U\n")).toBe(true);
    expect(tagValue(playlist, "#EXT-X-TARGETDURATION")).toBe("2");
    expect(tagValue(playlist, "#EXT-X-VERSION")).toBe("3");
    expect(playlist).toContain("#EXT-X-INDEPENDENT-SEGMENTS");
    expect(playlist).not.toMatch(/#EXT-X-ENDLIST|#EXT-X-PLAYLIST-TYPE/);
    const parsed = parseMediaPlaylist(playlist);
    expect(parsed.mediaSequence).toBe(1);
    expect(parsed.segments.map((segment) => segment.uri)).toEqual([
      "seg-live-1.ts",
      "seg-live-2.ts",
      "seg-live-3.ts",
    ]);
  });

  it("stamps each segment with its program date-time", () => {
    const playlist = playlistAt(4);
    expect(playlist).toContain(
      "#EXT-X-PROGRAM-DATE-TIME:2025-01-01T12:00:02.000Z\n#EXTINF:2.000000,\nseg-live-1.ts",
    );
    expect(playlist).toContain(
      "#EXT-X-PROGRAM-DATE-TIME:2025-01-01T12:00:06.000Z\n#EXTINF:2.000000,\nseg-live-3.ts",
    );
  });

  describe("across the loop point (5 segments, window 3)", () => {
    it("marks the first segment of the second loop with EXT-X-DISCONTINUITY", () => {
      const playlist = playlistAt(7); // msn 4, 5, 6; msn 5 = source 0 of loop 1
      expect(listedMsns(playlist)).toEqual([4, 5, 6]);
      expect(discontinuityMsns(playlist)).toEqual([5]);
      expect(tagValue(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("0");
    });

    it("keeps the tag while the loop start is the first listed segment", () => {
      const playlist = playlistAt(8); // msn 5, 6, 7
      expect(playlist).toMatch(/#EXT-X-DISCONTINUITY-SEQUENCE:0\n(?:#.*\n)*#EXT-X-DISCONTINUITY\n/);
      expect(discontinuityMsns(playlist)).toEqual([5]);
    });

    it("counts the tag in EXT-X-DISCONTINUITY-SEQUENCE once it slid out", () => {
      const playlist = playlistAt(9); // msn 6, 7, 8
      expect(discontinuityMsns(playlist)).toEqual([]);
      expect(tagValue(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("1");
      expect(tagValue(playlistAt(12), "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("1"); // msn 9, 10, 11
      expect(discontinuityMsns(playlistAt(12))).toEqual([10]);
      expect(tagValue(playlistAt(14), "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("2"); // msn 11, 12, 13
    });

    it("never marks msn 0", () => {
      expect(discontinuityMsns(playlistAt(3))).toEqual([]);
    });

    it("names segments by absolute msn and maps them to the looped source files", () => {
      expect(listedMsns(playlistAt(14))).toEqual([11, 12, 13]);
      const resolved = resolveLiveResource(rendition, "seg-live-13.ts", whenProduced(14), {
        liveStartMs: T0,
        windowSegments: 3,
      });
      expect(resolved).toMatchObject({ kind: "segment", msn: 13, segment: { index: 3 } });
    });
  });

  it("repeats the content with a window longer than the content", () => {
    const playlist = playlistAt(14, 12); // msn 2 … 13 over loops 0, 1, 2
    expect(listedMsns(playlist)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(discontinuityMsns(playlist)).toEqual([5, 10]);
    expect(tagValue(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("0");
    const later = playlistAt(20, 12); // msn 8 … 19
    expect(discontinuityMsns(later)).toEqual([10, 15]);
    expect(tagValue(later, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("1");
  });

  it("works with a one-segment window and a one-segment source", () => {
    const single = fakeRendition({ durationsSec: [2] });
    const playlist = buildLivePlaylist(single, whenProduced(4), { liveStartMs: T0, windowSegments: 1 });
    expect(listedMsns(playlist)).toEqual([3]);
    expect(discontinuityMsns(playlist)).toEqual([3]);
    expect(tagValue(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("2");
  });

  it("lists the init segment of fMP4 renditions and keeps segment extensions", () => {
    const fmp4 = fakeRendition({ extension: ".m4s", withInit: true });
    const playlist = buildLivePlaylist(fmp4, whenProduced(2), { liveStartMs: T0, windowSegments: 3 });
    expect(playlist).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(tagValue(playlist, "#EXT-X-VERSION")).toBe("7");
    expect(listedMsns(playlist)).toEqual([0, 1]);
    expect(playlist).toContain("seg-live-1.m4s");
  });

  it("keeps the source's own discontinuities in every loop", () => {
    const spliced = fakeRendition({ discontinuities: [2] });
    const playlist = buildLivePlaylist(spliced, whenProduced(13), { liveStartMs: T0, windowSegments: 10 });
    expect(discontinuityMsns(playlist)).toEqual([5, 7, 10, 12]); // loop starts 5, 10; source index 2 at 7, 12
    expect(discontinuitiesBefore(spliced, 3)).toBe(1);
    expect(discontinuitiesBefore(spliced, 8)).toBe(3); // 2, 5, 7
    expect(tagValue(playlist, "#EXT-X-DISCONTINUITY-SEQUENCE")).toBe("1"); // msn 2 slid out
  });
});

describe("discontinuitiesBefore", () => {
  it("counts loop starts below the msn", () => {
    expect([0, 1, 5, 6, 10, 11, 50].map((msn) => discontinuitiesBefore(rendition, msn))).toEqual([
      0, 0, 0, 1, 1, 2, 9,
    ]);
  });
});

describe("resolveLiveResource", () => {
  const options = { liveStartMs: T0, windowSegments: 3 };
  const now = whenProduced(20); // window = msn 17, 18, 19; grace = 3 more (14, 15, 16)

  it("serves listed segments", () => {
    expect(resolveLiveResource(rendition, "seg-live-19.ts", now, options)).toMatchObject({
      kind: "segment",
      msn: 19,
    });
    expect(resolveLiveResource(rendition, "seg-live-17.ts", now, options)).toMatchObject({
      segment: { index: 2 },
    });
  });

  it("refuses segments not produced yet", () => {
    expect(resolveLiveResource(rendition, "seg-live-20.ts", now, options)).toEqual({
      kind: "not-found",
      reason: "future",
    });
    expect(resolveLiveResource(rendition, "seg-live-999999999.ts", now, options)).toMatchObject({
      reason: "future",
    });
  });

  it("still serves segments within one window behind the playlist, then expires them", () => {
    expect(resolveLiveResource(rendition, "seg-live-14.ts", now, options)).toMatchObject({ kind: "segment" });
    expect(resolveLiveResource(rendition, "seg-live-13.ts", now, options)).toEqual({
      kind: "not-found",
      reason: "expired",
    });
    expect(
      resolveLiveResource(rendition, "seg-live-13.ts", now, { ...options, graceSegments: 4 }),
    ).toMatchObject({
      kind: "segment",
    });
  });

  it("rejects malformed names", () => {
    for (const name of [
      "seg-live-019.ts",
      "seg-live-19.m4s",
      "seg-live-19",
      "seg-live--1.ts",
      "seg-00001.ts",
      "x",
    ]) {
      expect(resolveLiveResource(rendition, name, now, options)).toEqual({
        kind: "not-found",
        reason: "unknown",
      });
    }
  });

  it("resolves the init segment only for renditions that have one", () => {
    const fmp4 = fakeRendition({ extension: ".m4s", withInit: true });
    expect(resolveLiveResource(fmp4, "init.mp4", now, options)).toMatchObject({ kind: "init" });
    expect(resolveLiveResource(rendition, "init.mp4", now, options)).toMatchObject({ reason: "unknown" });
  });
});
