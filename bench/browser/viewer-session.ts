// One viewer of a bench run from join to leave: opens the page in its seat (browser and network, see
// viewer-network.ts), watches playback until told to stop (or for a fixed span), changes its
// downlink on schedule, and optionally measures what the page costs (cost-probe.ts).
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { analyzePlayback, type PlaybackReport } from "../../test/browser/support/playback-report.js";
import { openViewer, type PlaybackSample, type Viewer } from "../../test/browser/support/viewer.js";
import { sleep } from "../../test/support/wait-for.js";
import type { BenchPageSnapshot, BenchPageState } from "../pages/src/protocol.js";
import { snapshotViewer } from "./page-snapshot.js";
import { startCostProbe, type CostProbe } from "./cost-probe.js";
import type { SourceResolver } from "./cpu-profile.js";
import type { ViewerProfile } from "./hard-scenarios.js";
import type { ViewerCost } from "./metrics-hard.js";
import type { ViewerSeat } from "./viewer-network.js";

const SAMPLE_INTERVAL_MS = 500;
const HEAP_SAMPLE_EVERY = 10;

export interface ViewerSessionOptions {
  seat: ViewerSeat;
  url: string;
  name: string;
  profile: ViewerProfile;
  startTimeoutMs: number;
  /** Measure cost: the bundle URL suffix and its source resolver. */
  cost?: { bundleUrlSuffix: string; resolve: SourceResolver };
}

export interface ViewerSession {
  readonly viewer: Viewer;
  /** Starts watching; resolves with the report once {@link stop} is called or `maxMs` passed. */
  watch(maxMs: number): Promise<PlaybackReport | null>;
  /** Ends the watch early (churn): resolves once the watch has ended. */
  stop(): Promise<void>;
  cost(): ViewerCost | null;
}

/** Opens the viewer's page; throws when the page cannot be set up. Waiting to play is the caller's. */
export async function openSession(options: ViewerSessionOptions): Promise<ViewerSession> {
  const { profile } = options;
  const { seat } = options;
  const viewer = await openViewer(seat.browser, options.url, {
    name: options.name,
    beforeLoad: async (page) => {
      await seat.prepare(page);
      await captureDebugLog(page, options.name);
    },
  });
  const setupError = await viewer.page.evaluate(
    () => (window as unknown as { bench?: BenchPageState }).bench?.setupError ?? null,
  );
  if (setupError !== null) {
    await viewer.close();
    throw new Error(`bench page setup failed: ${setupError}`);
  }
  let stopRequested = false;
  let watching: Promise<PlaybackReport | null> | undefined;
  let measured: ViewerCost | null = null;

  const watch = (maxMs: number): Promise<PlaybackReport | null> => {
    watching ??= (async () => {
      const timers = profile.downlinkChanges.map((change) =>
        setTimeout(() => {
          if (stopRequested) return;
          seat.setDownlink(viewer.page, change.downlinkKbps).catch(() => undefined);
        }, change.afterMs),
      );
      let probe: CostProbe | undefined;
      let startDelivered = 0;
      try {
        if (options.cost) {
          startDelivered = (await snapshotViewer(viewer)).deliveredBytes;
          probe = await startCostProbe(viewer.page, options.cost.bundleUrlSuffix, options.cost.resolve);
        }
        const samples: PlaybackSample[] = [await viewer.sample()];
        const first = samples[0] as PlaybackSample;
        let last = first;
        while (!stopRequested && last.atMs - first.atMs < maxMs) {
          const dueMs = first.atMs + samples.length * SAMPLE_INTERVAL_MS;
          await sleep(Math.max(dueMs - Date.now(), SAMPLE_INTERVAL_MS / 2));
          last = await viewer.sample();
          samples.push(last);
          if (probe && samples.length % HEAP_SAMPLE_EVERY === 0) await probe.sample();
        }
        if (probe) {
          const snapshot: BenchPageSnapshot = await snapshotViewer(viewer);
          measured = await probe.stop(last.atMs - first.atMs, snapshot.deliveredBytes - startDelivered);
        }
        return analyzePlayback(viewer.name, samples);
      } finally {
        for (const timer of timers) clearTimeout(timer);
      }
    })();
    return watching;
  };

  return {
    viewer,
    watch,
    async stop() {
      stopRequested = true;
      await watching?.catch(() => null);
    },
    cost: () => measured,
  };
}

/** Env var: a directory where every bench page's console goes, with the SDK's debug log turned on. */
export const DEBUG_LOG_DIR_ENV = "NEARCAST_BENCH_DEBUG_LOG_DIR";

/** Env var: the `debug` namespaces those pages log (default `nearcast:engine`; e.g. `nearcast:*`). */
export const DEBUG_NAMESPACES_ENV = "NEARCAST_BENCH_DEBUG_NAMESPACES";

/**
 * With `NEARCAST_BENCH_DEBUG_LOG_DIR=<dir>` (see bench/browser/README.md), turns on the SDK's
 * `nearcast:engine` debug log in the page (`localStorage.debug`, read by the `debug` package) and
 * appends everything the page logs to `<dir>/<viewer name>.log`, one line per message, prefixed
 * with the epoch ms it arrived. The scheduler's every decision is in it (segment, source, reason,
 * deadline, peers, candidates). It slows the pages: for diagnosis, not for figures.
 */
async function captureDebugLog(page: Page, name: string): Promise<void> {
  const dir = process.env[DEBUG_LOG_DIR_ENV];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, "_")}.log`);
  const namespaces = process.env[DEBUG_NAMESPACES_ENV] || "nearcast:engine";
  await page.evaluateOnNewDocument((ns: string) => localStorage.setItem("debug", ns), namespaces);
  page.on("console", (message) => appendFileSync(file, `${Date.now()} ${message.text()}\n`));
}
