// A long live session: N Chromium viewers with P2P on watch one live stream while every page is
// sampled at a fixed interval — JS heap after a forced GC, the SDK's store and in-flight loads, peer
// connections, playback position. Used by the soak bench (`npm run bench:soak`).
import type { Browser, CDPSession } from "puppeteer-core";
import type { NearcastStats, ResourceUsage } from "../../../sdk/src/index.js";
import { describePlayback, type PlaybackReport } from "./playback-report.js";
import { sleep } from "../../support/wait-for.js";
import { openViewer, watchPlayback, type Viewer } from "./viewer.js";
import { installPlaybackProbe, probePlayback, type PlaybackProbe } from "./soak-playback.js";

export interface SoakOptions {
  browser: Browser;
  /** The matrix page's origin (serves /page, /sdk, /hls). */
  pageOrigin: string;
  /** Live master playlist URL. */
  src: string;
  trackerUrl: string;
  viewers: number;
  durationMs: number;
  sampleEveryMs: number;
  storeMaxBytes: number;
  /** Plain hls.js on the same page, no SDK (the baseline for playback figures); SDK figures read 0. */
  plain?: boolean;
  log?: (line: string) => void;
}

export interface SoakPoint {
  /** Seconds since the last viewer started. */
  atSec: number;
  heapBytes: number;
  usage: ResourceUsage;
  connectedPeers: number;
  currentTime: number;
  playback: PlaybackProbe;
}

export interface SoakResult {
  series: SoakPoint[][];
  /** Each viewer's playback when the watch started (all viewers playing): the base of the deltas. */
  start: PlaybackProbe[];
  reports: PlaybackReport[];
  stats: (NearcastStats | null)[];
}

interface SoakPage {
  nearcast?: { engine: { getResourceUsage(): ResourceUsage }; getStats(): NearcastStats };
}

/** What a page without the SDK reports (plain hls.js). */
const NO_USAGE: ResourceUsage = {
  storeBytes: 0,
  storeSegments: 0,
  pendingLoads: 0,
  peerConnections: 0,
  swarms: 0,
  peerBufferedBytes: 0,
  peerBufferedPeakBytes: 0,
};

async function heapAfterGc(session: CDPSession): Promise<number> {
  await session.send("HeapProfiler.collectGarbage");
  const { usedSize } = await session.send("Runtime.getHeapUsage");
  return usedSize;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const viewers: Viewer[] = [];
  const sessions: CDPSession[] = [];
  try {
    for (let i = 0; i < options.viewers; i++) {
      const mode = options.plain ? "plain=1" : `p2p=1&store=${options.storeMaxBytes}`;
      const url =
        `${options.pageOrigin}/page/index.html?${mode}` +
        `&tracker=${encodeURIComponent(options.trackerUrl)}&src=${encodeURIComponent(options.src)}`;
      const viewer = await openViewer(options.browser, url, { name: `soak-${i}` });
      viewers.push(viewer);
      sessions.push(await viewer.page.createCDPSession());
      await viewer.waitForPlaying(30_000);
      if (i < options.viewers - 1) await sleep(2_000);
    }
    await Promise.all(viewers.map((v) => installPlaybackProbe(v.page)));
    const start = await Promise.all(viewers.map((v) => probePlayback(v.page)));
    const startedAt = Date.now();
    const watches = viewers.map((v) => watchPlayback(v, options.durationMs, 1_000));
    const series: SoakPoint[][] = viewers.map(() => []);
    while (Date.now() - startedAt < options.durationMs) {
      await sleep(
        Math.min(options.sampleEveryMs, Math.max(0, options.durationMs - (Date.now() - startedAt))),
      );
      const atSec = Math.round((Date.now() - startedAt) / 1000);
      const points = await Promise.all(
        viewers.map(async (viewer, i) => {
          const heapBytes = await heapAfterGc(sessions[i]!);
          const page = await viewer.page.evaluate((none) => {
            const w = window as unknown as SoakPage;
            return {
              usage: w.nearcast?.engine.getResourceUsage() ?? none,
              connectedPeers: w.nearcast?.getStats().connectedPeers ?? 0,
              currentTime: document.querySelector("video")?.currentTime ?? 0,
            };
          }, NO_USAGE);
          return { atSec, heapBytes, ...page, playback: await probePlayback(viewer.page) };
        }),
      );
      points.forEach((p, i) => series[i]!.push(p));
      options.log?.(
        `[soak] t=${String(atSec).padStart(4)} s  ` +
          points
            .map(
              (p, i) =>
                `v${i}: heap ${(p.heapBytes / 1e6).toFixed(2)} MB store ${(p.usage.storeBytes / 1e6).toFixed(1)} MB ` +
                `(${p.usage.storeSegments} seg) pending ${p.usage.pendingLoads} peers ${p.usage.peerConnections} t=${p.currentTime.toFixed(0)} ` +
                `behind ${p.playback.latencySec.toFixed(1)} s buf ${p.playback.bufferedAheadSec.toFixed(1)} s`,
            )
            .join(" | "),
      );
    }
    const reports = await Promise.all(watches);
    for (const r of reports) options.log?.(`[soak] ${describePlayback(r)}`);
    return { series, start, reports, stats: reports.map((r) => r.finalStats) };
  } finally {
    await Promise.allSettled(sessions.map((s) => s.detach()));
    await Promise.allSettled(viewers.map((v) => v.close()));
  }
}

/** Least-squares slope of heap bytes over the points, in bytes per minute. */
export function heapSlopeBytesPerMin(points: readonly SoakPoint[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const xs = points.map((p) => p.atSec / 60);
  const ys = points.map((p) => p.heapBytes);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface SoakVerdict {
  viewer: number;
  maxStoreBytes: number;
  heapSlopeLastWindowBytesPerMin: number;
  peersFirstHalfMax: number;
  peersSecondHalfMax: number;
  pendingFirstHalfMax: number;
  pendingSecondHalfMax: number;
}

/** Per viewer: the figures the soak judges, over the whole run and over its last `windowSec`. */
export function judgeSoak(series: readonly SoakPoint[][], windowSec: number): SoakVerdict[] {
  return series.map((points, viewer) => {
    const end = points[points.length - 1]?.atSec ?? 0;
    const last = points.filter((p) => p.atSec >= end - windowSec);
    const half = end / 2;
    const first = points.filter((p) => p.atSec < half);
    const second = points.filter((p) => p.atSec >= half);
    const max = (ps: SoakPoint[], f: (p: SoakPoint) => number) => Math.max(0, ...ps.map(f));
    return {
      viewer,
      maxStoreBytes: max(points, (p) => p.usage.storeBytes),
      heapSlopeLastWindowBytesPerMin: heapSlopeBytesPerMin(last),
      peersFirstHalfMax: max(first, (p) => p.usage.peerConnections),
      peersSecondHalfMax: max(second, (p) => p.usage.peerConnections),
      pendingFirstHalfMax: max(first, (p) => p.usage.pendingLoads),
      pendingSecondHalfMax: max(second, (p) => p.usage.pendingLoads),
    };
  });
}
