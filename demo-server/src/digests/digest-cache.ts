// Digests the service has computed, bounded by entries and by estimated memory, with an expiry;
// origin failures are remembered briefly so that many viewers asking about a segment while the
// origin is down cost the origin one request, not one each. Fetches in progress are shared: one
// origin download per segment, however many ask.
import type { FetchFailureReason } from "./origin-fetch.js";

export type DigestOutcome =
  | { ok: true; sha256: string; bytes: number; chunks?: { chunkBytes: number; sha256: string } }
  | { ok: false; reason: FetchFailureReason | "overloaded"; httpStatus?: number };

export interface DigestCacheLimits {
  maxEntries: number;
  /** Estimated bytes of keys and values. */
  maxBytes: number;
  /** Lifetime of a digest, ms. */
  ttlMs: number;
  /** Lifetime of a remembered failure, ms (0: not remembered). */
  failureTtlMs: number;
}

interface Entry {
  outcome: DigestOutcome;
  expiresMs: number;
  sizeBytes: number;
}

/** Per entry beyond its key: the outcome object, 64 hex characters, the Map slot. */
const ENTRY_OVERHEAD_BYTES = 200;

export class DigestCache {
  /** Least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<DigestOutcome>>();
  private totalBytes = 0;

  constructor(
    private readonly limits: DigestCacheLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get fetching(): number {
    return this.inFlight.size;
  }

  /** A remembered outcome (refreshed as recently used), or undefined. */
  get(key: string): DigestOutcome | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresMs <= this.now()) {
      this.totalBytes -= entry.sizeBytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.outcome;
  }

  /**
   * The outcome for `key`: remembered, joined to the fetch in progress, or from `start()` (whose
   * outcome is then remembered). `start` returning undefined means no fetch could begin (overloaded).
   */
  obtain(key: string, start: () => Promise<DigestOutcome> | undefined): Promise<DigestOutcome> {
    const known = this.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const started = start();
    if (started === undefined) return Promise.resolve({ ok: false, reason: "overloaded" });
    const shared = started.then((outcome) => {
      this.inFlight.delete(key);
      this.remember(key, outcome);
      return outcome;
    });
    this.inFlight.set(key, shared);
    return shared;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalBytes -= entry.sizeBytes;
  }

  private remember(key: string, outcome: DigestOutcome): void {
    const ttlMs = outcome.ok ? this.limits.ttlMs : failureTtl(outcome, this.limits.failureTtlMs);
    if (ttlMs <= 0) return;
    this.delete(key);
    const chunkChars = outcome.ok ? (outcome.chunks?.sha256.length ?? 0) : 0;
    const sizeBytes = (key.length + chunkChars) * 2 + ENTRY_OVERHEAD_BYTES;
    this.entries.set(key, { outcome, expiresMs: this.now() + ttlMs, sizeBytes });
    this.totalBytes += sizeBytes;
    while (this.entries.size > this.limits.maxEntries || this.totalBytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
  }
}

/**
 * How long a failure is remembered: not at all for "overloaded" (ours, not the origin's) or a 4xx
 * (the next asker's own token may well be accepted); `failureTtlMs` for the rest.
 */
function failureTtl(outcome: Extract<DigestOutcome, { ok: false }>, failureTtlMs: number): number {
  if (outcome.reason === "overloaded") return 0;
  if (outcome.reason === "origin_status" && (outcome.httpStatus ?? 500) < 500) return 0;
  return failureTtlMs;
}
