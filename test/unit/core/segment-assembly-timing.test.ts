import { describe, expect, it } from "vitest";
import { SegmentAssembly } from "../../../sdk/src/core/segment-assembly.js";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";

const request: SegmentRequest = {
  id: "7",
  swarmKey: "s|360p",
  url: "http://cdn.example/seg-7.ts",
  startTimeSec: 14,
  durationSec: 2,
  live: true,
};

describe("SegmentAssembly.timing: what hls.js's ABR is told", () => {
  it("times an HTTP segment from its HTTP request, not from the load call (a hold is not network time)", () => {
    const assembly = new SegmentAssembly(request, undefined);
    // Load called at 1000 ms, held for peers until 2200 ms, then fetched: first byte at 2250.
    assembly.httpRequestStarted(2200);
    assembly.setTotal(300);
    assembly.append(0, new Uint8Array(100), "http", 2250);
    assembly.append(100, new Uint8Array(200), "http", 2400);
    expect(assembly.timing(1000)).toEqual({ requestStartMs: 2200, firstByteMs: 2250, endMs: 2400 });
  });

  it("a retried HTTP request is timed from the retry", () => {
    const assembly = new SegmentAssembly(request, undefined);
    assembly.httpRequestStarted(1100);
    assembly.httpRequestStarted(2100);
    assembly.setTotal(10);
    assembly.append(0, new Uint8Array(10), "http", 2160);
    expect(assembly.timing(1000)).toEqual({ requestStartMs: 2100, firstByteMs: 2160, endMs: 2160 });
  });

  it("a segment mostly from peers keeps the load call's timings (loader-stats paces it to HTTP speed)", () => {
    const assembly = new SegmentAssembly(request, undefined);
    assembly.setTotal(300);
    assembly.append(0, new Uint8Array(250), "p2p", 1300);
    assembly.httpRequestStarted(1400);
    assembly.append(250, new Uint8Array(50), "http", 1450);
    expect(assembly.timing(1000)).toEqual({ requestStartMs: 1000, firstByteMs: 1300, endMs: 1450 });
  });
});

// A complete segment's bytes are joined once: the copy's confirmation and the delivery to the player
// share one buffer of its own, and the assembly still reads the same bytes afterwards.
describe("SegmentAssembly.bytes", () => {
  it("joins the chunks once, into a whole buffer that later calls return again", () => {
    const assembly = new SegmentAssembly(request, undefined);
    const all = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    assembly.setTotal(300);
    // Views into a larger buffer, as a reader's chunks may be.
    assembly.append(0, all.subarray(0, 100), "http", 1);
    assembly.append(100, all.subarray(100, 300), "http", 2);
    const first = assembly.bytes();
    expect(first).toEqual(all);
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(300);
    expect(first.buffer).not.toBe(all.buffer);
    expect(assembly.bytes()).toBe(first);
    expect(assembly.slice(50, 250)).toEqual(all.subarray(50, 250));
  });

  it("copies a lone chunk that is a view into a larger buffer", () => {
    const assembly = new SegmentAssembly(request, undefined);
    const backing = new Uint8Array(64).fill(9);
    assembly.append(0, backing.subarray(8, 40), "http", 1);
    const data = assembly.bytes();
    expect(data.buffer).not.toBe(backing.buffer);
    expect(data.byteLength).toBe(32);
    expect(assembly.bytes()).toBe(data);
  });
});
