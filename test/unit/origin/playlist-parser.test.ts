import { describe, expect, it } from "vitest";
import {
  isMasterPlaylist,
  parseAttributeList,
  parseMasterPlaylist,
  parseMediaPlaylist,
  PlaylistParseError,
  replaceUriAttribute,
} from "../../../demo-server/src/origin/playlist-parser.js";

const MASTER = `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",DEFAULT=YES,URI="audio/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=337648,RESOLUTION=426x240,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aud"
240p/index.m3u8

#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=80000,URI="iframes.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=564752,RESOLUTION=640x360
360p/index.m3u8
`;

const MEDIA = `\uFEFF#EXTM3U\r
#EXT-X-VERSION:7\r
#EXT-X-TARGETDURATION:2\r
#EXT-X-MEDIA-SEQUENCE:5\r
#EXT-X-PLAYLIST-TYPE:VOD\r
#EXT-X-INDEPENDENT-SEGMENTS\r
#EXT-X-MAP:URI="init.mp4"\r
#EXTINF:2.000000,\r
seg-00000.m4s\r
#EXT-X-DISCONTINUITY\r
#EXTINF:1.5,title\r
seg-00001.m4s\r
#EXT-X-ENDLIST\r
`;

describe("parseAttributeList", () => {
  it("reads quoted values with commas and bare values", () => {
    const attributes = parseAttributeList('BANDWIDTH=1000,CODECS="avc1.4d401e,mp4a.40.2",RESOLUTION=640x360');
    expect(Object.fromEntries(attributes)).toEqual({
      BANDWIDTH: "1000",
      CODECS: "avc1.4d401e,mp4a.40.2",
      RESOLUTION: "640x360",
    });
  });
});

describe("parseMasterPlaylist", () => {
  it("finds stream variants, alternate renditions and I-frame playlists", () => {
    const master = parseMasterPlaylist(MASTER);
    expect(master.variants.map((variant) => [variant.kind, variant.uri])).toEqual([
      ["media", "audio/en.m3u8"],
      ["stream-inf", "240p/index.m3u8"],
      ["stream-inf", "360p/index.m3u8"],
    ]);
    expect(master.variants[1]?.attributes.get("CODECS")).toBe("avc1.4d401e,mp4a.40.2");
    expect(master.lines[master.variants[2]?.lineIndex ?? -1]).toBe("360p/index.m3u8");
    expect(master.iFrameLineIndexes).toEqual([6]);
  });

  it("rejects text that is not a master playlist", () => {
    expect(() => parseMasterPlaylist("not a playlist", "x.m3u8")).toThrow(/x\.m3u8: missing #EXTM3U/);
    expect(() => parseMasterPlaylist("#EXTM3U\n#EXT-X-VERSION:3\n")).toThrow(PlaylistParseError);
  });

  it("tells master from media playlists", () => {
    expect(isMasterPlaylist(MASTER)).toBe(true);
    expect(isMasterPlaylist(MEDIA)).toBe(false);
  });
});

describe("parseMediaPlaylist", () => {
  it("reads segments, durations, init segment and header tags (BOM and CRLF tolerated)", () => {
    const playlist = parseMediaPlaylist(MEDIA);
    expect(playlist).toMatchObject({
      version: 7,
      targetDurationSec: 2,
      mediaSequence: 5,
      independentSegments: true,
      endList: true,
      init: { uri: "init.mp4", lineIndex: 6 },
    });
    expect(playlist.segments).toEqual([
      { uri: "seg-00000.m4s", lineIndex: 8, durationSec: 2, discontinuity: false },
      { uri: "seg-00001.m4s", lineIndex: 11, durationSec: 1.5, discontinuity: true },
    ]);
  });

  it.each([
    ["#EXTM3U\n#EXTINF:2,\n", /no segments/],
    ["#EXTM3U\nseg.ts\n", /has no #EXTINF/],
    ["#EXTM3U\n#EXTINF:abc,\nseg.ts\n", /invalid #EXTINF duration/],
    ["#EXTM3U\n#EXTINF:0,\nseg.ts\n", /must be > 0/],
    ["#EXTM3U\n#EXT-X-KEY:METHOD=AES-128\n#EXTINF:2,\nseg.ts\n", /EXT-X-KEY without URI/],
    [
      '#EXTM3U\n#EXT-X-MAP:URI="a.mp4"\n#EXTINF:2,\na.m4s\n#EXT-X-MAP:URI="b.mp4"\n#EXTINF:2,\nb.m4s\n',
      /more than one/,
    ],
  ])("rejects %j", (text, message) => {
    expect(() => parseMediaPlaylist(text)).toThrow(message);
  });

  it("accepts byte ranges (with and without offset, and on EXT-X-MAP) and records key URIs", () => {
    const ranged = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-MAP:URI="all.mp4",BYTERANGE="100@0"\n#EXTINF:2,\n#EXT-X-BYTERANGE:500@100\nall.mp4\n' +
        "#EXTINF:2,\n#EXT-X-BYTERANGE:400\nall.mp4\n",
    );
    expect(ranged.byteRanges).toBe(true);
    expect(ranged.segments.map((s) => s.uri)).toEqual(["all.mp4", "all.mp4"]);
    const encrypted = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI="k0.bin",IV=0x01\n#EXTINF:2,\na.ts\n#EXT-X-KEY:METHOD=AES-128,URI="k1.bin"\n#EXTINF:2,\nb.ts\n',
    );
    expect(encrypted.keys.map((k) => k.uri)).toEqual(["k0.bin", "k1.bin"]);
    expect(encrypted.byteRanges).toBe(false);
  });

  it("accepts an explicit unencrypted key", () => {
    expect(parseMediaPlaylist("#EXTM3U\n#EXT-X-KEY:METHOD=NONE\n#EXTINF:2,\nseg.ts\n").segments).toHaveLength(
      1,
    );
  });
});

describe("replaceUriAttribute", () => {
  it("replaces only the URI attribute", () => {
    expect(replaceUriAttribute('#EXT-X-MAP:URI="../x/init.mp4",BYTERANGE="1@0"', "init.mp4")).toBe(
      '#EXT-X-MAP:URI="init.mp4",BYTERANGE="1@0"',
    );
  });
});
