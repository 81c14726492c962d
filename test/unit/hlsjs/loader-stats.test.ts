import { afterEach, describe, expect, it, vi } from "vitest";
import type { SegmentResult } from "../../../sdk/src/core/types.js";
import { createLoaderStats, fillLoaderStats, networkClock } from "../../../sdk/src/hlsjs/loader-stats.js";
import { httpPolicyFrom } from "../../../sdk/src/hlsjs/fragment-loader.js";

const result = (source: SegmentResult["source"], bytes: number, start: number, first: number, end: number) =>
  ({
    data: new Uint8Array(bytes),
    source,
    timing: { requestStartMs: start, firstByteMs: first, endMs: end },
    httpBytes: source === "http" ? bytes : 0,
    p2pBytes: source === "p2p" ? bytes : 0,
    httpRetries: 0,
  }) satisfies SegmentResult;

describe("fillLoaderStats", () => {
  it("reports an HTTP transfer with its own timings, ending now", () => {
    const stats = createLoaderStats();
    fillLoaderStats(stats, result("http", 100_000, 1000, 1050, 1250), 0, 5000);
    expect(stats.loaded).toBe(100_000);
    expect(stats.total).toBe(100_000);
    expect(stats.loading.end).toBe(5000);
    expect(stats.loading.end - stats.loading.first).toBe(200);
    expect(stats.loading.first - stats.loading.start).toBe(50);
    expect(stats.bwEstimate).toBe(4_000_000);
  });

  it("paces a fast peer delivery to the measured HTTP throughput so ABR is not fooled", () => {
    const stats = createLoaderStats();
    // 250 kB from a peer in 10 ms would read as 200 Mbps; HTTP measured 2 Mbps.
    fillLoaderStats(stats, result("p2p", 250_000, 0, 5, 15), 2_000_000, 10_000);
    expect(stats.loading.end - stats.loading.first).toBeCloseTo(1000);
    expect(stats.bwEstimate).toBeCloseTo(2_000_000);
  });

  it("paces a cache hit (zero transfer time) the same way", () => {
    const stats = createLoaderStats();
    fillLoaderStats(stats, result("cache", 125_000, 100, 100, 100), 1_000_000, 500);
    expect(stats.loading.end - stats.loading.first).toBeCloseTo(1000);
    expect(stats.loading.first).toBeGreaterThan(stats.loading.start);
  });

  it("reports a slow peer transfer at HTTP speed too: a capped uploader is not the viewer's network", () => {
    const stats = createLoaderStats();
    // 100 kB in 3 s from a capped peer after 100 ms of waiting; HTTP measured 10 Mbps, 40 ms to first byte.
    fillLoaderStats(stats, result("p2p", 100_000, 0, 100, 3100), 10_000_000, 9000, 40);
    expect(stats.loading.end - stats.loading.first).toBeCloseTo(80);
    expect(stats.loading.first - stats.loading.start).toBe(40);
    expect(stats.bwEstimate).toBeCloseTo(10_000_000);
  });

  it("leaves chunkCount to hls.js, which numbers each payload it transmuxes with it", () => {
    // hls.js takes a payload numbered above 1 for more of a segment being streamed; ours is the
    // segment's only payload and must be pushed as chunk 1, as hls.js's own loaders' are.
    for (const source of ["http", "p2p", "cache"] as const) {
      const stats = createLoaderStats();
      fillLoaderStats(stats, result(source, 10_000, 0, 5, 15), 1_000_000, 100);
      expect(stats.chunkCount, source).toBe(0);
    }
  });

  it("keeps a peer transfer's real timings while HTTP is unmeasured", () => {
    const stats = createLoaderStats();
    fillLoaderStats(stats, result("p2p", 100_000, 0, 100, 3100), 0, 9000, 40);
    expect(stats.loading.end - stats.loading.first).toBe(3000);
    expect(stats.loading.first - stats.loading.start).toBe(100);
  });
});

describe("httpPolicyFrom", () => {
  const base = { maxRetry: 0, timeout: 1, retryDelay: 0, maxRetryDelay: 0 };
  it("takes hls.js load policy timeouts and leaves retries to hls.js when it gives none", () => {
    const policy = httpPolicyFrom({
      ...base,
      loadPolicy: {
        maxTimeToFirstByteMs: 10_000,
        maxLoadTimeMs: 120_000,
        timeoutRetry: null,
        errorRetry: null,
      },
    });
    expect(policy).toEqual({ firstByteTimeoutMs: 10_000, totalTimeoutMs: 120_000, retry: null });
  });

  it("applies the error retry policy when hls.js passes one", () => {
    const policy = httpPolicyFrom({
      ...base,
      loadPolicy: {
        maxTimeToFirstByteMs: 0,
        maxLoadTimeMs: 20_000,
        timeoutRetry: null,
        errorRetry: { maxNumRetry: 2, retryDelayMs: 500, maxRetryDelayMs: 4000 },
      },
    });
    expect(policy.firstByteTimeoutMs).toBe(20_000);
    expect(policy.retry).toEqual({ maxRetries: 2, retryDelayMs: 500, maxRetryDelayMs: 4000 });
  });
});

describe("networkClock: what hls.js's abandon rule sees of a load in flight", () => {
  afterEach(() => vi.restoreAllMocks());
  const at = (ms: number) => vi.spyOn(performance, "now").mockReturnValue(ms);

  it("shows a load held for peers as just begun until bytes move", () => {
    const stats = createLoaderStats();
    const clock = networkClock(stats);
    at(1000);
    expect(stats.loading.start).toBe(1000);
    at(4000); // three seconds of hold: nothing moved over the viewer's link
    expect(now(stats)).toBe(0);
    expect(stats.loaded).toBe(0);
    clock.progress(50_000, 200_000); // a peer's first bytes start the clock
    at(4500);
    clock.progress(80_000, 200_000);
    expect(now(stats)).toBe(500);
    expect(stats.loading.first).toBe(4000);
    expect(stats.loaded).toBe(80_000);
  });

  it("times the load from its first HTTP request, counting the peers' earlier bytes as loaded", () => {
    const stats = createLoaderStats();
    const clock = networkClock(stats);
    at(4000);
    clock.httpRequest();
    at(4150);
    clock.progress(80_000, 200_000);
    at(4300);
    clock.httpRequest(); // a retry does not restart the clock
    expect(now(stats)).toBe(300);
    expect(stats.loading.first).toBe(4150);
    expect(stats.loaded).toBe(80_000);
    expect(stats.total).toBe(200_000);
  });

  it("takes the final figures as plain values (fillLoaderStats at delivery)", () => {
    const stats = createLoaderStats();
    networkClock(stats);
    at(9000);
    fillLoaderStats(stats, result("http", 1000, 8000, 8100, 8400), 0, 9000);
    at(12_000);
    expect(stats.loading.end - stats.loading.start).toBe(400);
  });
});

/** Time since `loading.start` as hls.js computes it (`timeLoading`). */
function now(stats: ReturnType<typeof createLoaderStats>): number {
  return performance.now() - stats.loading.start;
}
