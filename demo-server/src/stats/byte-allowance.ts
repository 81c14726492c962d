// How many bytes a viewer can plausibly have received: a token bucket of bytes per clientId,
// refilled at 3 × the bandwidth its renditions declare (never above MAX_VIEWER_BITS_PER_SEC) and
// holding REPORT_BURST_SEC of it. Pure: the caller passes the time.
import type { RenditionDeltas } from "nearcast";
import { MAX_VIEWER_BITS_PER_SEC, RENDITION_RATE_HEADROOM, REPORT_BURST_SEC } from "./constants.js";

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class ByteAllowance {
  /** By clientId, least recently used first. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxBytesPerSec: number;

  constructor(
    private readonly maxClients: number,
    maxViewerBitsPerSec = MAX_VIEWER_BITS_PER_SEC,
  ) {
    this.maxBytesPerSec = maxViewerBitsPerSec / 8;
  }

  /**
   * The share (0–1) of what `renditions` claim received (HTTP + P2P) that fits `clientId`'s
   * allowance; that much is taken from it.
   */
  take(clientId: string, renditions: readonly RenditionDeltas[], nowMs: number): number {
    const claimed = renditions.reduce((sum, r) => sum + r.httpBytes + r.p2pBytes, 0);
    if (claimed === 0) return 1;
    const rate = this.plausibleRate(renditions);
    let bucket = this.buckets.get(clientId);
    if (bucket === undefined) {
      bucket = { tokens: rate * REPORT_BURST_SEC, lastMs: nowMs };
      if (this.buckets.size >= this.maxClients)
        this.buckets.delete(this.buckets.keys().next().value as string);
    } else {
      this.buckets.delete(clientId);
      const refill = (rate * Math.max(0, nowMs - bucket.lastMs)) / 1000;
      bucket.tokens = Math.min(rate * REPORT_BURST_SEC, bucket.tokens + refill);
      bucket.lastMs = Math.max(bucket.lastMs, nowMs);
    }
    this.buckets.set(clientId, bucket);
    const granted = Math.min(claimed, bucket.tokens);
    bucket.tokens -= granted;
    return granted / claimed;
  }

  /** Forgets buckets idle long enough to be full again (they hold no information). */
  sweep(nowMs: number): void {
    for (const [id, bucket] of this.buckets) {
      if (nowMs - bucket.lastMs > REPORT_BURST_SEC * 1000) this.buckets.delete(id);
    }
  }

  /** Bytes per second: the cap, or a multiple of the declared bandwidth when every rendition declares one. */
  private plausibleRate(renditions: readonly RenditionDeltas[]): number {
    let declared = 0;
    for (const { rendition } of renditions) {
      const bps = /^v(\d{1,10})-/.exec(rendition)?.[1];
      if (bps === undefined) return this.maxBytesPerSec;
      declared = Math.max(declared, Number(bps));
    }
    return Math.min(this.maxBytesPerSec, (declared * RENDITION_RATE_HEADROOM) / 8);
  }
}
