import { describe, expect, it } from "vitest";
import { defaultStreamKey } from "../../../sdk/src/engine/segment-identity.js";
import { renditionKey, toSegmentRequest, type HlsLike } from "../../../sdk/src/hlsjs/segment-mapping.js";

const hls: HlsLike = {
  levels: [
    { bitrate: 400_000, width: 426, height: 240, codecSet: "avc1,mp4a", details: { live: true } },
    { bitrate: 800_000, width: 640, height: 360, codecSet: "avc1,mp4a", details: { live: false } },
  ],
  audioTracks: [{ groupId: "aud", name: "English", lang: "en" }],
};
const frag = (sn: number | "initSegment", level = 0, type = "main") => ({
  type,
  sn,
  level,
  start: 10,
  duration: 2,
  url: "https://cdn.example/s/360p/seg-5.ts?token=abc",
});

describe("segment mapping", () => {
  it("keys a stream by its manifest URL without fragment and per-viewer parameters", () => {
    expect(defaultStreamKey("https://a/b.m3u8?token=1#x")).toBe("https://a/b.m3u8");
    expect(defaultStreamKey("https://a/b.m3u8#x")).toBe("https://a/b.m3u8");
    expect(defaultStreamKey("https://a/b.m3u8")).toBe("https://a/b.m3u8");
    // A query that selects the video stays: two videos behind one path are two streams.
    expect(defaultStreamKey("https://a/watch/index.m3u8?v=A&token=x")).toBe("https://a/watch/index.m3u8?v=A");
    expect(defaultStreamKey("https://a/watch/index.m3u8?v=A")).not.toBe(
      defaultStreamKey("https://a/watch/index.m3u8?v=B"),
    );
    // CDN signatures (CloudFront, Akamai, S3) and the CMCD query never split a swarm.
    expect(
      defaultStreamKey(
        "https://a/m.m3u8?Policy=p&Signature=s&Key-Pair-Id=k&hdnts=x&X-Amz-Signature=y&CMCD=sid%3D%22z%22",
      ),
    ).toBe("https://a/m.m3u8");
    expect(defaultStreamKey("not a url?v=1&sig=2#f")).toBe("not a url?v=1");
  });

  it("gives every viewer the same ids whatever their CDN tokens", () => {
    const a = toSegmentRequest(hls, "https://cdn/s/master.m3u8", frag(1234), "https://cdn/seg.ts?token=a");
    const b = toSegmentRequest(hls, "https://cdn/s/master.m3u8", frag(1234), "https://cdn/seg.ts?token=b");
    expect(a?.id).toMatch(/^s[0-9a-f]{24}$/);
    expect(a?.id).toBe(b?.id);
    expect(a?.swarmKey).toBe(b?.swarmKey);
    expect(a?.live).toBe(true);
    expect(a?.url).toBe("https://cdn/seg.ts?token=a");
  });

  it("puts each rendition in its own swarm", () => {
    const low = toSegmentRequest(hls, "k", frag(1, 0), "u");
    const high = toSegmentRequest(hls, "k", frag(1, 1), "u");
    expect(low?.swarmKey).not.toBe(high?.swarmKey);
    expect(high?.live).toBe(false);
  });

  it("names init segments by URL and byte-range segments by range", () => {
    const initA = toSegmentRequest(hls, "k", frag("initSegment"), "https://c/init.mp4?token=1")?.id;
    expect(initA).toMatch(/^i[0-9a-f]{24}$/);
    expect(toSegmentRequest(hls, "k", frag("initSegment"), "https://c/init.mp4?token=2")?.id).toBe(initA);
    const ranged = toSegmentRequest(hls, "k", frag(3), "https://c/all.ts", 1000, 5000);
    expect(ranged?.id).not.toBe(toSegmentRequest(hls, "k", frag(3), "https://c/all.ts", 5000, 9000)?.id);
    expect(ranged?.id).not.toBe(toSegmentRequest(hls, "k", frag(3), "https://c/all.ts")?.id);
    expect(ranged?.byteRange).toEqual({ start: 1000, end: 5000 });
  });

  it("treats hls.js's rangeStart 0 / rangeEnd 0 as a whole-file load, and a range from 0 as a range", () => {
    const whole = toSegmentRequest(hls, "k", frag(3), "u", 0, 0);
    expect(whole?.byteRange).toBeUndefined();
    expect(whole?.id).toBe(toSegmentRequest(hls, "k", frag(3), "u")?.id);
    const fromZero = toSegmentRequest(hls, "k", frag("initSegment"), "u", 0, 1353);
    expect(fromZero?.byteRange).toEqual({ start: 0, end: 1353 });
    expect(fromZero?.id).not.toBe(toSegmentRequest(hls, "k", frag("initSegment"), "u")?.id);
  });

  it("keys audio tracks by group, name and language, and leaves subtitles to hls.js", () => {
    expect(renditionKey(hls, frag(1, 0, "audio"))).toBe("a-aud-English-en");
    expect(toSegmentRequest(hls, "k", frag(1, 0, "subtitle"), "u")).toBeUndefined();
    expect(toSegmentRequest(hls, "k", frag(1, 9), "u")).toBeUndefined();
  });
});
