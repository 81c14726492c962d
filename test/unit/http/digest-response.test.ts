import { describe, expect, it } from "vitest";
import { DIGEST_CHUNK_BYTES, digestServiceUrlOf } from "../../../sdk/src/http/digest-wire.js";
import { parseDigestResponse, readCapped } from "../../../sdk/src/http/digest-response.js";

const SHA = "ab".repeat(32);
const asked = [
  { url: "https://cdn.example/a.ts" },
  { url: "https://cdn.example/all.ts", range: [0, 10] as [number, number] },
];

describe("parseDigestResponse", () => {
  it("maps each entry to a lookup, in order", () => {
    const text = JSON.stringify({
      served: true,
      digests: [
        { status: "ok", sha256: SHA, bytes: 1234 },
        { status: "unavailable", reason: "origin_status", httpStatus: 503 },
      ],
    });
    expect(parseDigestResponse(200, text, asked)).toEqual([
      { ok: true, sha256: SHA, bytes: 1234 },
      { ok: false, reason: "unavailable", detail: "origin_status 503" },
    ]);
  });

  it("takes chunk digests of exactly the chunks of the segment, and none as whole-segment only", () => {
    const bytes = 2 * DIGEST_CHUNK_BYTES + 5;
    const raw = new Uint8Array(3 * 32).map((_, i) => i);
    const chunks = Buffer.from(raw).toString("base64");
    const answer = (entry: object) =>
      parseDigestResponse(200, JSON.stringify({ served: true, digests: [entry] }), [asked[0]!])[0];
    expect(answer({ status: "ok", sha256: SHA, bytes, chunkBytes: DIGEST_CHUNK_BYTES, chunks })).toEqual({
      ok: true,
      sha256: SHA,
      bytes,
      chunks: { chunkBytes: DIGEST_CHUNK_BYTES, sha256: raw },
    });
    expect(answer({ status: "ok", sha256: SHA, bytes })).toEqual({ ok: true, sha256: SHA, bytes });
    const bad = [
      { chunkBytes: DIGEST_CHUNK_BYTES },
      { chunks },
      { chunkBytes: 1024, chunks },
      { chunkBytes: DIGEST_CHUNK_BYTES, chunks: chunks.slice(4) },
      { chunkBytes: DIGEST_CHUNK_BYTES, chunks: `${chunks.slice(0, -4)}!!!!` },
      { chunkBytes: DIGEST_CHUNK_BYTES, chunks: [chunks] },
    ];
    for (const extra of bad)
      expect(answer({ status: "ok", sha256: SHA, bytes, ...extra })).toMatchObject({
        ok: false,
        reason: "bad_response",
      });
  });

  it("reads 'not served here' as use spot checks", () => {
    const text = JSON.stringify({ served: false, reason: "small_swarm", swarmSize: 4, minSwarmSize: 100 });
    expect(parseDigestResponse(200, text, asked)[0]).toEqual({
      ok: false,
      reason: "spot_checks",
      detail: "small_swarm: swarm 4 < 100",
    });
  });

  it("refuses answers that do not fit what was asked", () => {
    const cases = [
      "not json",
      JSON.stringify({ served: true, digests: [] }),
      JSON.stringify({
        served: true,
        digests: [{ status: "ok", sha256: "xyz", bytes: 1 }, { status: "pending" }],
      }),
    ];
    for (const text of cases) expect(parseDigestResponse(200, text, asked)[0]!.ok).toBe(false);
    const wrongSize = JSON.stringify({
      served: true,
      digests: [{ status: "pending" }, { status: "ok", sha256: SHA, bytes: 11 }],
    });
    expect(parseDigestResponse(200, wrongSize, asked)[1]).toMatchObject({
      ok: false,
      reason: "bad_response",
    });
  });

  it("carries the refusal reason of an error status", () => {
    expect(parseDigestResponse(403, JSON.stringify({ reason: "not_member", error: "x" }), asked)[0]).toEqual({
      ok: false,
      reason: "rejected",
      detail: "403 not_member",
    });
    expect(parseDigestResponse(502, "<html>", asked)[0]).toEqual({
      ok: false,
      reason: "rejected",
      detail: "502",
    });
  });
});

describe("digestServiceUrlOf", () => {
  it("puts /api/digests next to the tracker path, dropping the join token", () => {
    expect(digestServiceUrlOf("wss://nc.example/tracker?token=abc")).toBe("https://nc.example/api/digests");
    expect(digestServiceUrlOf("ws://127.0.0.1:8080/tracker")).toBe("http://127.0.0.1:8080/api/digests");
    expect(digestServiceUrlOf("wss://nc.example/p2p/tracker")).toBe("https://nc.example/p2p/api/digests");
    expect(digestServiceUrlOf("https://nc.example/tracker")).toBeUndefined();
    expect(digestServiceUrlOf("::")).toBeUndefined();
  });
});

describe("readCapped", () => {
  it("reads an answer, and stops at the cap whether or not the length is declared", async () => {
    expect(await readCapped(new Response('{"served":true}'))).toBe('{"served":true}');
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new Uint8Array(16 * 1024)),
    });
    expect(await readCapped(new Response(stream), 64 * 1024)).toBeUndefined();
    expect(await readCapped(new Response("x".repeat(100)), 10)).toBeUndefined();
  });
});
