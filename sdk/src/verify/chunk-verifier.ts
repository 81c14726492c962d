// Verified cut-through: a segment's bytes from peers checked chunk by chunk against the digest
// service's chunk digests (docs/digest-service.md, `chunks`) as they arrive, so a relay passes each
// chunk on as soon as it is verified instead of holding the whole segment (BitTorrent's piece hashes,
// BEP 3). A chunk that fails names the peers that sent it: they lied, the others did not.
import { hexOf, sha256Hex } from "../core/integrity.js";
import type { ChunkDigests } from "../http/digest-client.js";

/** The held copy the verifier reads, and what it tells the copy's owner. */
export interface CutThroughTarget {
  /** Bytes held so far (in order from 0). */
  readonly length: number;
  /** Bytes `[start, end)` of the copy (`end ≤ length`). */
  slice(start: number, end: number): Uint8Array;
  /** The peers that sent any byte of `[start, end)` (HTTP bytes name nobody). */
  peersIn(start: number, end: number): string[];
  /** Bytes `[0, end)` passed their chunk digests: they may be served to peers. */
  release(end: number): void;
}

/** A chunk whose SHA-256 is not the digest service's. */
export interface ChunkFailure {
  start: number;
  end: number;
  /** Who sent bytes of it. */
  peerIds: string[];
  detail: string;
}

/**
 * Checks the chunks of one segment of `bytes` bytes in order, one SHA-256 at a time (Web Crypto is
 * async: one in flight keeps the order and bounds the work to one hash per chunk, at most
 * MAX_DIGEST_CHUNKS per segment). Stops at the first chunk that fails.
 */
export class ChunkVerifier {
  /** Bytes `[0, verifiedEnd)` passed. */
  verifiedEnd = 0;
  failure: ChunkFailure | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly digests: ChunkDigests,
    private readonly bytes: number,
    private readonly target: CutThroughTarget,
    private readonly onFailure: (failure: ChunkFailure) => void,
  ) {}

  /** Check every chunk the target now holds in full (call as bytes arrive). */
  advance(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // Bytes that came between the run's last look and now.
      if (this.nextEnd() !== undefined) this.advance();
    });
  }

  /** Resolves when every chunk held in full has been checked (or one failed). */
  async drain(): Promise<void> {
    while (this.running || (this.nextEnd() !== undefined && !this.failure)) {
      this.advance();
      await this.running;
    }
  }

  private nextEnd(): number | undefined {
    if (this.failure || this.verifiedEnd >= this.bytes) return undefined;
    const end = Math.min(this.verifiedEnd + this.digests.chunkBytes, this.bytes);
    return end <= this.target.length ? end : undefined;
  }

  private async run(): Promise<void> {
    for (let end = this.nextEnd(); end !== undefined; end = this.nextEnd()) {
      const start = this.verifiedEnd;
      const index = start / this.digests.chunkBytes;
      const actual = await sha256Hex(this.target.slice(start, end));
      const expected = hexOf(this.digests.sha256.subarray(index * 32, index * 32 + 32));
      if (actual !== expected) {
        const peerIds = this.target.peersIn(start, end);
        this.failure = {
          start,
          end,
          peerIds,
          detail: `chunk ${index} (bytes ${start}–${end}): SHA-256 ${actual} != the server's ${expected}`,
        };
        this.onFailure(this.failure);
        return;
      }
      this.verifiedEnd = end;
      this.target.release(end);
    }
  }
}
