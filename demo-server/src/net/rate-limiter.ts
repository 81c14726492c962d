/**
 * Token buckets by key (clientId, client address), bounded in number. Pure: the caller passes the
 * time. A bucket that has refilled completely is the same as no bucket, so idle ones are dropped by
 * {@link KeyedRateLimiter.sweep} and, when the table is full, the least recently used one is evicted
 * (at worst that key gets a fresh burst).
 */
export interface RateLimit {
  /** Sustained requests per second. */
  perSec: number;
  /** Requests accepted back to back. */
  burst: number;
  /** Keys tracked at once. */
  maxKeys: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  lastMs: number;
}

export class KeyedRateLimiter {
  /** In least-recently-used order (a touched key moves to the end). */
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {
    if (!(limit.perSec > 0) || !(limit.burst >= 1) || !(limit.maxKeys >= 1)) {
      throw new RangeError("rate limit needs perSec > 0, burst >= 1 and maxKeys >= 1");
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  /**
   * Takes `count` tokens from each key, or none if any key has fewer left (a batch passes or fails
   * whole). A count above the burst never passes.
   */
  takeAll(keys: Iterable<string>, nowMs: number, count = 1): RateDecision {
    const buckets = [...new Set(keys)].map((key) => this.refilled(key, nowMs));
    let retryAfterMs = 0;
    for (const bucket of buckets) {
      if (bucket.tokens < count) {
        retryAfterMs = Math.max(retryAfterMs, ((count - bucket.tokens) * 1000) / this.limit.perSec);
      }
    }
    if (retryAfterMs > 0) return { ok: false, retryAfterMs: Math.ceil(retryAfterMs) };
    for (const bucket of buckets) bucket.tokens -= count;
    return { ok: true };
  }

  take(key: string, nowMs: number, count = 1): RateDecision {
    return this.takeAll([key], nowMs, count);
  }

  /** Drops buckets that are full again (they hold no information). */
  sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (this.tokensAt(bucket, nowMs) >= this.limit.burst) this.buckets.delete(key);
    }
  }

  private refilled(key: string, nowMs: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.limit.burst, lastMs: nowMs };
      if (this.buckets.size >= this.limit.maxKeys) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
    } else {
      bucket.tokens = this.tokensAt(bucket, nowMs);
      bucket.lastMs = Math.max(bucket.lastMs, nowMs);
      this.buckets.delete(key);
    }
    this.buckets.set(key, bucket);
    return bucket;
  }

  private tokensAt(bucket: Bucket, nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - bucket.lastMs);
    return Math.min(this.limit.burst, bucket.tokens + (elapsedMs * this.limit.perSec) / 1000);
  }
}
