// The ABR probe: a viewer served by peers refreshes a stale HTTP throughput estimate with an
// occasional HTTP fetch, at growing intervals while the probes find nothing new.
import { describe, expect, it } from "vitest";
import {
  ABR_PROBE_MAX_INTERVAL_MS,
  ABR_PROBE_MIN_INTERVAL_MS,
} from "../../../../sdk/src/core/policy/constants.js";
import { ThroughputProbe } from "../../../../sdk/src/core/policy/throughput-probe.js";
import { TransferEstimates } from "../../../../sdk/src/core/policy/transfer-estimates.js";

/** An HTTP transfer of `bytes` at `bps`, ending at `endMs`. */
function sample(estimates: TransferEstimates, endMs: number, bytes: number, bps: number): void {
  const transferMs = ((bytes * 8) / bps) * 1000;
  estimates.sampleHttp(
    { requestStartMs: endMs - transferMs - 20, firstByteMs: endMs - transferMs, endMs },
    bytes,
  );
}

describe("ThroughputProbe", () => {
  it("is due only with an estimate, a rendition to switch up to and no HTTP sample for the interval", () => {
    const estimates = new TransferEstimates();
    const probe = new ThroughputProbe();
    expect(probe.due(estimates, 100_000, true)).toBe(false); // nothing measured: nothing to refresh
    sample(estimates, 10_000, 250_000, 700_000);
    expect(probe.due(estimates, 10_000 + ABR_PROBE_MIN_INTERVAL_MS - 1, true)).toBe(false);
    expect(probe.due(estimates, 10_000 + ABR_PROBE_MIN_INTERVAL_MS, true)).toBe(true);
    expect(probe.due(estimates, 10_000 + ABR_PROBE_MIN_INTERVAL_MS, false)).toBe(false); // top level
  });

  it("backs off while probes find the same throughput, and starts again when one finds more", () => {
    const probe = new ThroughputProbe();
    const intervals: number[] = [];
    for (let i = 0; i < 5; i++) {
      probe.done(700_000, 720_000);
      intervals.push(probe.currentIntervalMs);
    }
    expect(intervals).toEqual([8_000, 16_000, 32_000, 32_000, 32_000]);
    expect(intervals.at(-1)).toBe(ABR_PROBE_MAX_INTERVAL_MS);
    probe.done(700_000, 1_400_000);
    expect(probe.currentIntervalMs).toBe(ABR_PROBE_MIN_INTERVAL_MS);
  });
});

describe("TransferEstimates after a long run of peer deliveries", () => {
  it("lets a fresh HTTP sample outweigh one measured in another network state", () => {
    const recent = new TransferEstimates();
    const stale = new TransferEstimates();
    // 20 s of throttled HTTP (700 kbit/s), one 250-kB segment every 2 s.
    for (const estimates of [recent, stale])
      for (let t = 2000; t <= 20_000; t += 2000) sample(estimates, t, 250_000, 700_000);
    // Then the link is at 4 Mbit/s: one viewer fetches right away, the other after 20 s of peers.
    sample(recent, 22_000, 250_000, 4_000_000);
    sample(stale, 40_000, 250_000, 4_000_000);
    expect(recent.httpBandwidthBps).toBeLessThan(1_100_000);
    expect(stale.httpBandwidthBps).toBeGreaterThan(2_000_000);
    expect(stale.httpSampleAgeMs(41_000)).toBe(1000);
  });
});
