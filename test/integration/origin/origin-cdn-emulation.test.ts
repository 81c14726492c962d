import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestOrigin } from "./origin-harness.js";
import type { TestOrigin } from "./origin-harness.js";

describe("CDN emulation: latency", () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startTestOrigin({ cdnLatencyMs: 300 });
  });
  afterAll(() => origin.server.close());

  it("delays the first byte of media responses", async () => {
    const startedMs = performance.now();
    const response = await origin.get("/streams/demo/vod/240p/seg-00000.ts", {
      headers: { Range: "bytes=0-99" },
    });
    const headersMs = performance.now() - startedMs;
    await response.arrayBuffer();
    expect(headersMs).toBeGreaterThanOrEqual(295);
  });

  it("reports the emulation in the stats", async () => {
    expect((await origin.stats()).cdn).toEqual({ latencyMs: 300, bandwidthKbps: 0, playlistLatencyMs: 0 });
  });

  it("leaves playlists undelayed unless a playlist latency is set", async () => {
    const startedMs = performance.now();
    await (await origin.get("/streams/demo/vod/master.m3u8")).text();
    expect(performance.now() - startedMs).toBeLessThan(295);
  });
});

describe("CDN emulation: playlist latency", () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startTestOrigin({ cdnLatencyMs: 300, cdnPlaylistLatencyMs: 300 });
  });
  afterAll(() => origin.server.close());

  it("delays master and media playlists, VOD and live, as a far CDN does", async () => {
    for (const path of [
      "/streams/demo/vod/master.m3u8",
      "/streams/demo/vod/240p/index.m3u8",
      "/streams/demo/live/master.m3u8",
      "/streams/demo/live/240p/index.m3u8",
    ]) {
      const startedMs = performance.now();
      const response = await origin.get(path);
      const headersMs = performance.now() - startedMs;
      expect(response.status, path).toBe(200);
      expect((await response.text()).startsWith("#EXTM3U"), path).toBe(true);
      expect(headersMs, path).toBeGreaterThanOrEqual(295);
    }
    const stats = await origin.stats();
    expect(stats.cdn).toEqual({ latencyMs: 300, bandwidthKbps: 0, playlistLatencyMs: 300 });
    expect(stats.totals.playlistRequests).toBe(4);
  });
});

describe("CDN emulation: bandwidth", () => {
  let origin: TestOrigin;
  beforeAll(async () => {
    origin = await startTestOrigin({ cdnBandwidthKbps: 800 }); // 100 000 bytes/s
  });
  afterAll(() => origin.server.close());

  it("streams at the capped rate instead of sleeping and dumping", async () => {
    const startedMs = performance.now();
    const response = await origin.get("/streams/demo/vod/540p/seg-00000.ts", {
      headers: { Range: "bytes=0-49999" },
    });
    const reader = response.body?.getReader();
    let firstByteMs: number | undefined;
    let received = 0;
    for (;;) {
      const chunk = await reader?.read();
      if (chunk === undefined || chunk.done) break;
      firstByteMs ??= performance.now() - startedMs;
      received += chunk.value.byteLength;
    }
    const totalMs = performance.now() - startedMs;
    expect(received).toBe(50_000);
    // 50 000 bytes at 100 000 bytes/s: the last 5 000-byte slice leaves at 450 ms.
    expect(totalMs).toBeGreaterThanOrEqual(430);
    expect(firstByteMs).toBeLessThan(totalMs / 2);
    expect((await origin.stats()).totals.mediaBytes).toBe(50_000);
  });

  it("does not throttle playlists", async () => {
    const startedMs = performance.now();
    await (await origin.get("/streams/demo/vod/master.m3u8")).text();
    expect(performance.now() - startedMs).toBeLessThan(400);
  });
});
