import { describe, expect, it } from "vitest";
import { KeyedRateLimiter } from "../../../demo-server/src/net/rate-limiter.js";

describe("KeyedRateLimiter", () => {
  it("accepts a burst, then refuses with the wait until the next token", () => {
    const limiter = new KeyedRateLimiter({ perSec: 1, burst: 5, maxKeys: 10 });
    for (let i = 0; i < 5; i++) expect(limiter.take("a", 0)).toEqual({ ok: true });
    expect(limiter.take("a", 0)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(limiter.take("a", 600)).toEqual({ ok: false, retryAfterMs: 400 });
    expect(limiter.take("a", 1000)).toEqual({ ok: true });
  });

  it("keeps keys apart", () => {
    const limiter = new KeyedRateLimiter({ perSec: 1, burst: 1, maxKeys: 10 });
    expect(limiter.take("a", 0).ok).toBe(true);
    expect(limiter.take("a", 0).ok).toBe(false);
    expect(limiter.take("b", 0).ok).toBe(true);
  });

  it("takes from every key of a batch, or from none", () => {
    const limiter = new KeyedRateLimiter({ perSec: 1, burst: 1, maxKeys: 10 });
    limiter.take("b", 0);
    expect(limiter.takeAll(["a", "b"], 0).ok).toBe(false);
    expect(limiter.take("a", 0).ok).toBe(true); // "a" kept its token
    expect(limiter.takeAll(["c", "c", "c"], 0).ok).toBe(true); // one token per distinct key
  });

  it("never stores more than the burst, however long the idle time", () => {
    const limiter = new KeyedRateLimiter({ perSec: 10, burst: 2, maxKeys: 10 });
    limiter.take("a", 0);
    const results = [0, 0, 0].map(() => limiter.take("a", 3_600_000).ok);
    expect(results).toEqual([true, true, false]);
  });

  it("stays bounded: evicts the least recently used key and sweeps full buckets", () => {
    const limiter = new KeyedRateLimiter({ perSec: 1, burst: 1, maxKeys: 3 });
    for (const key of ["a", "b", "c", "d"]) limiter.take(key, 0);
    expect(limiter.size).toBe(3);
    expect(limiter.take("a", 0).ok).toBe(true); // "a" was evicted: a fresh bucket
    limiter.sweep(500);
    expect(limiter.size).toBe(3);
    limiter.sweep(1000);
    expect(limiter.size).toBe(0);
  });

  it("rejects impossible settings", () => {
    expect(() => new KeyedRateLimiter({ perSec: 0, burst: 1, maxKeys: 1 })).toThrow(/perSec/);
  });
});
