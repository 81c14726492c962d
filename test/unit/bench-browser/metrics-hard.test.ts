import { describe, expect, it } from "vitest";
import {
  compareLevels,
  joinerStartupMedian,
  modalHeight,
  originBytesByRendition,
  overhead,
  renditionCeiling,
  renditionOffload,
  summarizeCost,
  type ViewerCost,
} from "../../../bench/browser/metrics-hard.js";

const seg = (rendition: string, n: number) => `/streams/demo/live/${rendition}/seg-live-${n}.ts`;

describe("renditionCeiling", () => {
  it("is Σ bytes_r × (1 − 1/N_r) over renditions when viewers of a rendition play the same files", () => {
    // 3 viewers on 240p, 2 on 540p, each file 100 / 300 bytes, two files each.
    const low = { [seg("240p", 1)]: 100, [seg("240p", 2)]: 100 };
    const high = { [seg("540p", 1)]: 300, [seg("540p", 2)]: 300 };
    const result = renditionCeiling([low, low, low, high, high], { "demo/240p": 200, "demo/540p": 900 });
    const expected = (600 * (1 - 1 / 3) + 1200 * (1 - 1 / 2)) / 1800;
    expect(result.ceiling).toBeCloseTo(expected, 12);
    expect(result.renditions).toEqual([
      {
        rendition: "demo/240p",
        deliveredBytes: 600,
        distinctBytes: 200,
        viewers: 3,
        effectiveViewers: 3,
        originBytes: 200,
      },
      {
        rendition: "demo/540p",
        deliveredBytes: 1200,
        distinctBytes: 600,
        viewers: 2,
        effectiveViewers: 2,
        originBytes: 900,
      },
    ]);
    expect(renditionOffload(result.renditions[0]!)).toBeCloseTo(1 - 200 / 600, 12);
    expect(renditionOffload(result.renditions[1]!)).toBeCloseTo(1 - 900 / 1200, 12);
  });

  it("weights a viewer that touched a rendition briefly by its bytes, not as a whole viewer", () => {
    // Viewer 2 played one 240p file while ABR settled, then 540p with viewer 1.
    const result = renditionCeiling([
      { [seg("540p", 1)]: 300, [seg("540p", 2)]: 300 },
      { [seg("240p", 1)]: 100, [seg("540p", 2)]: 300 },
    ]);
    const low = result.renditions.find((r) => r.rendition === "demo/240p")!;
    expect(low).toMatchObject({ viewers: 1, effectiveViewers: 1 });
    const high = result.renditions.find((r) => r.rendition === "demo/540p")!;
    expect(high).toMatchObject({
      viewers: 2,
      deliveredBytes: 900,
      distinctBytes: 600,
      effectiveViewers: 1.5,
    });
    // Only the second copy of 540p/seg 2 could have come from a peer.
    expect(result.ceiling).toBeCloseTo(300 / 1000, 12);
  });

  it("ignores what is not an origin media URL, and an empty run has ceiling 0", () => {
    expect(renditionCeiling([{ "/elsewhere/x.ts": 5, [seg("240p", 1)]: 0 }])).toEqual({
      renditions: [],
      ceiling: 0,
    });
    expect(renditionCeiling([])).toEqual({ renditions: [], ceiling: 0 });
  });
});

describe("originBytesByRendition", () => {
  it("leaves out files ahead of every player, per rendition", () => {
    const snapshot = {
      totals: { mediaBytes: 0, mediaRequests: 0, abortedMediaRequests: 0 },
      streams: {
        demo: {
          renditions: {
            "240p": {
              segments: {
                "seg-live-1.ts": { bytes: 10, requests: 1 },
                "seg-live-2.ts": { bytes: 20, requests: 1 },
              },
              evictedSegments: 0,
            },
            "540p": { segments: { "seg-live-9.ts": { bytes: 40, requests: 2 } }, evictedSegments: 0 },
            "360p": { segments: {}, evictedSegments: 0 },
          },
        },
      },
    };
    expect(originBytesByRendition(snapshot, { "demo/240p": 1 })).toEqual({
      "demo/240p": 10,
      "demo/540p": 40,
    });
    expect(originBytesByRendition(snapshot)).toEqual({ "demo/240p": 30, "demo/540p": 40 });
  });
});

describe("levels", () => {
  it("modalHeight is the most played height, the higher on a tie, null when none", () => {
    expect(modalHeight({ "240": 2, "540": 9, "360": 3 })).toBe(540);
    expect(modalHeight({ "240": 4, "360": 4 })).toBe(360);
    expect(modalHeight({ "?": 5, "240": 0 })).toBeNull();
    expect(modalHeight({})).toBeNull();
  });

  it("flags a Nearcast viewer whose final or most played level is below plain hls.js's", () => {
    const reference = [
      { index: 0, label: "a", finalHeight: 240, modalHeight: 240 },
      { index: 1, label: "b", finalHeight: 360, modalHeight: 360 },
      { index: 2, label: "c", finalHeight: 540, modalHeight: 540 },
    ];
    const candidate = [
      { index: 0, label: "a", finalHeight: 360, modalHeight: 240 },
      { index: 1, label: "b", finalHeight: 360, modalHeight: 240 },
      { index: 2, label: "c", finalHeight: 360, modalHeight: 540 },
      { index: 3, label: "d", finalHeight: 240, modalHeight: 240 },
    ];
    expect(compareLevels(reference, candidate).map((row) => [row.index, row.lower])).toEqual([
      [0, false],
      [1, true],
      [2, true],
      [3, false],
    ]);
    // Unknown levels are not evidence either way.
    expect(
      compareLevels(
        [{ index: 0, label: "a", finalHeight: 540, modalHeight: 540 }],
        [{ index: 0, label: "a", finalHeight: null, modalHeight: null }],
      )[0]?.lower,
    ).toBe(false);
  });
});

describe("joiners and cost", () => {
  it("takes the start-up median of mid-run joiners only", () => {
    expect(
      joinerStartupMedian([
        { startupMs: 100, joinedMidRun: false },
        { startupMs: 300, joinedMidRun: true },
        { startupMs: 500, joinedMidRun: true },
        { startupMs: null, joinedMidRun: true },
      ]),
    ).toBe(400);
    expect(joinerStartupMedian([{ startupMs: 100, joinedMidRun: false }])).toBeNull();
  });

  const cost = (over: Partial<ViewerCost>): ViewerCost => ({
    watchedMs: 60_000,
    taskMs: 0,
    scriptMs: 0,
    heapEndBytes: 0,
    heapMaxBytes: 0,
    deliveredBytes: 0,
    selfMsBySource: {},
    selfMsBySdkFile: {},
    ...over,
  });

  it("scales main-thread time to a minute of watching and charges profiler time per MiB delivered", () => {
    const MiB = 1024 * 1024;
    const summary = summarizeCost([
      cost({
        watchedMs: 30_000,
        taskMs: 1000,
        scriptMs: 300,
        heapEndBytes: 4 * MiB,
        heapMaxBytes: 6 * MiB,
        deliveredBytes: 2 * MiB,
        selfMsBySource: { sdk: 40, "hls.js": 100 },
        selfMsBySdkFile: { "sdk/src/core/scheduler.ts": 30, "sdk/src/p2p/peer.ts": 10 },
      }),
      cost({
        taskMs: 3000,
        scriptMs: 900,
        heapEndBytes: 8 * MiB,
        heapMaxBytes: 10 * MiB,
        deliveredBytes: 2 * MiB,
        selfMsBySource: { sdk: 40, "hls.js": 100 },
        selfMsBySdkFile: { "sdk/src/p2p/peer.ts": 40 },
      }),
    ]);
    expect(summary).toEqual({
      viewers: 2,
      taskMsPerMin: 2500, // medians of 2000 and 3000 ms/min
      scriptMsPerMin: 750,
      heapEndMiB: 6,
      heapMaxMiB: 8,
      sdkMsPerMiB: 20, // 80 ms over 4 MiB
      hlsMsPerMiB: 50,
      p2pmlMsPerMiB: null,
      sdkHotFiles: [
        { file: "sdk/src/p2p/peer.ts", msPerMiB: 12.5 },
        { file: "sdk/src/core/scheduler.ts", msPerMiB: 7.5 },
      ],
    });
    expect(summarizeCost([])).toMatchObject({ viewers: 0, taskMsPerMin: null, sdkMsPerMiB: null });
  });

  it("overhead is the relative increase, null without a usable reference", () => {
    expect(overhead(125, 100)).toBeCloseTo(0.25, 12);
    expect(overhead(80, 100)).toBeCloseTo(-0.2, 12);
    expect(overhead(80, 0)).toBeNull();
    expect(overhead(null, 100)).toBeNull();
  });
});
