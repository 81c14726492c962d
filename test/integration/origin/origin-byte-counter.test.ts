import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_HEADERS, mediaFile, startTestOrigin } from "./origin-harness.js";
import type { TestOrigin } from "./origin-harness.js";
import { waitFor } from "../../support/wait-for.js";

let origin: TestOrigin;
beforeAll(async () => {
  origin = await startTestOrigin();
});
afterAll(() => origin.server.close());
beforeEach(() => origin.resetStats());

async function download(urlPath: string, init?: RequestInit): Promise<number> {
  const response = await origin.get(urlPath, init);
  const body = await response.arrayBuffer();
  expect(Number(response.headers.get("content-length"))).toBe(body.byteLength);
  return body.byteLength;
}

describe("origin byte counter", () => {
  it("counts exactly the bytes of fetched segments, per stream, rendition and segment", async () => {
    const a = await download("/streams/demo/vod/360p/seg-00001.ts");
    const b = await download("/streams/demo/vod/360p/seg-00002.ts");
    const c = await download("/streams/demo/vod/540p/seg-00001.ts");
    const d = await download("/streams/demo-fmp4/vod/360p/init.mp4");
    const stats = await origin.stats();
    expect(stats.totals).toEqual({
      mediaBytes: a + b + c + d,
      mediaRequests: 4,
      rangeMediaRequests: 0,
      rangeMediaBytes: 0,
      abortedMediaRequests: 0,
      playlistBytes: 0,
      playlistRequests: 0,
    });
    expect(stats.streams["demo"]?.mediaBytes).toBe(a + b + c);
    expect(stats.streams["demo"]?.renditions["360p"]?.mediaBytes).toBe(a + b);
    expect(stats.streams["demo"]?.renditions["360p"]?.segments).toEqual({
      "seg-00001.ts": { bytes: a, requests: 1, rangeRequests: 0, rangeBytes: 0 },
      "seg-00002.ts": { bytes: b, requests: 1, rangeRequests: 0, rangeBytes: 0 },
    });
    expect(stats.streams["demo-fmp4"]?.renditions["360p"]?.segments["init.mp4"]).toEqual({
      bytes: d,
      requests: 1,
      rangeRequests: 0,
      rangeBytes: 0,
    });
    expect(a).toBe(mediaFile("demo/360p/seg-00001.ts").length);
  });

  it("counts live segments under their msn name", async () => {
    const bytes = await download("/streams/demo/live/240p/seg-live-5.ts");
    const rendition = (await origin.stats()).streams["demo"]?.renditions["240p"];
    expect(rendition?.segments).toEqual({
      "seg-live-5.ts": { bytes, requests: 1, rangeRequests: 0, rangeBytes: 0 },
    });
  });

  it("counts only the range of a Range request, and Range requests apart", async () => {
    await download("/streams/demo/vod/360p/seg-00003.ts", { headers: { Range: "bytes=1000-1999" } });
    await download("/streams/demo/vod/360p/seg-00003.ts", { headers: { Range: "bytes=-500" } });
    const whole = await download("/streams/demo/vod/360p/seg-00003.ts");
    const stats = await origin.stats();
    expect(stats.totals).toMatchObject({
      mediaBytes: 1500 + whole,
      mediaRequests: 3,
      rangeMediaRequests: 2,
      rangeMediaBytes: 1500,
    });
    expect(stats.streams["demo"]?.renditions["360p"]?.segments["seg-00003.ts"]).toEqual({
      bytes: 1500 + whole,
      requests: 3,
      rangeRequests: 2,
      rangeBytes: 1500,
    });
  });

  it("counts nothing for HEAD, 416 and 404", async () => {
    const head = await origin.get("/streams/demo/vod/360p/seg-00003.ts", { method: "HEAD" });
    expect(head.status).toBe(200);
    await (
      await origin.get("/streams/demo/vod/360p/seg-00003.ts", { headers: { Range: "bytes=99999999-" } })
    ).text();
    await (await origin.get("/streams/demo/vod/360p/seg-99999.ts")).text();
    expect((await origin.stats()).totals).toMatchObject({ mediaBytes: 0, mediaRequests: 0 });
  });

  it("counts playlists separately from media", async () => {
    const master = await download("/streams/demo/vod/master.m3u8");
    const media = await download("/streams/demo/live/360p/index.m3u8");
    const stats = await origin.stats();
    expect(stats.totals).toMatchObject({ mediaBytes: 0, playlistBytes: master + media, playlistRequests: 2 });
    expect(stats.streams["demo"]?.playlistBytes).toBe(master + media);
    expect(stats.streams["demo"]?.renditions["360p"]?.playlistBytes).toBe(media);
  });

  it("resets on POST /api/origin/stats/reset and from the handle", async () => {
    await download("/streams/demo/vod/240p/seg-00000.ts");
    expect((await origin.stats()).totals.mediaBytes).toBeGreaterThan(0);
    // Without the operator's secret (any page could send this POST) nothing is reset.
    const stranger = await origin.get("/api/origin/stats/reset", { method: "POST" });
    expect(stranger.status).toBe(401);
    expect((await origin.stats()).totals.mediaBytes).toBeGreaterThan(0);
    const response = await origin.get("/api/origin/stats/reset", { method: "POST", headers: ADMIN_HEADERS });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { totals: { mediaBytes: number } }).totals.mediaBytes).toBe(0);
    await download("/streams/demo/vod/240p/seg-00000.ts");
    origin.server.origin.resetStats();
    expect(origin.server.origin.getStats().streams).toEqual({});
  });
});

describe("origin byte counter with an aborted, throttled download", () => {
  let slow: TestOrigin;
  beforeAll(async () => {
    slow = await startTestOrigin({ cdnBandwidthKbps: 400 }); // 50 000 bytes/s
  });
  afterAll(() => slow.server.close());

  it("counts the bytes sent before the client went away, not the file size", async () => {
    const fileSize = mediaFile("demo/540p/seg-00004.ts").length;
    const controller = new AbortController();
    const response = await slow.get("/streams/demo/vod/540p/seg-00004.ts", { signal: controller.signal });
    const reader = response.body?.getReader();
    let received = 0;
    while (received < 20_000 && reader !== undefined) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.byteLength;
    }
    controller.abort();
    await reader?.cancel().catch(() => undefined);

    // The server sees the abort when its next write fails.
    const stats = await waitFor(
      async () => {
        const now = await slow.stats();
        return now.totals.abortedMediaRequests > 0 ? now : undefined;
      },
      5_000,
      "the origin to count the aborted request",
    );
    expect(stats.totals.abortedMediaRequests).toBe(1);
    expect(stats.totals.mediaRequests).toBe(1);
    expect(stats.totals.mediaBytes).toBeGreaterThanOrEqual(received);
    // At most a few 2.5 KB slices were in flight when the client left; far from the whole file.
    expect(stats.totals.mediaBytes).toBeLessThan(received + 16_000);
    expect(stats.totals.mediaBytes).toBeLessThan(fileSize / 2);
  });
});
