import type shaka from "shaka-player";
import { describe, expect, it } from "vitest";
import { segmentId } from "../../../sdk/src/engine/segment-identity.js";
import {
  rangeFromHeader,
  shakaRenditionKey,
  toShakaSegmentRequest,
  type ShakaSegmentInput,
} from "../../../sdk/src/shaka/segment-mapping.js";
import { httpPolicyOf, shakaRequestSetup } from "../../../sdk/src/shaka/shaka-integration.js";
import type { ShakaNamespaceLike, ShakaPlayerLike, ShakaStream } from "../../../sdk/src/shaka/shaka-types.js";

const video: ShakaStream = {
  id: 3,
  type: "video",
  originalId: "v1",
  bandwidth: 800_000,
  width: 640,
  height: 360,
  codecs: "avc1.4d401e",
  mimeType: "video/mp4",
  language: "",
  label: null,
};
const INIT = 0;
const MEDIA = 1;
const input = (over: Partial<ShakaSegmentInput> = {}): ShakaSegmentInput => ({
  streamKey: "https://cdn/x/master.m3u8",
  uri: "https://cdn/x/v1/seg-4.m4s?token=abc",
  rangeHeader: undefined,
  context: { type: MEDIA, stream: video, segment: { getStartTime: () => 8, getEndTime: () => 10 } },
  initType: INIT,
  mediaType: MEDIA,
  live: false,
  positionSec: 3,
  ...over,
});

describe("Shaka segment mapping", () => {
  it("takes the real Shaka namespace and Player as they are", () => {
    // Compile-time: assignment fails typecheck if Shaka's declarations stop fitting the adapter's.
    const fits = (ns: typeof shaka, player: shaka.Player): [ShakaNamespaceLike, ShakaPlayerLike] => [
      ns,
      player,
    ];
    expect(typeof fits).toBe("function");
  });

  it("maps a media segment to the hls.js adapter's identity: URL key without tokens, no range", () => {
    const request = toShakaSegmentRequest(input())!;
    expect(request.id).toBe(segmentId("media", "/x/v1/seg-4.m4s", undefined, undefined));
    expect(request.swarmKey).toBe(`https://cdn/x/master.m3u8|${shakaRenditionKey(video)}`);
    expect([request.startTimeSec, request.durationSec]).toEqual([8, 2]);
  });

  it("binds a byte range, and dates an init segment at the playhead", () => {
    const ranged = toShakaSegmentRequest(input({ rangeHeader: "bytes=100-199" }))!;
    expect(ranged.byteRange).toEqual({ start: 100, end: 200 });
    expect(ranged.id).toBe(segmentId("media", "/x/v1/seg-4.m4s", [100, 200], undefined));
    const init = toShakaSegmentRequest(input({ context: { type: INIT, stream: video } }))!;
    expect(init.id.startsWith("i")).toBe(true);
    expect(init.startTimeSec).toBe(3);
  });

  it("leaves text, stream-less probes, odd ranges and other request kinds to Shaka", () => {
    expect(
      toShakaSegmentRequest(input({ context: { type: MEDIA, stream: { ...video, type: "text" } } })),
    ).toBe(undefined);
    expect(toShakaSegmentRequest(input({ context: { type: MEDIA } }))).toBeUndefined();
    expect(toShakaSegmentRequest(input({ rangeHeader: "bytes=5-" }))).toBeUndefined();
    expect(toShakaSegmentRequest(input({ rangeHeader: "bytes=0-1,5-9" }))).toBeUndefined();
    expect(toShakaSegmentRequest(input({ context: { type: 2, stream: video } }))).toBeUndefined();
    expect(() => rangeFromHeader("items=1-2")).toThrow(RangeError);
  });

  it("applies Shaka's timeouts and request headers to Nearcast's own requests, never its Range", async () => {
    expect(httpPolicyOf({ retryParameters: { timeout: 30_000, connectionTimeout: 10_000 } })).toEqual({
      firstByteTimeoutMs: 10_000,
      totalTimeoutMs: 30_000,
      retry: null,
    });
    expect(httpPolicyOf({ retryParameters: { timeout: 0, connectionTimeout: 0 } }).totalTimeoutMs).toBe(
      2 ** 31 - 1,
    );
    const setup = shakaRequestSetup({
      headers: { Range: "bytes=0-9", Authorization: "Bearer t" },
      allowCrossSiteCredentials: true,
    });
    const spec = await setup(
      { url: "https://cdn/a", headers: { "X-App": "1" }, credentials: "same-origin" },
      {
        segmentId: "s",
        swarmKey: "k",
        segmentUrl: "https://cdn/a",
        range: undefined,
        attempt: 0,
      },
    );
    expect(spec).toEqual({
      url: "https://cdn/a",
      headers: { "X-App": "1", Authorization: "Bearer t" },
      credentials: "include",
    });
  });
});
