import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createTracker } from "../../../demo-server/src/tracker/index.js";
import { DEFAULT_TRACKER_OPTIONS, resolveTrackerOptions } from "../../../demo-server/src/tracker/options.js";

describe("resolveTrackerOptions", () => {
  it("fills every key from the defaults", () => {
    expect(resolveTrackerOptions({})).toEqual(DEFAULT_TRACKER_OPTIONS);
    expect(resolveTrackerOptions({ maxSwarms: 5, trustProxy: undefined }).maxSwarms).toBe(5);
    expect(resolveTrackerOptions({ trustProxy: undefined }).trustProxy).toBe(false);
  });

  it("documents the defaults the brief asks for", () => {
    expect(DEFAULT_TRACKER_OPTIONS).toMatchObject({
      announceIntervalMs: 120_000,
      peerTimeoutMs: 240_000,
      maxMessageBytes: 65_536,
      maxOffersPerAnnounce: 10,
      maxNumwant: 50,
      trustProxy: false,
    });
  });

  it("rejects impossible values and combinations with a clear message", () => {
    expect(() => resolveTrackerOptions({ maxSwarms: 0 })).toThrow(/maxSwarms must be a positive/);
    expect(() => resolveTrackerOptions({ maxSwarms: Number.NaN })).toThrow(/maxSwarms/);
    expect(() => resolveTrackerOptions({ peerTimeoutMs: 60_000 })).toThrow(/peerTimeoutMs .* must exceed/);
    expect(() => resolveTrackerOptions({ sweepIntervalMs: 500_000 })).toThrow(/sweepIntervalMs/);
    expect(() => resolveTrackerOptions({ maxConnections: 10 })).toThrow(/maxConnectionsPerIp/);
    expect(() => resolveTrackerOptions({ rateLimitBurst: 0.5 })).toThrow(/rateLimitBurst/);
  });

  it("accepts a pino logger", async () => {
    const tracker = createTracker({ logger: pino({ level: "silent" }) });
    await tracker.close();
  });
});
