import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { digestFolder, runDigestsCommand } from "../../../demo-server/src/cli/digests-command.js";
import { withDigests } from "../../../demo-server/src/origin/playlist-digests.js";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "integrity-digests-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const ALL = new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 7) % 251));
const BYTERANGE_PLAYLIST = [
  "#EXTM3U",
  "#EXT-X-VERSION:7",
  "#EXT-X-TARGETDURATION:2",
  '#EXT-X-MAP:URI="all.mp4",BYTERANGE="100@0"',
  "#EXTINF:2.0,",
  "#EXT-X-BYTERANGE:900@100",
  "all.mp4",
  "#EXTINF:2.0,",
  "#EXT-X-BYTERANGE:1000",
  "all.mp4",
  "#EXTINF:2.0,",
  "other.ts",
  "#EXT-X-ENDLIST",
  "",
].join("\n");

describe("origin digests", () => {
  it("hashes byte ranges, including EXT-X-BYTERANGE without an offset (RFC 8216 §4.3.2.2)", async () => {
    const other = new Uint8Array([1, 2, 3]);
    const dir = folder({ "all.mp4": ALL, "other.ts": other, "index.m3u8": BYTERANGE_PLAYLIST });
    const [result] = await digestFolder(dir);
    expect(result).toMatchObject({ segments: 3, initSegments: 1, changed: true });
    const text = readFileSync(path.join(dir, "index.m3u8"), "utf8");
    const digests = [...text.matchAll(/^#EXT-X-NEARCAST-(?:MAP-)?SHA256:(\w+)$/gm)].map((m) => m[1]);
    expect(digests).toEqual([
      sha(ALL.subarray(0, 100)),
      sha(ALL.subarray(100, 1000)),
      sha(ALL.subarray(1000, 2000)),
      sha(other),
    ]);
    // Idempotent: a second run changes nothing, and --check agrees.
    expect((await digestFolder(dir))[0]?.changed).toBe(false);
    const out: string[] = [];
    expect(
      await runDigestsCommand(
        [dir, "--check"],
        (l) => out.push(l),
        () => {},
      ),
    ).toBe(0);
    expect(out[0]).toMatch(/3 segments, 1 init segments — up to date/);
  });

  it("--check exits 1 for missing digests and writes nothing", async () => {
    const dir = folder({ "all.mp4": ALL, "other.ts": new Uint8Array([1]), "index.m3u8": BYTERANGE_PLAYLIST });
    const out: string[] = [];
    const code = await runDigestsCommand(
      [dir, "--check"],
      (l) => out.push(l),
      () => {},
    );
    expect(code).toBe(1);
    expect(out[0]).toMatch(/missing or stale digests/);
    expect(readFileSync(path.join(dir, "index.m3u8"), "utf8")).toBe(BYTERANGE_PLAYLIST);
  });

  it("replaces stale digests rather than adding a second tag", () => {
    const stale = BYTERANGE_PLAYLIST.replace(
      "other.ts",
      "#EXT-X-NEARCAST-SHA256:" + "0".repeat(64) + "\nother.ts",
    );
    const text = withDigests(stale, () => "f".repeat(64));
    expect(text).not.toContain("0".repeat(64));
    expect(text.match(/#EXT-X-NEARCAST-SHA256:/g)).toHaveLength(3);
  });

  it("refuses remote, absolute, escaping and missing URIs with a message naming them; errors exit 2", async () => {
    for (const [uri, message] of [
      ["https://cdn/x.ts", /not a relative path/],
      ["/etc/passwd", /not a relative path/],
      ["../outside.ts", /outside/],
      ["missing.ts", /media file missing/],
    ] as const) {
      const dir = folder({ "index.m3u8": `#EXTM3U\n#EXTINF:2,\n${uri}\n` });
      await expect(digestFolder(dir)).rejects.toThrow(message);
      const errors: string[] = [];
      expect(
        await runDigestsCommand(
          [dir],
          () => {},
          (l) => errors.push(l),
        ),
      ).toBe(2);
      expect(errors[0]).toContain(uri);
    }
    const bad = folder({ "a.ts": "x", "index.m3u8": "#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:99@5\na.ts\n" });
    await expect(digestFolder(bad)).rejects.toThrow(/past the end/);
    expect(
      await runDigestsCommand(
        [],
        () => {},
        () => {},
      ),
    ).toBe(2);
    expect(
      await runDigestsCommand(
        [folder({})],
        () => {},
        () => {},
      ),
    ).toBe(2);
  });
});
