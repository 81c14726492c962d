import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mediaFile, startTestOrigin } from "./origin-harness.js";
import type { TestOrigin } from "./origin-harness.js";

const SEGMENT_MS = 2000;
const SEGMENTS_PER_LOOP = 30;

let origin: TestOrigin;
beforeAll(async () => {
  origin = await startTestOrigin();
});
afterAll(() => origin.server.close());

async function livePlaylist(stream = "demo", rendition = "360p"): Promise<string> {
  const response = await origin.get(`/streams/${stream}/live/${rendition}/index.m3u8`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/vnd.apple.mpegurl");
  expect(response.headers.get("cache-control")).toBe("no-cache");
  return response.text();
}

const mediaSequence = (playlist: string) => Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1]);
const segmentNames = (playlist: string) =>
  playlist.split("\n").filter((line) => line.startsWith("seg-live-"));

describe("simulated live", () => {
  it("serves the same master as VOD, its variants resolving under /live/", async () => {
    const live = await (await origin.get("/streams/demo/live/master.m3u8")).text();
    const vod = await (await origin.get("/streams/demo/vod/master.m3u8")).text();
    expect(live).toBe(vod);
    expect(live).toContain("360p/index.m3u8");
  });

  it("gives a cold first viewer a full window, then slides one segment per segment duration", async () => {
    const first = await livePlaylist();
    expect(mediaSequence(first)).toBe(0);
    expect(segmentNames(first)).toHaveLength(20);
    expect(first).not.toContain("#EXT-X-ENDLIST");

    origin.clock.now += SEGMENT_MS;
    const next = await livePlaylist();
    expect(mediaSequence(next)).toBe(1);
    expect(segmentNames(next).at(-1)).toBe("seg-live-20.ts");
  });

  it("keeps every rendition on the same media sequence", async () => {
    const sequences = await Promise.all(
      ["240p", "360p", "540p"].map(async (r) => mediaSequence(await livePlaylist("demo", r))),
    );
    expect(new Set(sequences).size).toBe(1);
  });

  it("loops with a discontinuity and serves looped segments from the source files", async () => {
    origin.clock.now += 12 * SEGMENT_MS; // 33 segments produced: msn 13 … 32
    const playlist = await livePlaylist();
    expect(mediaSequence(playlist)).toBe(13);
    expect(playlist).toMatch(
      /#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:[^\n]+\n#EXTINF:[^\n]+\n#EXT-X-NEARCAST-SHA256:[0-9a-f]{64}\nseg-live-30\.ts/,
    );
    expect(playlist).toContain("#EXT-X-DISCONTINUITY-SEQUENCE:0");

    const response = await origin.get("/streams/demo/live/360p/seg-live-32.ts");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp2t");
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    const expected = mediaFile(`demo/360p/seg-${String(32 % SEGMENTS_PER_LOOP).padStart(5, "0")}.ts`);
    expect(Buffer.from(await response.arrayBuffer()).equals(expected)).toBe(true);
  });

  it("404s a segment that is not produced yet, without caching the 404", async () => {
    const response = await origin.get("/streams/demo/live/360p/seg-live-33.ts");
    expect(response.status).toBe(404);
    expect(response.headers.get("cache-control")).toBe("no-store");
    await response.arrayBuffer();
    origin.clock.now += SEGMENT_MS;
    const later = await origin.get("/streams/demo/live/360p/seg-live-33.ts");
    expect(later.status).toBe(200);
    await later.arrayBuffer();
  });

  it("serves a segment that just slid out, expires it one window later", async () => {
    // Now 34 produced: window msn 14 … 33, grace down to msn -6 → everything from 0 still served.
    expect((await origin.get("/streams/demo/live/360p/seg-live-0.ts", { method: "HEAD" })).status).toBe(200);
    origin.clock.now += 10 * SEGMENT_MS; // 44 produced: window 24 … 43, grace to 4
    expect((await origin.get("/streams/demo/live/360p/seg-live-4.ts", { method: "HEAD" })).status).toBe(200);
    expect((await origin.get("/streams/demo/live/360p/seg-live-3.ts", { method: "HEAD" })).status).toBe(404);
  });

  it("serves fMP4 live with its init segment", async () => {
    const playlist = await livePlaylist("demo-fmp4", "360p");
    expect(playlist).toContain('#EXT-X-MAP:URI="init.mp4"');
    const last = segmentNames(playlist).at(-1) ?? "";
    expect(last).toMatch(/^seg-live-\d+\.m4s$/);
    const init = await origin.get("/streams/demo-fmp4/live/360p/init.mp4");
    expect(init.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await init.arrayBuffer()).equals(mediaFile("demo-fmp4/360p/init.mp4"))).toBe(true);
    const segment = await origin.get(`/streams/demo-fmp4/live/360p/${last}`);
    expect(segment.status).toBe(200);
    await segment.arrayBuffer();
  });

  it("honours --live-window", async () => {
    const small = await startTestOrigin({ liveWindowSegments: 4 });
    try {
      const playlist = await (await small.get("/streams/demo/live/540p/index.m3u8")).text();
      expect(segmentNames(playlist)).toEqual([
        "seg-live-0.ts",
        "seg-live-1.ts",
        "seg-live-2.ts",
        "seg-live-3.ts",
      ]);
    } finally {
      await small.server.close();
    }
  });
});
