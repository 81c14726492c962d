import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MEDIA_DIR, REPO_ROOT } from "../../../demo-server/src/config.js";
import { mediaFile, rawGet, startTestOrigin } from "./origin-harness.js";
import type { TestOrigin } from "./origin-harness.js";

let origin: TestOrigin;
beforeAll(async () => {
  origin = await startTestOrigin();
});
afterAll(() => origin.server.close());

const M3U8 = "application/vnd.apple.mpegurl";

describe("VOD playlists", () => {
  it("serves the master playlist as-is with HLS content type and CORS", async () => {
    const response = await origin.get("/streams/demo/vod/master.m3u8");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(M3U8);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(await response.text()).toBe(
      readFileSync(path.join(DEFAULT_MEDIA_DIR, "demo/master.m3u8"), "utf8"),
    );
  });

  it("serves media playlists, including the fMP4 one with EXT-X-MAP", async () => {
    const ts = await origin.get("/streams/demo/vod/540p/index.m3u8");
    expect(ts.headers.get("content-type")).toBe(M3U8);
    expect(await ts.text()).toContain("#EXT-X-ENDLIST");
    const fmp4 = await (await origin.get("/streams/demo-fmp4/vod/360p/index.m3u8")).text();
    expect(fmp4).toContain('#EXT-X-MAP:URI="init.mp4"');
    expect(fmp4).toContain("seg-00029.m4s");
  });
});

describe("VOD media", () => {
  it("serves a segment byte-exact with type, length, range support and immutable caching", async () => {
    const response = await origin.get("/streams/demo/vod/360p/seg-00007.ts");
    const expected = mediaFile("demo/360p/seg-00007.ts");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("video/mp2t");
    expect(response.headers.get("content-length")).toBe(String(expected.length));
    expect(response.headers.get("accept-ranges")).toBe("bytes");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(response.headers.get("access-control-expose-headers")).toMatch(/Content-Length.*Content-Range/);
    expect(Buffer.from(await response.arrayBuffer()).equals(expected)).toBe(true);
  });

  it("serves fMP4 init and media segments as video/mp4", async () => {
    const init = await origin.get("/streams/demo-fmp4/vod/360p/init.mp4");
    expect(init.headers.get("content-type")).toBe("video/mp4");
    expect(Buffer.from(await init.arrayBuffer()).equals(mediaFile("demo-fmp4/360p/init.mp4"))).toBe(true);
    const segment = await origin.get("/streams/demo-fmp4/vod/360p/seg-00000.m4s");
    expect(segment.headers.get("content-type")).toBe("video/mp4");
    await segment.arrayBuffer();
  });

  it("answers HEAD with headers only", async () => {
    const response = await origin.get("/streams/demo/vod/240p/seg-00000.ts", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(String(mediaFile("demo/240p/seg-00000.ts").length));
    expect((await response.arrayBuffer()).byteLength).toBe(0);
    const playlist = await origin.get("/streams/demo/vod/master.m3u8", { method: "HEAD" });
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get("content-type")).toBe(M3U8);
  });

  it("answers CORS preflights allowing the Range header", async () => {
    const response = await origin.get("/streams/demo/vod/240p/seg-00000.ts", {
      method: "OPTIONS",
      headers: { Origin: "http://example.test", "Access-Control-Request-Headers": "range" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")).toMatch(/Range/);
  });
});

describe("Range requests", () => {
  const file = "/streams/demo/vod/360p/seg-00002.ts";
  const bytes = mediaFile("demo/360p/seg-00002.ts");

  it("returns 206 with Content-Range for a single range", async () => {
    const response = await origin.get(file, { headers: { Range: "bytes=100-1099" } });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 100-1099/${bytes.length}`);
    expect(response.headers.get("content-length")).toBe("1000");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);
  });

  it("supports open and suffix ranges", async () => {
    const open = await origin.get(file, { headers: { Range: `bytes=${bytes.length - 10}-` } });
    expect(Buffer.from(await open.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const suffix = await origin.get(file, { headers: { Range: "bytes=-188" } });
    expect(suffix.headers.get("content-range")).toBe(
      `bytes ${bytes.length - 188}-${bytes.length - 1}/${bytes.length}`,
    );
    await suffix.arrayBuffer();
  });

  it("returns 416 for an unsatisfiable range", async () => {
    const response = await origin.get(file, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(response.status).toBe(416);
    expect(response.headers.get("content-range")).toBe(`bytes */${bytes.length}`);
    await response.arrayBuffer();
  });

  it("serves the whole file for a multi-range request", async () => {
    const response = await origin.get(file, { headers: { Range: "bytes=0-1,5-6" } });
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(bytes.length);
  });
});

describe("not found and hostile URLs", () => {
  it.each([
    "/streams/nope/vod/master.m3u8",
    "/streams/demo/dvr/master.m3u8",
    "/streams/demo/vod/1080p/index.m3u8",
    "/streams/demo/vod/360p/seg-00030.ts",
    "/streams/demo/vod/360p/seg-live-3.ts",
    "/streams/demo/live/360p/seg-00003.ts",
    "/streams/demo/vod/360p/init.mp4",
    "/streams/__proto__/vod/master.m3u8",
    "/streams/demo/vod/constructor/index.m3u8",
    "/streams",
    "/nope",
  ])("404 for %s", async (urlPath) => {
    const response = await origin.get(urlPath);
    expect(response.status).toBe(404);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect((await response.text()).length).toBeLessThan(200);
  });

  const packageJson = readFileSync(path.join(REPO_ROOT, "package.json"), "utf8");
  it.each([
    "/streams/../package.json",
    "/streams/demo/../../package.json",
    "/streams/%2e%2e/package.json",
    "/streams/%2e%2e/%2e%2e/package.json",
    "/streams/demo/vod/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json",
    "/streams/demo/vod/360p/..%2f..%2f..%2f..%2fpackage.json",
    "/streams/demo/vod/360p/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json",
    "/streams/demo/vod/..%5c..%5c..%5cpackage.json/index.m3u8",
    "/sdk/../package.json",
    "/%2e%2e/package.json",
  ])("never serves files outside the catalog: %s", async (rawPath) => {
    const response = await rawGet(origin.server.port, rawPath);
    expect([400, 403, 404]).toContain(response.status);
    expect(response.body).not.toContain(packageJson.slice(0, 40));
  });

  it("answers 400 to an undecodable URL and keeps serving", async () => {
    const response = await rawGet(origin.server.port, "/streams/%E0%A4%A/vod/master.m3u8");
    expect(response.status).toBe(400);
    expect((await origin.get("/streams/demo/vod/master.m3u8")).status).toBe(200);
  });
});

describe("other routes", () => {
  it("serves something at / (player or landing page)", async () => {
    const response = await origin.get("/");
    expect(response.status).toBe(200);
    await response.arrayBuffer();
  });

  it("exposes origin stats as JSON with CORS", async () => {
    const response = await origin.get("/api/origin/stats");
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    const stats = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(stats)).toEqual(["since", "at", "totals", "streams", "cdn"]);
  });

  it("closes idempotently", async () => {
    const extra = await startTestOrigin();
    await Promise.all([extra.server.close(), extra.server.close()]);
    await extra.server.close();
    expect(extra.server.httpServer.listening).toBe(false);
  });
});
