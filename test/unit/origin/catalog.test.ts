import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_MEDIA_DIR } from "../../../demo-server/src/config.js";
import { CatalogError } from "../../../demo-server/src/origin/catalog-types.js";
import { loadCatalog } from "../../../demo-server/src/origin/catalog.js";

const scratch = mkdtempSync(path.join(tmpdir(), "nearcast-catalog-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes files (path → content) under a new folder and returns the folder. */
function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const media = (...uris: string[]) =>
  `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${uris.map((uri) => `#EXTINF:2.0,\n${uri}\n`).join("")}#EXT-X-ENDLIST\n`;

describe("loadCatalog with the committed demo media", async () => {
  const catalog = await loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR });

  it("finds one stream per folder with a master.m3u8", () => {
    expect([...catalog.streams.keys()]).toEqual(["demo", "demo-fmp4"]);
    expect([...(catalog.streams.get("demo")?.renditions.keys() ?? [])]).toEqual(["240p", "360p", "540p"]);
    expect([...(catalog.streams.get("demo-fmp4")?.renditions.keys() ?? [])]).toEqual(["360p"]);
  });

  it("reads 30 two-second segments per rendition with their file sizes", () => {
    const rendition = catalog.streams.get("demo")?.renditions.get("360p");
    expect(rendition?.segments).toHaveLength(30);
    expect(rendition?.totalDurationSec).toBeCloseTo(60, 3);
    expect(rendition?.targetDurationSec).toBe(2);
    const last = rendition?.segments[29];
    expect(last?.key).toBe("seg-00029.ts");
    expect(last?.sizeBytes).toBe(statSync(path.join(DEFAULT_MEDIA_DIR, "demo/360p/seg-00029.ts")).size);
    expect(rendition?.segmentsByKey.get("seg-00003.ts")?.index).toBe(3);
  });

  it("serves the playlists unchanged when the layout already matches the URL scheme, plus digests", () => {
    const stream = catalog.streams.get("demo");
    expect(stream?.masterPlaylist).toBe(
      readFileSync(path.join(DEFAULT_MEDIA_DIR, "demo/master.m3u8"), "utf8"),
    );
    const served = stream?.renditions.get("540p")?.vodPlaylist ?? "";
    expect(served.replace(/^#EXT-X-NEARCAST-SHA256:.*\n/gm, "")).toBe(
      readFileSync(path.join(DEFAULT_MEDIA_DIR, "demo/540p/index.m3u8"), "utf8"),
    );
    // Every segment URI is preceded by the SHA-256 of the file it names.
    const pairs = [...served.matchAll(/^#EXT-X-NEARCAST-SHA256:([0-9a-f]{64})\n(\S+)$/gm)];
    expect(pairs).toHaveLength(stream?.renditions.get("540p")?.segments.length ?? -1);
    for (const [, digest, uri] of pairs) {
      const bytes = readFileSync(path.join(DEFAULT_MEDIA_DIR, "demo/540p", uri!));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(digest);
    }
  });

  it("records the fMP4 init segment", () => {
    const rendition = catalog.streams.get("demo-fmp4")?.renditions.get("360p");
    expect(rendition?.init).toMatchObject({ key: "init.mp4", extension: ".mp4" });
    expect(rendition?.segments[0]?.extension).toBe(".m4s");
  });
});

describe("loadCatalog with --hls-dir folders", () => {
  it("serves a folder holding a single media playlist as rendition 'main' with a made-up master", async () => {
    const dir = folder("clip", {
      "stream.m3u8": media("a.ts", "b.ts"),
      "a.ts": "x".repeat(500),
      "b.ts": "yy",
    });
    const catalog = await loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: dir }] });
    const stream = catalog.streams.get("clip");
    expect([...(stream?.renditions.keys() ?? [])]).toEqual(["main"]);
    expect(stream?.masterPlaylist).toBe("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000\nmain/index.m3u8\n");
  });

  it("rewrites a flat ffmpeg layout into <rendition>/index.m3u8 and unique segment keys", async () => {
    const dir = folder("flat", {
      "master.m3u8":
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nstream_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nsub/stream_1.m3u8?x=1\n" +
        "#EXT-X-STREAM-INF:BANDWIDTH=3\nstream_0.m3u8\n",
      "stream_0.m3u8": media("s0_0.ts", "parts/s0_0.ts", "we%20ird%3F.ts"),
      "s0_0.ts": "a",
      "parts/s0_0.ts": "b",
      "we ird?.ts": "c",
      "sub/stream_1.m3u8": media("../s1_0.ts"),
      "s1_0.ts": "d",
    });
    const catalog = await loadCatalog({
      mediaDir: DEFAULT_MEDIA_DIR,
      hlsDirs: [{ name: "mine", path: dir }],
    });
    const stream = catalog.streams.get("mine");
    expect(stream?.masterPlaylist).toBe(
      "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nstream_0/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nsub/index.m3u8\n" +
        "#EXT-X-STREAM-INF:BANDWIDTH=3\nstream_0/index.m3u8\n",
    );
    const keys = stream?.renditions.get("stream_0")?.segments.map((segment) => segment.key);
    expect(keys).toEqual(["s0_0.ts", "s0_0-2.ts", "seg-2.ts"]);
    expect(stream?.renditions.get("stream_0")?.vodPlaylist).toMatch(
      /#EXTINF:2.0,\n#EXT-X-NEARCAST-SHA256:[0-9a-f]{64}\ns0_0-2.ts\n/,
    );
    expect(stream?.renditions.get("sub")?.segments[0]?.filePath).toBe(path.join(dir, "s1_0.ts"));
  });

  it.each([
    ["../outside.ts", /not a relative path inside/],
    ["/etc/passwd", /not a relative path inside/],
    ["http://example.com/a.ts", /not a relative path inside/],
    ["%2e%2e/outside.ts", /not a relative path inside/],
    ["missing.ts", /media file missing: .*missing\.ts/],
  ])("refuses a playlist URI %j", async (uri, message) => {
    writeFileSync(path.join(scratch, "outside.ts"), "secret");
    const dir = folder(`bad-${uri.length}`, { "index.m3u8": media(uri) });
    await expect(loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: dir }] })).rejects.toThrow(
      message,
    );
  });

  it("needs a master playlist or a single media playlist", async () => {
    const dir = folder("two", { "a.m3u8": media("x.ts"), "b.m3u8": media("x.ts"), "x.ts": "x" });
    await expect(loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: dir }] })).rejects.toThrow(
      /has 2 playlists and 0 master playlists/,
    );
    const empty = folder("empty", { "readme.txt": "" });
    await expect(loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: empty }] })).rejects.toThrow(
      /no \.m3u8 playlist in HLS folder .*empty/,
    );
  });

  it("refuses stream names that clash or are invalid", async () => {
    const dir = folder("demo", { "index.m3u8": media("x.ts"), "x.ts": "x" });
    await expect(loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: dir }] })).rejects.toThrow(
      /stream name "demo" is already used/,
    );
    await expect(
      loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ name: "..", path: dir }] }),
    ).rejects.toThrow(/not a valid stream name/);
  });
});

describe("loadCatalog errors", () => {
  it("names a missing media folder", async () => {
    const error = await loadCatalog({ mediaDir: "/nonexistent/media" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as Error).message).toContain("/nonexistent/media");
  });

  it("names a media folder without streams", async () => {
    const dir = folder("no-streams", { "x/readme.txt": "" });
    await expect(loadCatalog({ mediaDir: dir })).rejects.toThrow(
      `no HLS stream (a subfolder with master.m3u8) found in media folder ${dir}`,
    );
  });

  it("names a missing --hls-dir folder", async () => {
    await expect(
      loadCatalog({ mediaDir: DEFAULT_MEDIA_DIR, hlsDirs: [{ path: "/nonexistent/hls" }] }),
    ).rejects.toThrow("/nonexistent/hls");
  });
});
