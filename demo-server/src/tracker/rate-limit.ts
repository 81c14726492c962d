export interface RateLimitOptions {
  /** Bucket capacity: messages accepted back to back. */
  rateLimitBurst: number;
  /** Sustained messages per second. */
  rateLimitPerSec: number;
  /** Drops within `floodWindowMs` that mean "close this socket". */
  floodCloseDrops: number;
  floodWindowMs: number;
}

export type RateDecision = "accept" | "drop" | "close";

/**
 * Per-socket token bucket with a flood breaker. Excess messages are dropped before they are parsed
 * (cheap); a client that keeps sending after being throttled gets "close". Pure: the caller passes
 * the time.
 */
export class MessageRateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  private windowStartMs: number;
  private dropsInWindow = 0;

  constructor(
    private readonly options: RateLimitOptions,
    nowMs: number,
  ) {
    this.tokens = options.rateLimitBurst;
    this.lastRefillMs = nowMs;
    this.windowStartMs = nowMs;
  }

  take(nowMs: number): RateDecision {
    const elapsedMs = Math.max(0, nowMs - this.lastRefillMs);
    this.tokens = Math.min(
      this.options.rateLimitBurst,
      this.tokens + (elapsedMs * this.options.rateLimitPerSec) / 1000,
    );
    this.lastRefillMs = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return "accept";
    }
    if (nowMs - this.windowStartMs > this.options.floodWindowMs) {
      this.windowStartMs = nowMs;
      this.dropsInWindow = 0;
    }
    this.dropsInWindow++;
    return this.dropsInWindow >= this.options.floodCloseDrops ? "close" : "drop";
  }
}
