import { describe, expect, it } from "vitest";
import {
  indexMediaPlaylist,
  masterPlaylistUris,
  PlaylistIndexError,
} from "../../../demo-server/src/digests/playlist-index.js";

describe("indexMediaPlaylist", () => {
  it("lists segments and init segments with RFC 8216 byte ranges (offset continues per URI)", () => {
    const text = [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:4",
      '#EXT-X-MAP:URI="main.mp4",BYTERANGE="720@0"',
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:1000@720",
      "main.mp4",
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:500",
      "main.mp4",
      "#EXT-X-PROGRAM-DATE-TIME:2024-01-01T00:00:08.000Z",
      "#EXTINF:4,",
      "other.ts",
      "#EXT-X-ENDLIST",
    ].join("\n");
    const index = indexMediaPlaylist(text, 100);
    expect(index.targetDurationSec).toBe(4);
    expect(index.ended).toBe(true);
    expect(index.entries).toEqual([
      { kind: "init", uri: "main.mp4", range: [0, 720], programDateTime: undefined },
      { kind: "media", uri: "main.mp4", range: [720, 1720], programDateTime: undefined },
      { kind: "media", uri: "main.mp4", range: [1720, 2220], programDateTime: undefined },
      { kind: "media", uri: "other.ts", range: undefined, programDateTime: "2024-01-01T00:00:08.000Z" },
    ]);
  });

  it("keeps the newest entries beyond the bound and reads a live playlist as not ended", () => {
    const lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:2"];
    for (let i = 0; i < 5; i++) lines.push("#EXTINF:2,", `s${i}.ts`);
    const index = indexMediaPlaylist(lines.join("\n"), 2);
    expect(index.ended).toBe(false);
    expect(index.entries.map((entry) => entry.uri)).toEqual(["s3.ts", "s4.ts"]);
  });

  it("treats EXT-X-PLAYLIST-TYPE:VOD as ended", () => {
    expect(indexMediaPlaylist("#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2,\na.ts\n", 10).ended).toBe(true);
  });

  it("refuses text that is no media playlist, and malformed byte ranges", () => {
    expect(() => indexMediaPlaylist("<html>", 10)).toThrow(PlaylistIndexError);
    expect(() => indexMediaPlaylist("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n", 10)).toThrow(
      PlaylistIndexError,
    );
    expect(() => indexMediaPlaylist("#EXTM3U\n#EXTINF:2,\n#EXT-X-BYTERANGE:x@1\na.ts\n", 10)).toThrow(
      PlaylistIndexError,
    );
  });
});

describe("masterPlaylistUris", () => {
  it("lists variants and alternate renditions with a URI", () => {
    const text = [
      "#EXTM3U",
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="cc",INSTREAM-ID="CC1"',
      '#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO="a"',
      "v/360p.m3u8?v=1",
      "#EXT-X-STREAM-INF:BANDWIDTH=1600000",
      "",
      "v/720p.m3u8",
    ].join("\n");
    expect(masterPlaylistUris(text)).toEqual(["audio/en.m3u8", "v/360p.m3u8?v=1", "v/720p.m3u8"]);
  });
});
