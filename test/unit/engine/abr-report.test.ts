import { describe, expect, it } from "vitest";
import { peerDeliveryReportBps, reportedTransfer } from "../../../sdk/src/engine/abr-report.js";

describe("peerDeliveryReportBps", () => {
  it("reports peer deliveries at the measured HTTP throughput, or the player's estimate when higher", () => {
    // A viewer whose network got faster: few HTTP fetches keep its HTTP estimate low, the player's
    // estimate has climbed with them; a peer delivery must not pull it back down.
    expect(peerDeliveryReportBps(700_000, 2_400_000)).toBe(2_400_000);
    // The player's estimate lower (still converging, or its 500 kbit/s default): HTTP's figure.
    expect(peerDeliveryReportBps(3_000_000, 500_000)).toBe(3_000_000);
    expect(peerDeliveryReportBps(3_000_000, Number.NaN)).toBe(3_000_000);
  });

  it("is 0 (real timings) before any HTTP measurement, whatever the player believes", () => {
    expect(peerDeliveryReportBps(0, 500_000)).toBe(0);
  });
});

describe("reportedTransfer", () => {
  const timing = { requestStartMs: 1000, firstByteMs: 1050, endMs: 1250 };

  it("reports an HTTP delivery's own timings", () => {
    const http = { data: new Uint8Array(100_000), source: "http" as const, timing };
    expect(reportedTransfer(http, 2_000_000, 40)).toEqual({ ttfbMs: 50, transferMs: 200 });
  });

  it("reports a peer delivery as HTTP would have taken it, real timings before any HTTP figure", () => {
    const p2p = { data: new Uint8Array(250_000), source: "p2p" as const, timing };
    expect(reportedTransfer(p2p, 2_000_000, 40)).toEqual({ ttfbMs: 40, transferMs: 1000 });
    expect(reportedTransfer(p2p, 0, 40)).toEqual({ ttfbMs: 50, transferMs: 200 });
  });

  it("reports a peer delivery slower than the media it carries with its real timings", () => {
    // 210 kB of a 2-s segment over 2.4 s (a 700-kbit/s link): the level was not sustained.
    const slow = { requestStartMs: 1000, firstByteMs: 1100, endMs: 3500 };
    const p2p = { data: new Uint8Array(210_000), source: "p2p" as const, timing: slow };
    expect(reportedTransfer(p2p, 4_000_000, 40, 2000)).toEqual({ ttfbMs: 100, transferMs: 2400 });
    // Within the segment's duration, or with it unknown, paced to HTTP as before.
    expect(reportedTransfer(p2p, 4_000_000, 40, 3000)).toEqual({ ttfbMs: 40, transferMs: 420 });
    expect(reportedTransfer(p2p, 4_000_000, 40)).toEqual({ ttfbMs: 40, transferMs: 420 });
    // A cache hit is never "slow": its timings are memory's.
    expect(reportedTransfer({ ...p2p, source: "cache" as const }, 4_000_000, 40, 2000)).toEqual({
      ttfbMs: 40,
      transferMs: 420,
    });
  });
});
