import { describe, expect, it } from "vitest";
import {
  classifyHttpLoads,
  expectedFetchesWithoutHold,
  lagFromHistogram,
  mean,
  median,
  offloadCeiling,
  originOffload,
  p2pShare,
  percentile,
  runCeiling,
  segmentCounterDelta,
  segmentFetchStats,
  startupLoads,
  summarize,
  type SegmentRecord,
  type ViewerResult,
} from "../../../bench/lib/swarm-metrics.js";

function seg(msn: number, over: Partial<SegmentRecord> = {}): SegmentRecord {
  return {
    msn,
    requestMs: 1000 + msn * 2000,
    doneMs: 1010 + msn * 2000,
    source: "p2p",
    bytes: 100,
    httpBytes: 0,
    p2pBytes: 100,
    bufferAheadSec: 4,
    peersAtRequest: 3,
    ordinal: msn,
    decision: "p2p:complete",
    ...over,
  };
}

const http = (msn: number, over: Partial<SegmentRecord> = {}) =>
  seg(msn, { source: "http", httpBytes: 100, p2pBytes: 0, decision: "http:no-peer-has-it", ...over });

function viewer(index: number, segments: SegmentRecord[], over: Partial<ViewerResult> = {}): ViewerResult {
  return {
    index,
    joinMs: 0,
    firstPeerMs: 500,
    startupMs: 200,
    stalls: 0,
    stalledMs: 0,
    segments,
    errors: [],
    segmentErrors: 0,
    warnings: 0,
    httpDownloadedBytes: segments.reduce((s, x) => s + x.httpBytes, 0),
    p2pDownloadedBytes: segments.reduce((s, x) => s + x.p2pBytes, 0),
    httpRequests: segments.filter((x) => x.httpBytes > 0).length,
    connectedPeersAtEnd: 3,
    disconnects: {},
    ...over,
  };
}

describe("percentile", () => {
  it("interpolates between the closest ranks (R-7), the browser bench's definition too", () => {
    const xs = [50, 10, 40, 20, 30];
    expect(percentile(xs, 50)).toBe(30);
    expect(percentile(xs, 95)).toBeCloseTo(48);
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 100)).toBe(50);
    expect(percentile(xs, 20)).toBeCloseTo(18);
    expect(percentile(xs, 25)).toBe(20);
    expect(xs).toEqual([50, 10, 40, 20, 30]); // not sorted in place
  });

  it("p95 of 1..20 lies between the 19th and 20th values", () => {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBeCloseTo(19.05);
    expect(median(xs)).toBe(10.5);
  });

  it("is undefined without values and rejects a bad p", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(median([])).toBeUndefined();
    expect(mean([])).toBeUndefined();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("offload ratios", () => {
  it("origin offload is the share of received bytes the origin did not serve", () => {
    expect(originOffload(25, 100)).toBeCloseTo(0.75);
    expect(originOffload(0, 100)).toBe(1);
    expect(originOffload(150, 100)).toBeCloseTo(-0.5);
    expect(originOffload(10, 0)).toBeUndefined();
  });

  it("the ceiling is 1 − 1/N", () => {
    expect(offloadCeiling(1)).toBe(0);
    expect(offloadCeiling(10)).toBeCloseTo(0.9);
    expect(offloadCeiling(50)).toBeCloseTo(0.98);
    expect(offloadCeiling(0)).toBe(0);
  });

  it("client P2P share is p2p over all downloaded bytes", () => {
    expect(p2pShare(30, 10)).toBeCloseTo(0.75);
    expect(p2pShare(0, 0)).toBeUndefined();
  });

  it("run ceiling counts each distinct segment once", () => {
    const a = viewer(0, [http(1), http(2)]);
    const b = viewer(1, [seg(2), seg(3)]);
    // 4 loads of 100 bytes, 3 distinct segments
    expect(runCeiling([a, b])).toBeCloseTo(1 - 300 / 400);
    expect(runCeiling([])).toBeUndefined();
  });
});

describe("CDN fetches per segment", () => {
  const counters = {
    "seg-live-10.ts": { bytes: 300, requests: 3 },
    "seg-live-11.ts": { bytes: 100, requests: 1 },
    "seg-live-12.ts": { bytes: 0, requests: 0 },
    "init.mp4": { bytes: 10, requests: 5 },
  };

  it("is requests per distinct segment requested, with the max and the repeats", () => {
    expect(segmentFetchStats(counters, /^init\./)).toEqual({
      segments: 2,
      requests: 4,
      meanRequests: 2,
      maxRequests: 3,
      repeated: 1,
    });
    expect(segmentFetchStats(counters).segments).toBe(3);
    expect(segmentFetchStats({})).toEqual({
      segments: 0,
      requests: 0,
      meanRequests: undefined,
      maxRequests: undefined,
      repeated: 0,
    });
  });

  it("a window is the difference of two snapshots", () => {
    const earlier = { "a.ts": { bytes: 100, requests: 1 }, "b.ts": { bytes: 50, requests: 2 } };
    const later = {
      "a.ts": { bytes: 100, requests: 1 },
      "b.ts": { bytes: 150, requests: 4 },
      "c.ts": { bytes: 100, requests: 1 },
    };
    expect(segmentCounterDelta(later, earlier)).toEqual({
      "b.ts": { bytes: 100, requests: 2 },
      "c.ts": { bytes: 100, requests: 1 },
    });
    expect(segmentCounterDelta(later, undefined)).toEqual(later);
  });

  it("expected fetches without a hold: N / (degree + 1), the mesh capped at N − 1", () => {
    expect(expectedFetchesWithoutHold(50, 10)).toBeCloseTo(50 / 11);
    expect(expectedFetchesWithoutHold(10, 10)).toBeCloseTo(1);
    expect(expectedFetchesWithoutHold(10, 0)).toBe(10);
    expect(expectedFetchesWithoutHold(0, 5)).toBe(0);
  });
});

describe("classifyHttpLoads", () => {
  it("the earliest HTTP load of a segment is its necessary fetch; later ones are duplicates by cause", () => {
    const viewers = [
      viewer(0, [http(10, { requestMs: 100 }), http(11, { requestMs: 2100 })]),
      viewer(1, [
        http(10, { requestMs: 150, peersAtRequest: 0, ordinal: 0 }),
        http(11, { requestMs: 2050, ordinal: 1 }), // asked first for 11: the necessary fetch
        http(12, { requestMs: 4000, ordinal: 2, decision: "http:no-time" }),
      ]),
      viewer(2, [
        http(10, { requestMs: 300, ordinal: 0, decision: "http:no-time" }),
        http(11, { requestMs: 2300, ordinal: 9, decision: "http:no-time" }),
        http(12, { requestMs: 4100, httpBytes: 40, p2pBytes: 60 }),
        http(13, { requestMs: 6000, decision: undefined }),
        http(13, { requestMs: 6001, decision: "http:no-peer-has-it", peersAtRequest: 5 }),
      ]),
      viewer(3, [seg(10), seg(11)]),
    ];
    const byCategory = Object.fromEntries(classifyHttpLoads(viewers, 4).map((b) => [b.category, b]));
    expect(byCategory["first fetch of the segment"]!.loads).toBe(4); // 10, 11, 12, 13
    expect(byCategory["before the first peer"]!.loads).toBe(1);
    expect(byCategory["start-up, no time to wait"]!.loads).toBe(1);
    expect(byCategory["no time to wait"]!.loads).toBe(1);
    expect(byCategory["resumed after a P2P failure"]).toMatchObject({ loads: 1, httpBytes: 40 });
    // 11 asked first at 2050 by viewer 1; 13 first at 6000
    expect(byCategory["no connected peer had it"]).toMatchObject({
      loads: 2,
      meanPeers: 4,
      medianGapMs: 25.5,
    });
    expect(byCategory["first fetch of the segment"]!.medianGapMs).toBeUndefined();
    expect(byCategory["other"]!.loads).toBe(0);
    const total = classifyHttpLoads(viewers, 4).reduce((s, b) => s + b.loads, 0);
    expect(total).toBe(10);
  });
});

describe("summarize", () => {
  it("computes the table row of a run", () => {
    const viewers = [
      viewer(0, [http(1), http(2), http(3)], { firstPeerMs: 1000, joinMs: 0, startupMs: 100 }),
      viewer(1, [seg(1), seg(2), seg(3)], {
        firstPeerMs: 1300,
        joinMs: 1000,
        startupMs: 300,
        stalls: 1,
        stalledMs: 500,
      }),
      viewer(2, [seg(2, { doneMs: 9000 }), seg(3, { doneMs: 9000 })], {
        firstPeerMs: undefined,
        startupMs: undefined,
        warnings: 2,
      }),
    ];
    const s = summarize({
      viewers,
      workers: 2,
      originMediaBytes: 320,
      originSegments: {
        "s1.ts": { bytes: 100, requests: 1 },
        "s2.ts": { bytes: 100, requests: 1 },
        "s3.ts": { bytes: 120, requests: 2 },
      },
      steady: {
        fromMs: 8000,
        originMediaBytes: 300,
        originSegments: { "s1.ts": { bytes: 100, requests: 1 } },
      },
    });
    expect(s.viewers).toBe(3);
    expect(s.receivedBytes).toBe(800);
    expect(s.offload).toBeCloseTo(1 - 320 / 800);
    expect(s.ceiling).toBeCloseTo(2 / 3);
    expect(s.ofCeiling).toBeCloseTo((1 - 320 / 800) / (2 / 3));
    expect(s.steadyOffload).toBeCloseTo(1 - 20 / 200);
    expect(s.steadyFetch).toMatchObject({ segments: 2, requests: 3 });
    expect(s.fetch).toMatchObject({ segments: 3, requests: 4, maxRequests: 2, repeated: 1 });
    expect(s.p2pShare).toBeCloseTo(500 / 800);
    expect(s.firstPeerMedianMs).toBe(650); // between 300 and 1000
    expect(s.firstPeerP95Ms).toBe(965);
    expect(s.viewersWithoutPeer).toBe(1);
    expect(s.startupMedianMs).toBe(200); // between 100 and 300
    expect(s.stalls).toBe(1);
    expect(s.viewersWithStalls).toBe(1);
    expect(s.stalledSec).toBeCloseTo(0.5);
    expect(s.errors).toBe(0);
    expect(s.warnings).toBe(2);
    expect(s.runCeiling).toBeCloseTo(1 - 300 / 800);
  });

  it("without a steady window leaves its figures undefined", () => {
    const s = summarize({ viewers: [], workers: 0, originMediaBytes: 0, originSegments: {} });
    expect(s.offload).toBeUndefined();
    expect(s.steadyOffload).toBeUndefined();
    expect(s.steadyFetch).toBeUndefined();
    expect(s.ofCeiling).toBeUndefined();
  });
});

describe("lagFromHistogram", () => {
  it("subtracts the sampling interval and reads no samples as 0", () => {
    const h = { percentile: (p: number) => (p === 50 ? 10.5e6 : 35e6), max: 210e6 };
    expect(lagFromHistogram("w", h, 0.5, 10)).toEqual({
      process: "w",
      p50Ms: 0.5,
      p99Ms: 25,
      maxMs: 200,
      cpuShare: 0.5,
    });
    const empty = { percentile: () => Number.NaN, max: 0 };
    expect(lagFromHistogram("w", empty, 0, 10)).toMatchObject({ p50Ms: 0, p99Ms: 0, maxMs: 0 });
  });
});

describe("startupLoads", () => {
  it("counts HTTP among each viewer's first k loads and when they were asked", () => {
    const viewers = [
      viewer(
        0,
        [
          http(5, { ordinal: 0, requestMs: 1003 }),
          seg(6, { ordinal: 1, requestMs: 1015 }),
          http(7, { ordinal: 2 }),
        ],
        {
          joinMs: 1000,
        },
      ),
      viewer(1, [http(6, { ordinal: 0, requestMs: 2005 }), http(7, { ordinal: 1, requestMs: 2020 })], {
        joinMs: 2000,
      }),
    ];
    const s = startupLoads(viewers, 2);
    expect(s.httpByOrdinal).toEqual([2, 1]);
    expect(s.requestMedianMs).toEqual([4, 17.5]);
    expect(s.httpPerViewer).toBe(1.5);
    expect(startupLoads([], 2).httpPerViewer).toBeUndefined();
  });
});
