import { describe, expect, it } from "vitest";
import type { ClientSummary } from "../../../bench/browser/metrics.js";
import type { ViewerCost } from "../../../bench/browser/metrics-hard.js";
import {
  evaluateHardTargets,
  formatCostTable,
  formatJoinerLine,
  formatJoinerSteps,
  formatLevelTable,
  formatRenditionTable,
  type HardRun,
  type HardViewer,
} from "../../../bench/browser/report-hard.js";
import type { ClientName } from "../../../bench/pages/src/protocol.js";

const MiB = 1024 * 1024;

const viewer = (index: number, over: Partial<HardViewer> = {}): HardViewer => ({
  index,
  profileLabel: `p${index}`,
  joinedMidRun: false,
  startupMs: 400,
  levelHeight: 540,
  modalHeight: 540,
  cost: null,
  ...over,
});

const cost = (taskMs: number, sdkMs = 0): ViewerCost => ({
  watchedMs: 60_000,
  taskMs,
  scriptMs: taskMs / 4,
  heapEndBytes: 4 * MiB,
  heapMaxBytes: 5 * MiB,
  deliveredBytes: 4 * MiB,
  selfMsBySource: sdkMs > 0 ? { sdk: sdkMs, "hls.js": 200 } : { "hls.js": 200 },
  selfMsBySdkFile: sdkMs > 0 ? { "sdk/src/p2p/peer.ts": sdkMs } : {},
});

function run(client: ClientName, originOffload: number, viewers: HardViewer[], ceiling = 0.6): HardRun {
  return {
    client,
    summary: {
      client,
      viewers: viewers.length,
      originOffload,
      deliveredBytes: 10 * MiB,
      originBytes: 4 * MiB,
    } as ClientSummary,
    renditions: {
      ceiling,
      renditions: [
        {
          rendition: "demo/540p",
          deliveredBytes: 10 * MiB,
          distinctBytes: 4 * MiB,
          viewers: viewers.length,
          effectiveViewers: 2.5,
          originBytes: 4 * MiB,
        },
      ],
    },
    viewers,
  };
}

describe("evaluateHardTargets", () => {
  it("checks offload against the per-rendition ceiling and ABR honesty, saying by how much a miss is", () => {
    const http = run("http", 0, [viewer(0, { levelHeight: 360, modalHeight: 360 }), viewer(1)]);
    const nearcast = run("nearcast", 0.5, [viewer(0, { levelHeight: 240, modalHeight: 360 }), viewer(1)]);
    const checks = evaluateHardTargets({ minOfRenditionCeiling: 0.9, abrHonest: true }, [http, nearcast]);
    expect(checks).toEqual([
      {
        label: "offload ≥ 0.90 × per-rendition ceiling",
        pass: false,
        detail: "0.500 of 0.600 = 0.83, short by 0.07",
      },
      { label: "no viewer below its HTTP-only level", pass: false, detail: "1 lower: viewer 1 (p0)" },
    ]);
    expect(evaluateHardTargets({ abrHonest: true }, [nearcast])[0]).toMatchObject({ pass: false });
    expect(evaluateHardTargets({ abrHonest: true }, [http])).toEqual([]);
  });

  it("compares churn joiners' start-up with HTTP-only's joiners", () => {
    const joiners = (ms: number[]) =>
      ms.map((startupMs, i) => viewer(8 + i, { joinedMidRun: true, startupMs }));
    const http = run("http", 0, [viewer(0, { startupMs: 100 }), ...joiners([300, 400, 500])]);
    const fast = run("nearcast", 0.8, [viewer(0, { startupMs: 900 }), ...joiners([450, 520, 600])]);
    const slow = run("nearcast", 0.8, joiners([600, 700, 800]));
    const target = { joinerStartupWithinMsOfHttp: 150 };
    expect(evaluateHardTargets(target, [http, fast])[0]).toEqual({
      label: "joiners' start-up median within 150 ms of HTTP-only",
      pass: true,
      detail: "+120 ms (520 vs 400)",
    });
    expect(evaluateHardTargets(target, [http, slow])[0]?.detail).toBe("+300 ms (700 vs 400), over by 150 ms");
    expect(formatJoinerLine([http, fast])).toBe(
      "joiners' start-up median: HTTP-only (hls.js) 400 ms (300, 400, 500); Nearcast 520 ms (450, 520, 600)",
    );
  });

  it("places the joiners' start-up steps on the timeline (medians over joiners only)", () => {
    const joiner = (index: number, fragLoaded: number, firstPeer?: number) =>
      viewer(index, {
        joinedMidRun: true,
        startupMarks: {
          manifestLoading: 100,
          fragLoading: 200,
          fragLoaded,
          playing: fragLoaded + 100,
          ...(firstPeer !== undefined ? { firstPeer } : {}),
        },
      });
    const first = viewer(0, { startupMarks: { manifestLoading: 5000 } });
    const http = run("http", 0, [first, joiner(8, 300), joiner(9, 400), joiner(10, 500)]);
    const p2p = run("nearcast", 0.8, [joiner(8, 600, 250), joiner(9, 700, 350), joiner(10, 800, 450)]);
    const none = run("p2pml", 0, [viewer(0)]);
    expect(formatJoinerSteps([http, p2p, none])).toBe(
      "joiners' start-up steps (median ms since navigation): " +
        "HTTP-only (hls.js): manifest requested 100, first fragment requested 200, loaded 400, playing 500; " +
        "Nearcast: manifest requested 100, first fragment requested 200, loaded 700, playing 800, first peer 350; " +
        "p2p-media-loader: –",
    );
  });

  it("checks the main-thread overhead from the medians per viewer", () => {
    const http = run("http", 0, [viewer(0, { cost: cost(1000) }), viewer(1, { cost: cost(1200) })]);
    const ok = run("nearcast", 0.7, [
      viewer(0, { cost: cost(1300, 80) }),
      viewer(1, { cost: cost(1400, 80) }),
    ]);
    const heavy = run("nearcast", 0.7, [viewer(0, { cost: cost(2000, 80) })]);
    const target = { maxMainThreadOverhead: 0.25 };
    expect(evaluateHardTargets(target, [http, ok])[0]).toMatchObject({ pass: true, detail: "+23 %" });
    expect(evaluateHardTargets(target, [http, heavy])[0]).toMatchObject({
      pass: false,
      detail: "+82 %, over by 57 points",
    });
    expect(evaluateHardTargets(target, [ok])[0]).toMatchObject({ pass: false, detail: "no cost figure" });
    const table = formatCostTable([http, ok]);
    expect(table).toContain("| Nearcast | 2 | 1350 | +23 % | 338 | 4.0 / 5.0 | 8.0 | 20.0 | 50.0 | – |");
    expect(table).toContain("Nearcast: SDK self time by file, ms/MiB: p2p/peer.ts 20.0");
  });
});

describe("hard tables", () => {
  it("prints per-rendition rows with an overall row, and levels per viewer per client", () => {
    const http = run("http", 0, [viewer(0, { levelHeight: 360, modalHeight: 360 })]);
    const nearcast = run("nearcast", 0.54, [viewer(0, { levelHeight: 240, modalHeight: 240 })]);
    const renditions = formatRenditionTable([nearcast]);
    expect(renditions).toContain("| Nearcast | demo/540p | 1 (2.50) | 10.0 / 4.0 | 0.600 | 0.600 | 1.00 |");
    expect(renditions).toContain(
      "| Nearcast | **all** | 1 | 10.0 / 4.0 | 0.540 | 0.600 (per rendition) | **0.90** |",
    );
    const levels = formatLevelTable([http, nearcast]);
    expect(levels).toContain("| 1 | p0 | 360p / 360p | 240p / 240p | **lower** |");
  });
});
