// The test origin's generated streams are what the identity and LL-HLS browser tests stand on: their
// playlists must say what those tests assume.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { restartPlaylist } from "../../support/identity-streams.js";
import { livePlaylist, parseSourcePlaylist } from "../../support/live-window.js";
import { lowLatencyPlaylist, partsProduced, readLowLatencySource } from "../../support/ll-stream.js";
import { TEST_MEDIA_DIR } from "../../support/test-origin.js";

const source = (dir: string) =>
  parseSourcePlaylist(readFileSync(path.join(TEST_MEDIA_DIR, dir, "index.m3u8"), "utf8"));

describe("looping live playlist", () => {
  it("gives every segment one discontinuity sequence number in every refresh (RFC 8216 §4.3.3.3)", () => {
    const loop = source("fmp4-ladder/144p");
    const loopLength = loop.entries.length;
    const seen = new Map<number, number>();
    for (let nowMs = 0; nowMs <= 3 * loopLength * 2000; nowMs += 500) {
      const lines = livePlaylist(loop, nowMs, { startMs: 0, windowSegments: 6 }).split("\n");
      let msn = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(lines.join("\n"))?.[1]);
      let discontinuity = Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(lines.join("\n"))?.[1]);
      for (const line of lines) {
        if (line === "#EXT-X-DISCONTINUITY") discontinuity++;
        else if (line !== "" && !line.startsWith("#")) {
          expect(seen.get(msn) ?? discontinuity, `msn ${msn} at ${nowMs} ms`).toBe(discontinuity);
          seen.set(msn, discontinuity);
          // Each pass over the source is one discontinuity further on.
          expect(discontinuity, `msn ${msn}`).toBe(Math.floor(msn / loopLength));
          msn++;
        }
      }
    }
    expect(seen.size).toBeGreaterThan(2 * loopLength);
  });
});

describe("encoder-restart playlist", () => {
  const a = source("fmp4-ladder/144p");
  const b = source("fmp4-b/144p");
  const timeline = { startMs: 0, restartMs: 20_000 };
  const at = (nowMs: number, digests = false) =>
    restartPlaylist(a, b, timeline, nowMs, 6, (run, uri) => (digests ? `${run}:${uri}` : undefined));

  it("lists A's window, then B from sequence 0 after a discontinuity and a new map, then ends", () => {
    const before = at(19_999);
    expect(before).toContain("#EXT-X-MEDIA-SEQUENCE:3");
    expect(before).not.toContain("#EXT-X-DISCONTINUITY\n");
    expect(before).toContain(
      "#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:06.000Z\n#EXTINF:2.000000,\nseg-003.m4s",
    );
    const after = at(22_000);
    expect(after).toContain("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0");
    expect(after).toMatch(
      /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init.mp4"\n#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:20.000Z/,
    );
    // The restart's discontinuity, once out of the window, is counted in the sequence.
    expect(at(36_000)).toContain("#EXT-X-MEDIA-SEQUENCE:2\n#EXT-X-DISCONTINUITY-SEQUENCE:1");
    expect(at(40_000)).toMatch(/seg-009\.m4s\n#EXT-X-ENDLIST\n$/);
    expect(at(30_000, true)).toContain("#EXT-X-NEARCAST-SHA256:B:seg-004.m4s\nseg-004.m4s");
  });
});

describe("LL-HLS playlist", () => {
  const segments = readLowLatencySource();
  it("cuts every segment file into 5 parts at its moof boxes", () => {
    expect(segments).toHaveLength(10);
    for (const s of segments) {
      expect(s.parts).toHaveLength(5);
      expect(s.parts[0]![0]).toBe(0);
      for (let i = 1; i < 5; i++) expect(s.parts[i]![0]).toBe(s.parts[i - 1]![1]);
    }
  });

  it("lists parts of the last 3 segments and of the one in progress, as URIs or byte ranges", () => {
    const nowMs = 10 * 2000 + 3 * 400; // 10 segments complete, 3 parts of msn 10
    expect(partsProduced(nowMs, 0)).toBe(53);
    const uri = lowLatencyPlaylist(segments, nowMs, { shape: "uri", startMs: 0 });
    expect(uri).toContain("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.2");
    expect(uri).toContain("#EXT-X-PART-INF:PART-TARGET=0.4");
    expect(uri).toContain("#EXT-X-MEDIA-SEQUENCE:4\n#EXT-X-DISCONTINUITY-SEQUENCE:0");
    // msn 10 (source segment 0 again) starts a new pass: a discontinuity, then its 3 parts so far.
    expect(uri).toMatch(
      /seg-009\.m4s\n#EXT-X-DISCONTINUITY\n#EXT-X-PART:DURATION=0\.40000,URI="part-000\.0\.m4s",INDEPENDENT=YES\n.*part-000\.1\.m4s.*\n.*part-000\.2\.m4s"\n$/,
    );
    expect(uri.match(/#EXT-X-PART:/g)).toHaveLength(3 * 5 + 3);
    const range = lowLatencyPlaylist(segments, nowMs, { shape: "range", startMs: 0 });
    const [start, end] = segments[7]!.parts[1]!;
    expect(range).toContain(`URI="seg-007.m4s",BYTERANGE="${end - start}@${start}"\n`);
  });
});
