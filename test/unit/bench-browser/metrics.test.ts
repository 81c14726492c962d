import { describe, expect, it } from "vitest";
import {
  distinctDeliveredBytes,
  fractionOfCeiling,
  measureOrigin,
  median,
  mergeNewest,
  offloadCeiling,
  originOffload,
  percentile,
  rebufferRatio,
  requestsPerSegment,
  summarizeRun,
  type ClientRun,
  type OriginSnapshotLike,
  type ViewerMeasurement,
} from "../../../bench/browser/metrics.js";
import { OriginCounters } from "../../../demo-server/src/origin/origin-counters.js";

describe("percentile", () => {
  it("interpolates between closest ranks (R-7)", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
  });

  it("does not sort its input in place", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it("is null for no finite values and the value itself for one", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([Number.NaN], 50)).toBeNull();
    expect(percentile([700], 95)).toBe(700);
    expect(median([5, Number.NaN, 1])).toBe(3);
  });

  it("rejects p outside 0-100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("ratios", () => {
  it("offload at the origin is 1 − origin / delivered, 0 with nothing delivered", () => {
    expect(originOffload(25, 100)).toBe(0.75);
    expect(originOffload(100, 100)).toBe(0);
    expect(originOffload(110, 100)).toBeCloseTo(-0.1);
    expect(originOffload(10, 0)).toBe(0);
  });

  it("ceiling is 1 − 1/N and the fraction of it guards N = 1", () => {
    expect(offloadCeiling(6)).toBeCloseTo(5 / 6);
    expect(offloadCeiling(1)).toBe(0);
    expect(offloadCeiling(0)).toBe(0);
    expect(fractionOfCeiling(0.75, 4)).toBe(1);
    expect(fractionOfCeiling(0.375, 4)).toBe(0.5);
    expect(fractionOfCeiling(0.5, 1)).toBe(0);
  });

  it("rebuffer ratio and requests per segment guard empty denominators", () => {
    expect(rebufferRatio(500, 60_000)).toBeCloseTo(1 / 120);
    expect(rebufferRatio(500, 0)).toBe(0);
    expect(requestsPerSegment(60, 10)).toBe(6);
    expect(requestsPerSegment(0, 0)).toBe(0);
  });
});

describe("measureOrigin", () => {
  const target = { stream: "demo", rendition: "540p" };
  const counters = (): OriginCounters => {
    const origin = new OriginCounters({ latencyMs: 0, bandwidthKbps: 0, playlistLatencyMs: 0 });
    for (const [file, times] of [
      ["seg-live-10.ts", 3],
      ["seg-live-11.ts", 1],
      ["seg-live-12.ts", 2],
    ] as const) {
      for (let i = 0; i < times; i++) {
        origin.recordMediaRequest(target, file);
        origin.recordMediaBytes(target, file, 100);
      }
    }
    origin.recordMediaRequest({ stream: "demo", rendition: "360p" }, "seg-live-9.ts");
    origin.recordMediaBytes({ stream: "demo", rendition: "360p" }, "seg-live-9.ts", 50);
    // Two spot checks of seg-live-11 (a 206 each): counted apart from its whole-file fetch.
    for (let i = 0; i < 2; i++) {
      origin.recordMediaRequest(target, "seg-live-11.ts", true);
      origin.recordMediaBytes(target, "seg-live-11.ts", 4, true);
    }
    origin.recordPlaylist(target, 999);
    return origin;
  };

  it("counts distinct media files across renditions from the origin's real snapshot", () => {
    const measured = measureOrigin(counters().snapshot());
    expect(measured).toEqual({
      mediaBytes: 658,
      mediaRequests: 9,
      abortedMediaRequests: 0,
      rangeRequests: 2,
      rangeBytes: 8,
      distinctSegments: 4,
      aheadBytes: 0,
      aheadRequests: 0,
      aheadSegments: 0,
      fetchCounts: { 1: 2, 2: 1, 3: 1 },
      repeatedFiles: { "demo/540p/seg-live-10.ts": 3, "demo/540p/seg-live-12.ts": 2 },
    });
  });

  it("sets apart files newer than any player was handed, per rendition", () => {
    const measured = measureOrigin(counters().snapshot(), { "demo/540p": 11 });
    // seg-live-12 (2 requests, 200 bytes) is ahead; 360p was never handed to a player: waste, kept.
    expect(measured.aheadBytes).toBe(200);
    expect(measured.aheadRequests).toBe(2);
    expect(measured.aheadSegments).toBe(1);
    expect(measured.distinctSegments).toBe(3);
    expect(measured.mediaBytes).toBe(658);
    expect(measured.rangeRequests).toBe(2);
    expect(measured.fetchCounts).toEqual({ 1: 2, 3: 1 });
    expect(measured.repeatedFiles).toEqual({ "demo/540p/seg-live-10.ts": 3 });
  });

  it("never counts init segments (no sequence) as ahead and adds evicted keys", () => {
    const snapshot: OriginSnapshotLike = {
      totals: { mediaBytes: 10, mediaRequests: 2, abortedMediaRequests: 0 },
      streams: {
        s: {
          renditions: { r: { segments: { "init.mp4": { bytes: 10, requests: 2 } }, evictedSegments: 5 } },
        },
      },
    };
    expect(measureOrigin(snapshot, { "s/r": 0 })).toMatchObject({ distinctSegments: 6, aheadSegments: 0 });
  });

  it("distinctDeliveredBytes counts each media file once over all players", () => {
    expect(
      distinctDeliveredBytes([
        { "/streams/d/live/540p/seg-live-1.ts": 100, "/streams/d/live/540p/seg-live-2.ts": 200 },
        { "/streams/d/live/540p/seg-live-2.ts": 200, "/streams/d/live/360p/seg-live-2.ts": 90 },
        {},
      ]),
    ).toBe(390);
    expect(distinctDeliveredBytes([])).toBe(0);
  });

  it("mergeNewest keeps the highest sequence per rendition", () => {
    expect(mergeNewest([{ a: 3, b: 9 }, { a: 5 }, {}])).toEqual({ a: 5, b: 9 });
  });
});

describe("summarizeRun", () => {
  const viewer = (overrides: Partial<ViewerMeasurement>): ViewerMeasurement => ({
    name: "v",
    startupMs: 1000,
    startFailure: null,
    watchedMs: 30_000,
    advancedSec: 30,
    stalls: 0,
    stalledMs: 0,
    fatalErrors: 0,
    deliveredBytes: 1000,
    client: { httpBytes: 500, p2pBytes: 500, uploadBytes: 400, peers: 3 },
    latencySec: 6,
    levelHeight: 540,
    httpBytesAtStart: 100,
    ...overrides,
  });

  it("adds up viewers and compares the origin with what they received", () => {
    const run: ClientRun = {
      client: "nearcast",
      viewers: [
        viewer({ startupMs: 800, stalls: 1, stalledMs: 1500 }),
        viewer({ startupMs: 1200, latencySec: 8, advancedSec: 28.5 }),
        viewer({ startupMs: 1000, fatalErrors: 1 }),
        viewer({
          startupMs: null,
          startFailure: "timeout",
          watchedMs: 0,
          advancedSec: 0,
          deliveredBytes: 0,
          client: null,
          latencySec: null,
        }),
      ],
      origin: {
        mediaBytes: 1200,
        mediaRequests: 14,
        abortedMediaRequests: 1,
        distinctSegments: 6,
        aheadBytes: 200,
        aheadRequests: 2,
        aheadSegments: 1,
        rangeRequests: 4,
        rangeBytes: 40,
        fetchCounts: { 1: 4, 3: 2 },
        repeatedFiles: { "d/r/seg-1.ts": 3 },
      },
      distinctDeliveredBytes: 900,
    };
    const s = summarizeRun(run);
    expect(s.viewers).toBe(4);
    expect(s.deliveredBytes).toBe(3000);
    expect(s.originBytes).toBe(1000);
    expect(s.aheadBytes).toBe(200);
    expect(s.originOffload).toBeCloseTo(1 - 1000 / 3000);
    expect(s.strictOriginOffload).toBeCloseTo(1 - 1200 / 3000);
    expect(s.ceiling).toBe(0.75);
    expect(s.ofCeiling).toBeCloseTo(2 / 3 / 0.75);
    // (14 − 2 ahead − 4 Range) whole-file requests over 6 files.
    expect(s.requestsPerSegment).toBeCloseTo(8 / 6);
    expect(s.originRangeRequests).toBe(4);
    expect(s.originRangeBytes).toBe(40);
    expect(s.startupMedianMs).toBe(1000);
    expect(s.startupP95Ms).toBeCloseTo(1180);
    expect(s.failedStarts).toBe(1);
    expect(s.stalls).toBe(1);
    expect(s.rebufferRatio).toBeCloseTo(1500 / 90_000);
    expect(s.fatalErrors).toBe(1);
    expect(s.clientHttpBytes).toBe(1500);
    expect(s.clientP2pBytes).toBe(1500);
    expect(s.clientUploadBytes).toBe(1200);
    expect(s.clientOffload).toBe(0.5);
    expect(s.meanLatencySec).toBeCloseTo(20 / 3);
    // The viewer that never started adds no watch; the slow one pulls the rate under 1.
    expect(s.mediaRate).toBeCloseTo(88.5 / 90);
    expect(s.swarmIdealOffload).toBeCloseTo(0.7);
    expect(s.ofSwarmIdeal).toBeCloseTo(2 / 3 / 0.7);
    expect(s.fetchCounts).toEqual({ 1: 4, 3: 2 });
    expect(s.repeatedFiles).toEqual({ "d/r/seg-1.ts": 3 });
    expect(s.httpBytesAtStart).toBe(400);
  });

  it("has no startup or latency figures when nobody played", () => {
    const s = summarizeRun({
      client: "http",
      viewers: [viewer({ startupMs: null, latencySec: null, client: null, deliveredBytes: 0 })],
      origin: {
        mediaBytes: 0,
        mediaRequests: 0,
        abortedMediaRequests: 0,
        distinctSegments: 0,
        aheadBytes: 0,
        aheadRequests: 0,
        aheadSegments: 0,
        rangeRequests: 0,
        rangeBytes: 0,
        fetchCounts: {},
        repeatedFiles: {},
      },
      distinctDeliveredBytes: 0,
    });
    expect(s.startupMedianMs).toBeNull();
    expect(s.swarmIdealOffload).toBe(0);
    expect(s.ofSwarmIdeal).toBe(0);
    expect(s.meanLatencySec).toBeNull();
    expect(s.mediaRate).toBeCloseTo(1);
    expect(s.clientOffload).toBe(0);
    expect(s.originOffload).toBe(0);
  });
});
