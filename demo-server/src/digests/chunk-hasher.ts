// SHA-256 of each fixed-size chunk of a segment as its body streams by (docs/digest-service.md, the
// `chunks` of an `ok` entry): relays verify and pass on a segment chunk by chunk against them.
import { createHash, type Hash } from "node:crypto";
import { DIGEST_CHUNK_BYTES, MAX_DIGEST_CHUNKS, chunkCount } from "nearcast";

/** Hashes chunks of `chunkBytes` of a body of `expected` bytes; memory: 32 bytes per chunk. */
export class ChunkHasher {
  private readonly digests: Buffer[] = [];
  private hash: Hash | undefined;
  private filled = 0;

  constructor(
    private readonly expected: number,
    readonly chunkBytes = DIGEST_CHUNK_BYTES,
  ) {}

  /** Whether the segment is short enough to have chunk digests on the wire. */
  static wanted(expected: number, chunkBytes = DIGEST_CHUNK_BYTES): boolean {
    return expected > 0 && chunkCount(expected, chunkBytes) <= MAX_DIGEST_CHUNKS;
  }

  /** The next bytes of the body, in order. */
  update(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      this.hash ??= createHash("sha256");
      const take = Math.min(this.chunkBytes - this.filled, data.length - at);
      this.hash.update(data.subarray(at, at + take));
      this.filled += take;
      at += take;
      if (this.filled === this.chunkBytes) this.close();
    }
  }

  /**
   * The chunks' SHA-256 concatenated, base64 (the wire's `chunks`).
   * @throws Error when the bytes hashed are not the `expected` count.
   */
  finish(): string {
    if (this.filled > 0) this.close();
    if (this.digests.length !== chunkCount(this.expected, this.chunkBytes))
      throw new Error(`${this.digests.length} chunks hashed for ${this.expected} bytes`);
    return Buffer.concat(this.digests).toString("base64");
  }

  private close(): void {
    this.digests.push(this.hash!.digest());
    this.hash = undefined;
    this.filled = 0;
  }
}
