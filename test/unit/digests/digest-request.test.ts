import { describe, expect, it } from "vitest";
import { MAX_DIGEST_SEGMENTS_PER_REQUEST } from "nearcast";
import { parseDigestRequest } from "../../../demo-server/src/digests/digest-request.js";

const valid = {
  swarmKey: "https://cdn.example/master.m3u8|v1",
  peerId: "2d4e43303130302d" + "ab".repeat(12),
  playlistUrl: "https://cdn.example/v1.m3u8",
  segments: [{ url: "https://cdn.example/s1.ts" }, { url: "https://cdn.example/all.ts", range: [0, 100] }],
};

describe("parseDigestRequest", () => {
  it("accepts the wire contract and lower-cases the peer_id", () => {
    const parsed = parseDigestRequest(
      JSON.stringify({ ...valid, peerId: valid.peerId.toUpperCase(), waitMs: 500 }),
    );
    expect(parsed).toEqual({ body: { ...valid, waitMs: 500 } });
  });

  it("names the first bad field", () => {
    const cases: [unknown, string][] = [
      [{ ...valid, peerId: "short" }, "peerId"],
      [{ ...valid, swarmKey: "no-bar" }, "swarmKey"],
      [{ ...valid, segments: [] }, "segments"],
      [{ ...valid, segments: [{ url: "https://a/b", range: [10, 10] }] }, "segments.0.range"],
      [{ ...valid, segments: [{ url: "https://a/b", range: [-1, 10] }] }, "segments.0.range.0"],
      [{ ...valid, playlistUrl: "https://a/\nb" }, "playlistUrl"],
      [{ ...valid, waitMs: 60_000 }, "waitMs"],
      [
        {
          ...valid,
          segments: Array.from({ length: MAX_DIGEST_SEGMENTS_PER_REQUEST + 1 }, () => ({
            url: "https://a/b",
          })),
        },
        "segments",
      ],
    ];
    for (const [body, field] of cases) {
      const parsed = parseDigestRequest(JSON.stringify(body));
      expect("problem" in parsed && parsed.problem.startsWith(`${field}:`), JSON.stringify(parsed)).toBe(
        true,
      );
    }
    expect(parseDigestRequest("{")).toEqual({ problem: "body is not JSON" });
  });
});
