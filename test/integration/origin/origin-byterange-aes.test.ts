// The demo origin serves byte-range and AES-128 streams from --hls-dir folders (as VOD): a shared
// media file under one name with Range support, the init segment's byte range, the keys. Checked
// over real HTTP against the files on disk, with the coverage-matrix media.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { TEST_MEDIA_DIR } from "../../support/test-origin.js";

let server: RunningServer | undefined;

beforeAll(async () => {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    hlsDirs: ["ts-single", "fmp4-single", "aes"].map((name) => ({
      name,
      path: path.join(TEST_MEDIA_DIR, name),
    })),
  });
});
afterAll(async () => server?.close());

async function text(url: string): Promise<string> {
  const response = await fetch(`${server!.url}${url}`);
  expect(response.status, url).toBe(200);
  return response.text();
}

async function range(url: string, start: number, endExclusive: number): Promise<Buffer> {
  const response = await fetch(`${server!.url}${url}`, {
    headers: { Range: `bytes=${start}-${endExclusive - 1}` },
  });
  expect(response.status, `${url} ${start}-${endExclusive}`).toBe(206);
  return Buffer.from(await response.arrayBuffer());
}

/** [file, start, end) of every byte range in a playlist, offsets continued where omitted (RFC 8216 §4.3.2.2). */
function ranges(playlist: string): [string, number, number][] {
  const out: [string, number, number][] = [];
  let pending: [number, number] | undefined;
  let next = 0;
  for (const line of playlist.split("\n")) {
    const map = /^#EXT-X-MAP:URI="([^"]+)",BYTERANGE="(\d+)@(\d+)"/.exec(line);
    if (map) out.push([map[1]!, Number(map[3]), Number(map[3]) + Number(map[2])]);
    const byterange = /^#EXT-X-BYTERANGE:(\d+)(?:@(\d+))?/.exec(line);
    if (byterange) {
      const start = byterange[2] !== undefined ? Number(byterange[2]) : next;
      pending = [start, start + Number(byterange[1])];
      next = pending[1];
    } else if (pending && line && !line.startsWith("#")) {
      out.push([line, ...pending]);
      pending = undefined;
    }
  }
  return out;
}

describe("demo origin: byte-range and encrypted --hls-dir streams", () => {
  it.each(["ts-single", "fmp4-single"])(
    "serves every byte range of %s from one shared file",
    async (name) => {
      const playlist = await text(`/streams/${name}/vod/144p/index.m3u8`);
      const list = ranges(playlist);
      expect(list.length).toBeGreaterThanOrEqual(10);
      const sourceFile = list[0]![0];
      const source = readFileSync(path.join(TEST_MEDIA_DIR, name, "144p", sourceFile));
      for (const [file, start, end] of list) {
        expect(file).toBe(sourceFile);
        expect(
          (await range(`/streams/${name}/vod/144p/${file}`, start, end)).equals(source.subarray(start, end)),
        ).toBe(true);
      }
      expect(list[list.length - 1]![2]).toBe(source.length);
    },
  );

  it("serves AES-128 keys and encrypted segments byte for byte", async () => {
    const playlist = await text("/streams/aes/vod/144p/index.m3u8");
    const keys = [...playlist.matchAll(/#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"/g)].map((m) => m[1]!);
    expect(keys).toEqual(["key-0.bin", "key-1.bin", "key-2.bin", "key-3.bin"]);
    const segments = playlist.split("\n").filter((line) => line.endsWith(".ts"));
    expect(segments).toHaveLength(10);
    for (const segment of segments) {
      const response = await fetch(`${server!.url}/streams/aes/vod/144p/${segment}`);
      const body = Buffer.from(await response.arrayBuffer());
      expect(body.equals(readFileSync(path.join(TEST_MEDIA_DIR, "aes/144p", segment))), segment).toBe(true);
    }
    for (const key of keys) {
      const response = await fetch(`${server!.url}/streams/aes/vod/144p/${key}`);
      expect(
        Buffer.from(await response.arrayBuffer()).equals(
          readFileSync(path.join(TEST_MEDIA_DIR, "aes/144p", key)),
        ),
      ).toBe(true);
    }
  });

  it("refuses a live version with a message that says why", async () => {
    for (const name of ["ts-single", "aes"]) {
      const response = await fetch(`${server!.url}/streams/${name}/live/master.m3u8`);
      expect(response.status).toBe(404);
      expect(await response.text()).toMatch(/served as VOD only/);
    }
  });
});
