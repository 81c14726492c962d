import { describe, expect, it } from "vitest";
import { parseSha256Hex, sha256Hex, verificationProblem } from "../../../sdk/src/core/integrity.js";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import {
  contentQuery,
  defaultSegmentUrlKey,
  defaultStreamKey,
  isPerViewerParam,
  digestFromTags,
  MAP_DIGEST_TAG,
  SEGMENT_DIGEST_TAG,
} from "../../../sdk/src/engine/segment-identity.js";
import { toSegmentRequest, type FragLike, type HlsLike } from "../../../sdk/src/hlsjs/segment-mapping.js";

const DIGEST_A = "a".repeat(64);
const DIGEST_B = "0123456789abcdef".repeat(4);
const hls: HlsLike = {
  levels: [{ bitrate: 1, width: 2, height: 3, details: { live: true } }],
  audioTracks: [],
};
const frag = (sn: number | "initSegment", extra: Partial<FragLike> = {}): FragLike => ({
  type: "main",
  sn,
  level: 0,
  start: 0,
  duration: 2,
  url: "https://cdn/v/seg.ts",
  ...extra,
});
const idOf = (f: FragLike, url: string, rangeStart?: number, rangeEnd?: number) =>
  toSegmentRequest(hls, "stream", f, url, rangeStart, rangeEnd)?.id;

describe("segment identity", () => {
  it("binds the URL path and content-naming query, not the media sequence number or tokens", () => {
    // Per-session numbering (ad insertion): same URI, different sequence numbers → same segment.
    expect(idOf(frag(120), "https://cdn/v/seg9.ts?token=1")).toBe(
      idOf(frag(7), "https://cdn/v/seg9.ts?token=2"),
    );
    // Two videos behind one path, chosen by query: different segments.
    expect(idOf(frag(1), "https://cdn/v/seg9.ts?v=A")).not.toBe(idOf(frag(1), "https://cdn/v/seg9.ts?v=B"));
    // Encoder restart: the same number for a different URI → a different segment.
    expect(idOf(frag(0), "https://cdn/v/a-0.ts")).not.toBe(idOf(frag(0), "https://cdn/v/b-0.ts"));
    // Multi-CDN: hosts differ, the path names the bytes.
    expect(idOf(frag(1), "https://cdn-a/v/s.ts")).toBe(idOf(frag(1), "https://cdn-b/v/s.ts"));
    expect(defaultSegmentUrlKey("https://x/a/b.ts?token=1#f")).toBe("/a/b.ts");
    expect(defaultSegmentUrlKey("https://x/a/b.ts?v=A&CMCD=bl%3D200&_=123#f")).toBe("/a/b.ts?v=A");
  });

  it("names an interstitial asset alike for every viewer (hls.js adds the session to its URL)", () => {
    expect(defaultStreamKey("https://ads/a/master.m3u8?_HLS_primary_id=3f2a&c=9")).toBe(
      "https://ads/a/master.m3u8?c=9",
    );
    expect(defaultStreamKey("https://ads/list.json?_HLS_start_offset=4.2")).toBe("https://ads/list.json");
  });

  it("never throws on odd URLs and query strings", () => {
    expect(defaultSegmentUrlKey("seg.ts?v=1&&token=2#x")).toBe("seg.ts?v=1");
    expect(defaultSegmentUrlKey("seg.ts?%E0%A4%A=1")).toBe("seg.ts?%E0%A4%A=1");
    expect(defaultSegmentUrlKey("")).toBe("");
    expect(defaultSegmentUrlKey("https://x/a.ts?")).toBe("/a.ts");
    expect(isPerViewerParam("X-Amz-Credential")).toBe(true);
    expect(isPerViewerParam("wowzatokenhash")).toBe(true);
    expect(isPerViewerParam("video")).toBe(false);
    expect(contentQuery("?a=1&token=2&b")).toBe("?a=1&b");
  });

  it("binds the segment's own EXT-X-PROGRAM-DATE-TIME (encoder restart reusing names)", () => {
    const before = frag(3, { rawProgramDateTime: "2026-12-01T03:00:06.000Z" });
    const after = frag(3, { rawProgramDateTime: "2026-12-01T03:01:10.000Z" });
    expect(idOf(before, "https://c/seg-003.m4s")).not.toBe(idOf(after, "https://c/seg-003.m4s"));
    // Same tag → same segment, whatever the sequence number (per-session numbering).
    const again = frag(93, { rawProgramDateTime: "2026-12-01T03:00:06.000Z" });
    expect(idOf(before, "https://c/seg-003.m4s")).toBe(idOf(again, "https://c/seg-003.m4s"));
    // No tag of its own: nothing to bind; null (hls.js) and undefined agree.
    expect(idOf(frag(3, { rawProgramDateTime: null }), "https://c/s.m4s")).toBe(
      idOf(frag(3), "https://c/s.m4s"),
    );
    // Init segments are named by URL, range and MAP digest only.
    const init = frag("initSegment", { rawProgramDateTime: "2026-12-01T03:00:06.000Z" });
    expect(idOf(init, "https://c/init.mp4")).toBe(idOf(frag("initSegment"), "https://c/init.mp4"));
  });

  it("lets a hook choose the URL key (tokenised paths)", () => {
    const key = (url: string) => url.replace(/\/tok-[^/]+\//, "/");
    const a = toSegmentRequest(hls, "s", frag(1), "https://c/tok-1/x.ts", undefined, undefined, {
      segmentUrlKey: key,
    });
    const b = toSegmentRequest(hls, "s", frag(1), "https://c/tok-2/x.ts", undefined, undefined, {
      segmentUrlKey: key,
    });
    expect(a?.id).toBe(b?.id);
    expect(idOf(frag(1), "https://c/tok-1/x.ts")).not.toBe(idOf(frag(1), "https://c/tok-2/x.ts"));
  });

  it("binds the byte range, including ranges that start at 0", () => {
    const whole = idOf(frag(1), "https://c/all.ts");
    const first = idOf(frag(1, { byteRange: [0, 500] }), "https://c/all.ts", 0, 500);
    const second = idOf(frag(2, { byteRange: [500, 900] }), "https://c/all.ts", 500, 900);
    expect(new Set([whole, first, second]).size).toBe(3);
    expect(idOf(frag(1, { byteRange: [40, 40] }), "https://c/all.ts", 40, 40)).toBeUndefined();
  });

  it("binds the published digest: different content under one URI never matches", () => {
    const withA = frag(5, {
      tagList: [
        ["INF", "2"],
        [SEGMENT_DIGEST_TAG, DIGEST_A],
      ],
    });
    const withB = frag(5, { tagList: [[SEGMENT_DIGEST_TAG, DIGEST_B.toUpperCase()]] });
    const a = toSegmentRequest(hls, "s", withA, "https://c/seg5.ts");
    const b = toSegmentRequest(hls, "s", withB, "https://c/seg5.ts");
    expect(a?.sha256).toBe(DIGEST_A);
    expect(b?.sha256).toBe(DIGEST_B);
    expect(a?.id).not.toBe(b?.id);
  });

  it("finds an init segment's digest next to the EXT-X-MAP that uses it", () => {
    const init = { url: "https://c/init.mp4", byteRange: [] as [] };
    const details = {
      live: false,
      fragments: [
        { initSegment: init, tagList: [[MAP_DIGEST_TAG, DIGEST_A]] },
        { initSegment: init, tagList: [] },
      ],
    };
    const withDetails: HlsLike = { levels: [{ bitrate: 1, width: 2, height: 3, details }], audioTracks: [] };
    const request = toSegmentRequest(withDetails, "s", frag("initSegment", init), init.url);
    expect(request?.sha256).toBe(DIGEST_A);
    expect(request?.id).toMatch(/^i/);
  });

  it("refuses P2P for a digest-covered range hls.js widened (AES-128 padding)", () => {
    const f = frag(1, { byteRange: [100, 190], tagList: [[SEGMENT_DIGEST_TAG, DIGEST_A]] });
    expect(idOf(f, "https://c/all.ts", 84, 196)).toBeUndefined();
    expect(idOf(f, "https://c/all.ts", 100, 190)).toBeDefined();
  });
});

describe("digest parsing", () => {
  it("ignores missing, malformed and wrong-length digests with a warning, never throwing", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    expect(digestFromTags(undefined, SEGMENT_DIGEST_TAG, warn)).toBeUndefined();
    expect(digestFromTags([["OTHER", "x"]], SEGMENT_DIGEST_TAG, warn)).toBeUndefined();
    expect(warnings).toEqual([]);
    for (const bad of ["abc", "g".repeat(64), "a".repeat(63), "a".repeat(65), "", undefined]) {
      const tags = bad === undefined ? [[SEGMENT_DIGEST_TAG]] : [[SEGMENT_DIGEST_TAG, bad]];
      expect(digestFromTags(tags, SEGMENT_DIGEST_TAG, warn)).toBeUndefined();
    }
    expect(warnings).toHaveLength(6);
    expect(warnings[2]).toMatch(/63 characters/);
    const conflicting = [
      [SEGMENT_DIGEST_TAG, DIGEST_A],
      [SEGMENT_DIGEST_TAG, DIGEST_B],
    ];
    expect(digestFromTags(conflicting, SEGMENT_DIGEST_TAG, warn)).toBeUndefined();
    expect(warnings.at(-1)).toMatch(/two different/);
    expect(parseSha256Hex(` "${DIGEST_A}" `)).toEqual({ sha256: DIGEST_A });
  });

  it("a segment whose digest is malformed still plays (without a digest)", () => {
    const warnings: string[] = [];
    const request = toSegmentRequest(
      hls,
      "s",
      frag(1, { tagList: [[SEGMENT_DIGEST_TAG, "zz"]] }),
      "https://c/1.ts",
      undefined,
      undefined,
      {
        warn: (m) => warnings.push(m),
      },
    );
    expect(request?.sha256).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });
});

describe("verification", () => {
  const data = new TextEncoder().encode("segment bytes");
  const request = (sha256?: string): SegmentRequest => ({
    id: "s1",
    swarmKey: "k",
    url: "https://c/1.ts",
    startTimeSec: 0,
    durationSec: 2,
    live: false,
    ...(sha256 ? { sha256 } : {}),
  });

  it("hashes with SHA-256 and compares with the published digest", async () => {
    // sha256("segment bytes") computed independently with node:crypto.
    const { createHash } = await import("node:crypto");
    const expected = createHash("sha256").update(data).digest("hex");
    expect(await sha256Hex(data)).toBe(expected);
    expect(await verificationProblem(request(expected), data, undefined)).toBeUndefined();
    expect(await verificationProblem(request(DIGEST_A), data, undefined)).toMatch(/!= published/);
  });

  it("uses the validateSegment hook only without a digest, and treats false, throw and rejection as failure", async () => {
    expect(await verificationProblem(request(), data, () => true)).toBeUndefined();
    expect(await verificationProblem(request(), data, async () => true)).toBeUndefined();
    expect(await verificationProblem(request(), data, () => false)).toMatch(/rejected/);
    expect(await verificationProblem(request(), data, async () => false)).toMatch(/rejected/);
    expect(
      await verificationProblem(request(), data, () => {
        throw new Error("boom");
      }),
    ).toMatch(/threw: boom/);
    expect(await verificationProblem(request(), data, () => Promise.reject(new Error("no")))).toMatch(
      /threw: no/,
    );
    // Not a strict true (e.g. a truthy string from a careless hook) is not an acceptance.
    expect(await verificationProblem(request(), data, (() => "yes") as never)).toMatch(/rejected/);
    let called = false;
    const { createHash } = await import("node:crypto");
    const digest = createHash("sha256").update(data).digest("hex");
    await verificationProblem(request(digest), data, () => (called = true));
    expect(called).toBe(false);
    expect(await verificationProblem(request(), data, undefined)).toBeUndefined();
  });
});
