import { describe, expect, it } from "vitest";
import { BandwidthPacer, slices } from "../../../demo-server/src/origin/cdn-emulation.js";

describe("BandwidthPacer", () => {
  it("lets byte k leave at start + k / rate", () => {
    let now = 1000;
    const pacer = new BandwidthPacer(800, () => now); // 100 000 bytes/s
    expect(pacer.bytesPerSec).toBe(100_000);
    expect(pacer.delayBeforeMs(0)).toBe(0); // starts the clock
    expect(pacer.delayBeforeMs(50_000)).toBe(500);
    now += 200;
    expect(pacer.delayBeforeMs(50_000)).toBe(300);
    now += 1000;
    expect(pacer.delayBeforeMs(50_000)).toBe(0); // late: no catch-up burst owed, just no wait
  });

  it("sizes slices for about 20 writes per second within bounds", () => {
    expect(new BandwidthPacer(800).sliceBytes).toBe(5000);
    expect(new BandwidthPacer(8).sliceBytes).toBe(512);
    expect(new BandwidthPacer(1_000_000).sliceBytes).toBe(65_536);
  });

  it("rejects a non-positive rate", () => {
    expect(() => new BandwidthPacer(0)).toThrow(RangeError);
  });
});

describe("slices", () => {
  it("splits a buffer without copying or losing bytes", () => {
    const parts = [...slices(Buffer.alloc(10, 7), 4)];
    expect(parts.map((part) => part.length)).toEqual([4, 4, 2]);
    expect([...slices(Buffer.alloc(0), 4)]).toEqual([]);
  });
});
