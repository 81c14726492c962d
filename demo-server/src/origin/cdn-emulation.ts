// CDN emulation for benchmarks: a fixed delay before the first byte and a per-request bandwidth cap.
// Playlists may get a delay of their own: a far CDN delays them as much as media (the browser bench
// sets both), while older benches and tests delayed media only.
// The cap paces the body (token bucket without burst) rather than sleeping and dumping, so a client
// sees bytes arrive at the capped rate and can abort halfway like on a slow link.

import type { Response } from "express";

export interface CdnEmulation {
  /** Added before the first byte of every media response. 0 = off. */
  latencyMs: number;
  /** Cap per media request, kilobits (1000 bits) per second. 0 = unlimited. */
  bandwidthKbps: number;
  /**
   * Added before every playlist response (master and media playlists), ms; a live playlist is built
   * when the request arrives, so it reaches the client that much older, as from a far CDN. 0 = off.
   */
  playlistLatencyMs: number;
}

export const CDN_OFF: CdnEmulation = { latencyMs: 0, bandwidthKbps: 0, playlistLatencyMs: 0 };

/** Slices sent per second under a cap: small enough for smooth pacing, big enough to stay cheap. */
const SLICES_PER_SEC = 20;
const MIN_SLICE_BYTES = 512;
const MAX_SLICE_BYTES = 64 * 1024;

export class BandwidthPacer {
  readonly bytesPerSec: number;
  /** Largest write the pacer allows at once. */
  readonly sliceBytes: number;
  private startMs: number | undefined;

  constructor(
    bandwidthKbps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(bandwidthKbps > 0)) throw new RangeError("bandwidthKbps must be > 0");
    this.bytesPerSec = (bandwidthKbps * 1000) / 8;
    this.sliceBytes = Math.round(
      Math.min(MAX_SLICE_BYTES, Math.max(MIN_SLICE_BYTES, this.bytesPerSec / SLICES_PER_SEC)),
    );
  }

  /**
   * Milliseconds to wait before writing more, given `sentBytes` already written: byte k may leave at
   * start + k / rate. The first call starts the clock.
   */
  delayBeforeMs(sentBytes: number): number {
    const now = this.now();
    this.startMs ??= now;
    const dueMs = this.startMs + (sentBytes / this.bytesPerSec) * 1000;
    return Math.max(0, dueMs - now);
  }
}

/** Splits a chunk into writes of at most `sliceBytes`. */
export function* slices(chunk: Buffer, sliceBytes: number): Generator<Buffer> {
  for (let offset = 0; offset < chunk.length; offset += sliceBytes) {
    yield chunk.subarray(offset, Math.min(chunk.length, offset + sliceBytes));
  }
}

/**
 * The emulated CDN distance before a response (media first byte, playlist): resolves true after `ms`,
 * false at once if the client goes away first (then nothing is sent).
 */
export function clientStays(res: Response, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const gone = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", gone);
      resolve(true);
    }, ms);
    res.once("close", gone);
  });
}
