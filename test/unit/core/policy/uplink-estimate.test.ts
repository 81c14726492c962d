// The uplink estimate (sdk/src/core/policy/uplink-estimate.ts): samples of busy uplink time → the rate
// the policy judges relaying by.
import { describe, expect, it } from "vitest";
import {
  UPLINK_ESTIMATE_MAX_AGE_MS,
  UPLINK_ESTIMATE_MIN_BUSY_MS,
} from "../../../../sdk/src/core/policy/constants.js";
import {
  effectiveUploadBytesPerSec,
  UplinkEstimate,
} from "../../../../sdk/src/core/policy/uplink-estimate.js";

/** `seconds` of 250-ms samples at `bytesPerSec`, ending at `endMs`. */
function feed(e: UplinkEstimate, bytesPerSec: number, seconds: number, endMs: number): void {
  const n = seconds * 4;
  for (let i = n - 1; i >= 0; i--) e.sample(bytesPerSec / 4, 250, endMs - i * 250);
}

describe("UplinkEstimate", () => {
  it("has no estimate before enough busy time, then the rate", () => {
    const e = new UplinkEstimate();
    expect(e.bytesPerSec(0)).toBeUndefined();
    feed(e, 62_500, UPLINK_ESTIMATE_MIN_BUSY_MS / 1000 - 1, 2_000);
    expect(e.bytesPerSec(2_000)).toBeUndefined();
    feed(e, 62_500, 1, 3_000);
    expect(e.bytesPerSec(3_000)).toBeCloseTo(62_500);
  });

  it("averages the bursts a channel's queue drains in (as read in a browser on a 500 kbit/s link)", () => {
    const e = new UplinkEstimate();
    // Readings of 250 ms: a 127-kB burst, then nothing for 1.75 s, and again: 63.5 kB/s in all.
    for (let t = 0; t < 12_000; t += 2_000) {
      e.sample(127_000, 250, t + 250);
      for (let k = 2; k <= 8; k++) e.sample(0, 250, t + k * 250);
    }
    expect(e.bytesPerSec(12_000)).toBeGreaterThan(40_000);
    expect(e.bytesPerSec(12_000)).toBeLessThan(90_000); // below a 540p segment's 111 kB/s
  });

  it("follows a link that changed, recent busy time counting most", () => {
    const e = new UplinkEstimate();
    feed(e, 62_500, 10, 10_000);
    feed(e, 600_000, 30, 40_000);
    expect(e.bytesPerSec(40_000)).toBeGreaterThan(500_000);
  });

  it("gives none once the last sample is too old, and starts afresh after", () => {
    const e = new UplinkEstimate();
    feed(e, 62_500, 5, 5_000);
    expect(e.bytesPerSec(5_000 + UPLINK_ESTIMATE_MAX_AGE_MS)).toBeCloseTo(62_500);
    expect(e.bytesPerSec(5_001 + UPLINK_ESTIMATE_MAX_AGE_MS)).toBeUndefined();
    const later = 10_000 + UPLINK_ESTIMATE_MAX_AGE_MS;
    feed(e, 600_000, 1, later);
    expect(e.bytesPerSec(later)).toBeUndefined(); // 1 s of busy time since: not enough yet
    feed(e, 600_000, 3, later + 3_000);
    expect(e.bytesPerSec(later + 3_000)).toBeCloseTo(600_000);
  });

  it("keeps a slow link's figure for minutes: a viewer that refuses uploads by it is not measured", () => {
    // A refusing viewer sends nothing, so no sample comes; re-measuring would fill its slow link.
    const e = new UplinkEstimate();
    feed(e, 62_500, 5, 5_000);
    expect(UPLINK_ESTIMATE_MAX_AGE_MS).toBeGreaterThanOrEqual(5 * 60_000);
    expect(e.bytesPerSec(5_000 + 4 * 60_000)).toBeCloseTo(62_500);
  });

  it("ignores samples without busy time or with numbers that are not finite", () => {
    const e = new UplinkEstimate();
    e.sample(1_000_000, 0, 0);
    e.sample(1_000_000, -5, 0);
    e.sample(Number.NaN, 2_000, 0);
    e.sample(1_000, Number.POSITIVE_INFINITY, 0);
    e.sample(-1, 2_000, 0);
    expect(e.bytesPerSec(0)).toBeUndefined();
    // Nothing left over busy time is a rate too: an uplink that carried nothing.
    e.sample(0, UPLINK_ESTIMATE_MIN_BUSY_MS, 0);
    expect(e.bytesPerSec(0)).toBe(0);
  });
});

describe("effectiveUploadBytesPerSec", () => {
  it("is the lower of the configured cap and the measured rate; 0 when neither is known", () => {
    expect(effectiveUploadBytesPerSec(0, undefined)).toBe(0);
    expect(effectiveUploadBytesPerSec(125_000, undefined)).toBe(125_000);
    expect(effectiveUploadBytesPerSec(0, 62_500)).toBe(62_500);
    expect(effectiveUploadBytesPerSec(125_000, 62_500)).toBe(62_500);
    expect(effectiveUploadBytesPerSec(62_500, 170_000)).toBe(62_500);
  });

  it("keeps a measured rate of 0 a limit (above 0), not 'no limit'", () => {
    const rate = effectiveUploadBytesPerSec(0, 0);
    expect(rate).toBeGreaterThan(0);
    expect(rate * 2).toBeLessThan(1);
  });
});
