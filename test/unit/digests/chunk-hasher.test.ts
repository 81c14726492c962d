import { describe, expect, it } from "vitest";
import { ChunkHasher } from "../../../demo-server/src/digests/chunk-hasher.js";
import { DIGEST_CHUNK_BYTES, MAX_DIGEST_CHUNKS } from "../../../sdk/src/http/digest-wire.js";
import { chunkDigestsOf } from "../../support/chunk-digests.js";

function bodyOf(n: number): Buffer {
  const body = Buffer.alloc(n);
  for (let i = 0; i < n; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
  return body;
}

describe("ChunkHasher", () => {
  it("hashes each chunk however the body is split, the last one shorter", () => {
    const body = bodyOf(2 * DIGEST_CHUNK_BYTES + 1000);
    for (const piece of [1, 999, DIGEST_CHUNK_BYTES, 100_000, body.length]) {
      const hasher = new ChunkHasher(body.length);
      for (let at = 0; at < body.length; at += piece) hasher.update(body.subarray(at, at + piece));
      expect(hasher.finish()).toBe(chunkDigestsOf(body).toString("base64"));
    }
  });

  it("has exactly one chunk per full chunk size (no empty last chunk)", () => {
    const body = bodyOf(2 * DIGEST_CHUNK_BYTES);
    const hasher = new ChunkHasher(body.length);
    hasher.update(body);
    expect(Buffer.from(hasher.finish(), "base64").length).toBe(64);
  });

  it("refuses to finish a body of another length", () => {
    const hasher = new ChunkHasher(3 * DIGEST_CHUNK_BYTES);
    hasher.update(bodyOf(DIGEST_CHUNK_BYTES));
    expect(() => hasher.finish()).toThrow(/1 chunks hashed/);
  });

  it("is wanted only for non-empty segments of at most MAX_DIGEST_CHUNKS chunks", () => {
    expect(ChunkHasher.wanted(0)).toBe(false);
    expect(ChunkHasher.wanted(1)).toBe(true);
    expect(ChunkHasher.wanted(MAX_DIGEST_CHUNKS * DIGEST_CHUNK_BYTES)).toBe(true);
    expect(ChunkHasher.wanted(MAX_DIGEST_CHUNKS * DIGEST_CHUNK_BYTES + 1)).toBe(false);
  });
});
