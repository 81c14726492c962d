// The uplink estimate (sdk/src/core/policy/uplink-estimate.ts): samples → measurements → the rate the
// policy judges relaying by.
import { describe, expect, it } from "vitest";
import {
  UPLINK_MEASUREMENT_MAX_AGE_MS,
  UPLINK_MEASUREMENT_MIN_BUSY_MS,
  UPLINK_MEASUREMENTS_KEPT,
} from "../../../../sdk/src/core/policy/constants.js";
import {
  effectiveUploadBytesPerSec,
  UplinkEstimate,
} from "../../../../sdk/src/core/policy/uplink-estimate.js";

describe("UplinkEstimate", () => {
  it("has no estimate before a measurement's worth of busy time", () => {
    const e = new UplinkEstimate();
    expect(e.bytesPerSec(0)).toBeUndefined();
    e.sample(31_250, UPLINK_MEASUREMENT_MIN_BUSY_MS / 2, 500);
    expect(e.bytesPerSec(500)).toBeUndefined();
    // The second half completes one measurement: 62,500 bytes in 1 s of busy uplink.
    e.sample(31_250, UPLINK_MEASUREMENT_MIN_BUSY_MS / 2, 1_000);
    expect(e.bytesPerSec(1_000)).toBeCloseTo(62_500);
  });

  it("keeps the highest recent measurement: a slow receiver backing the queue up does not make the link slow", () => {
    const e = new UplinkEstimate();
    e.sample(170_000, 1_000, 1_000); // 1.36 Mbit/s to a fast receiver
    e.sample(87_500, 1_000, 2_000); // 700 kbit/s to a receiver on a slow downlink
    expect(e.bytesPerSec(2_000)).toBeCloseTo(170_000);
  });

  it("forgets measurements past their age: no estimate, as before any upload", () => {
    const e = new UplinkEstimate();
    e.sample(62_500, 1_000, 1_000);
    expect(e.bytesPerSec(1_000 + UPLINK_MEASUREMENT_MAX_AGE_MS)).toBeCloseTo(62_500);
    expect(e.bytesPerSec(1_001 + UPLINK_MEASUREMENT_MAX_AGE_MS)).toBeUndefined();
    // A faster measurement that has aged out no longer hides a slower recent one.
    e.sample(55_000, 1_000, 70_000);
    expect(e.bytesPerSec(70_000)).toBeCloseTo(55_000);
  });

  it("keeps a bounded number of measurements, the newest", () => {
    const e = new UplinkEstimate();
    e.sample(1_000_000, 1_000, 0); // the fastest, and the oldest
    for (let i = 1; i <= UPLINK_MEASUREMENTS_KEPT; i++) e.sample(50_000, 1_000, i);
    expect(e.bytesPerSec(UPLINK_MEASUREMENTS_KEPT)).toBeCloseTo(50_000);
  });

  it("ignores samples without busy time or with numbers that are not finite", () => {
    const e = new UplinkEstimate();
    e.sample(1_000_000, 0, 0);
    e.sample(1_000_000, -5, 0);
    e.sample(Number.NaN, 2_000, 0);
    e.sample(1_000, Number.POSITIVE_INFINITY, 0);
    e.sample(-1, 2_000, 0);
    expect(e.bytesPerSec(0)).toBeUndefined();
    // Nothing left over busy time is a measurement too: an uplink that carried nothing.
    e.sample(0, 1_000, 0);
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
