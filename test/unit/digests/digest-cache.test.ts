import { describe, expect, it } from "vitest";
import { DigestCache, type DigestOutcome } from "../../../demo-server/src/digests/digest-cache.js";

const OK: DigestOutcome = { ok: true, sha256: "a".repeat(64), bytes: 10 };
const limits = { maxEntries: 100, maxBytes: 1_000_000, ttlMs: 10_000, failureTtlMs: 1000 };

describe("DigestCache", () => {
  it("fetches once for concurrent asks and remembers the digest", async () => {
    const cache = new DigestCache(limits, () => 0);
    let starts = 0;
    let finish!: (outcome: DigestOutcome) => void;
    const start = () => {
      starts++;
      return new Promise<DigestOutcome>((resolve) => (finish = resolve));
    };
    const asks = [cache.obtain("k", start), cache.obtain("k", start), cache.obtain("k", start)];
    expect(cache.fetching).toBe(1);
    finish(OK);
    expect(await Promise.all(asks)).toEqual([OK, OK, OK]);
    expect(await cache.obtain("k", start)).toEqual(OK);
    expect(starts).toBe(1);
  });

  it("forgets digests after their lifetime", async () => {
    let now = 0;
    const cache = new DigestCache(limits, () => now);
    await cache.obtain("k", () => Promise.resolve(OK));
    now = 9_999;
    expect(cache.get("k")).toEqual(OK);
    now = 10_000;
    expect(cache.get("k")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("remembers origin failures briefly, but not a 4xx (another asker's token may work) or overload", async () => {
    let now = 0;
    const cache = new DigestCache(limits, () => now);
    await cache.obtain("down", () => Promise.resolve({ ok: false, reason: "origin_timeout" }));
    await cache.obtain("5xx", () => Promise.resolve({ ok: false, reason: "origin_status", httpStatus: 503 }));
    await cache.obtain("403", () => Promise.resolve({ ok: false, reason: "origin_status", httpStatus: 403 }));
    expect(await cache.obtain("busy", () => undefined)).toEqual({ ok: false, reason: "overloaded" });
    expect(cache.get("down")).toEqual({ ok: false, reason: "origin_timeout" });
    expect(cache.get("5xx")).toBeDefined();
    expect(cache.get("403")).toBeUndefined();
    expect(cache.get("busy")).toBeUndefined();
    now = 1000;
    expect(cache.get("down")).toBeUndefined();
  });

  it("holds at most maxEntries, dropping the least recently used", async () => {
    const cache = new DigestCache({ ...limits, maxEntries: 2 }, () => 0);
    for (const key of ["a", "b"]) await cache.obtain(key, () => Promise.resolve(OK));
    cache.get("a");
    await cache.obtain("c", () => Promise.resolve(OK));
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual(OK);
  });

  it("holds at most maxBytes of estimated memory", async () => {
    const cache = new DigestCache({ ...limits, maxBytes: 1000 }, () => 0);
    for (let i = 0; i < 50; i++) await cache.obtain(`key-${i}-${"x".repeat(100)}`, () => Promise.resolve(OK));
    expect(cache.bytes).toBeLessThanOrEqual(1000);
    expect(cache.size).toBeGreaterThan(0);
  });
});
