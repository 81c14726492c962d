// One scenario × client run: a fresh demo server (same settings for every client, so the simulated
// live stream starts at the same point), a fresh browser, N viewers in separate browser contexts
// joining staggered, each watched for the same span of its own playback, then every page and the
// origin read at one instant.
import type Hls from "hls.js";
import type { Browser } from "puppeteer-core";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import { closeBrowser, launchBrowser } from "../../test/browser/support/chromium.js";
import type { PlaybackReport } from "../../test/browser/support/playback-report.js";
import { delay, openViewer, watchPlayback, type Viewer } from "../../test/browser/support/viewer.js";
import type {
  BenchPageConfig,
  BenchPageSnapshot,
  BenchPageState,
  ClientName,
} from "../pages/src/protocol.js";
import { startBtTracker, type BtTracker } from "./bt-tracker.js";
import {
  distinctDeliveredBytes,
  measureOrigin,
  mergeNewest,
  originOffload,
  type ClientRun,
  type ViewerMeasurement,
} from "./metrics.js";
import { formatMiB } from "./report.js";
import { pageConfigFor, type Scenario } from "./scenarios.js";

/** First frames are slow on a loaded 2-core machine, slower still behind the CDN emulation. */
const START_TIMEOUT_MS = 60_000;
const PROGRESS_INTERVAL_MS = 10_000;
const SAMPLE_INTERVAL_MS = 500;

export interface ClientRunOptions {
  scenario: Scenario;
  client: ClientName;
  viewers: number;
  watchMs: number;
  /** Base URL of the static server holding bench/pages. */
  pagesUrl: string;
  progress: (message: string) => void;
  /** Registers a cleanup to run if the process is interrupted mid-run; returns its unregister. */
  onCleanup?: (cleanup: () => Promise<void>) => () => void;
}

export interface ViewerRecord extends ViewerMeasurement {
  /** Media seconds played during the watch. */
  advancedSec: number;
  longestStallMs: number;
  /** Non-fatal hls.js errors recorded by the page. */
  nonFatalErrors: string[];
  fatalErrorDetails: string[];
  /** Console errors and crashes of the page (first few). */
  pageProblems: string[];
  effectiveHlsConfig: BenchPageSnapshot["effective"] | null;
}

export interface ClientRunRecord extends ClientRun {
  viewers: ViewerRecord[];
  pageConfig: BenchPageConfig;
  serverUrl: string;
  trackerProblems: string[];
  wallMs: number;
}

export async function runClient(options: ClientRunOptions): Promise<ClientRunRecord> {
  const { scenario, client, progress } = options;
  const startedAt = Date.now();
  const tag = `${scenario.id}/${client}`;
  let server: RunningServer | undefined;
  let tracker: BtTracker | undefined;
  let browser: Browser | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const viewers: Viewer[] = [];
  const cleanup = async (): Promise<void> => {
    clearInterval(ticker);
    await Promise.allSettled(viewers.map((viewer) => viewer.close()));
    await closeBrowser(browser);
    await tracker?.close();
    await server?.close();
  };
  const unregister = options.onCleanup?.(cleanup);
  try {
    server = await startServer({
      host: "127.0.0.1",
      port: 0,
      cdnLatencyMs: scenario.server.cdnLatencyMs,
      cdnBandwidthKbps: scenario.server.cdnBandwidthKbps,
    });
    if (client === "p2pml") tracker = await startBtTracker();
    browser = await launchBrowser();
    const pageConfig = pageConfigFor(scenario, client, { serverUrl: server.url, btTrackerUrl: tracker?.url });
    const url = `${options.pagesUrl}/?client=${client}&cfg=${encodeURIComponent(JSON.stringify(pageConfig))}`;
    progress(
      `${tag}: ${options.viewers} viewers joining ${scenario.staggerMs / 1000} s apart, ` +
        `each watched ${options.watchMs / 1000} s (origin ${server.url}${tracker ? `, tracker ${tracker.url}` : ""})`,
    );

    const activeServer = server;
    activeServer.origin.resetStats();
    const runStart = Date.now();
    ticker = setInterval(() => {
      void describeProgress(viewers, activeServer).then(
        (line) => progress(`${tag} +${Math.round((Date.now() - runStart) / 1000)} s: ${line}`),
        () => undefined,
      );
    }, PROGRESS_INTERVAL_MS);

    const watches: Promise<PlaybackReport | null>[] = [];
    const startFailures: (string | null)[] = [];
    for (let i = 0; i < options.viewers; i++) {
      const viewer = await openViewer(browser, url, { name: `${client}-${i}` });
      viewers.push(viewer);
      try {
        // The bundle is loaded by the page's inline script; when it could not configure the player,
        // say so at once instead of waiting for a start that cannot come.
        const setupError = await viewer.page.evaluate(
          () => (window as unknown as { bench?: BenchPageState }).bench?.setupError ?? null,
        );
        if (setupError !== null) throw new Error(`bench page setup failed: ${setupError}`);
        await viewer.waitForPlaying(START_TIMEOUT_MS);
        startFailures.push(null);
        const snapshot = await snapshotViewer(viewer);
        progress(
          `${tag}: viewer ${i + 1}/${options.viewers} playing, startup ${Math.round(snapshot.startupMs ?? NaN)} ms`,
        );
        watches.push(
          watchPlayback(viewer, options.watchMs, SAMPLE_INTERVAL_MS).catch((error: unknown) => {
            progress(`${tag}: watching ${viewer.name} failed: ${(error as Error).message}`);
            return null;
          }),
        );
      } catch (error) {
        const message = (error as Error).message;
        startFailures.push(message);
        watches.push(Promise.resolve(null));
        progress(`${tag}: viewer ${i + 1}/${options.viewers} did not start: ${message}`);
      }
      if (i < options.viewers - 1) await delay(scenario.staggerMs);
    }
    const reports = await Promise.all(watches);
    clearInterval(ticker);
    // Early viewers kept loading after their watch ended: read every page and the origin at one
    // instant, so both sides of the ratio cover the same bytes.
    const finals = await Promise.all(viewers.map((viewer) => snapshotViewer(viewer).catch(() => null)));
    const origin = measureOrigin(
      activeServer.origin.getStats(),
      mergeNewest(finals.map((final) => final?.newestDelivered ?? {})),
    );

    const records = viewers.map((viewer, i): ViewerRecord => {
      const report = reports[i] ?? null;
      const final = finals[i] ?? null;
      const errors = final?.errors ?? [];
      return {
        name: viewer.name,
        startupMs: final?.startupMs ?? null,
        startFailure: startFailures[i] ?? (final ? null : "page could not be read"),
        watchedMs: report?.durationMs ?? 0,
        stalls: report?.stalls ?? 0,
        stalledMs: report?.stalledMs ?? 0,
        fatalErrors: errors.filter((error) => error.fatal).length,
        deliveredBytes: final?.deliveredBytes ?? 0,
        client: final?.stats ?? null,
        latencySec: final?.latencySec ?? null,
        levelHeight: final?.levelHeight ?? null,
        httpBytesAtStart: final?.httpBytesAtStartup ?? 0,
        advancedSec: report?.advancedSec ?? 0,
        longestStallMs: report?.longestStallMs ?? 0,
        nonFatalErrors: errors.filter((error) => !error.fatal).map((error) => error.details),
        fatalErrorDetails: errors.filter((error) => error.fatal).map((error) => error.details),
        pageProblems: viewer.problems.slice(0, 10).map((problem) => `${problem.kind}: ${problem.text}`),
        effectiveHlsConfig: final?.effective ?? null,
      };
    });
    const delivered = records.reduce((sum, record) => sum + record.deliveredBytes, 0);
    const originBytes = origin.mediaBytes - origin.aheadBytes;
    progress(
      `${tag}: done — origin ${formatMiB(originBytes)} MiB (+${formatMiB(origin.aheadBytes)} MiB ahead of ` +
        `playback) for ${formatMiB(delivered)} MiB delivered, offload ${originOffload(originBytes, delivered).toFixed(3)}`,
    );
    return {
      client,
      viewers: records,
      origin,
      distinctDeliveredBytes: distinctDeliveredBytes(finals.map((final) => final?.deliveredSegments ?? {})),
      pageConfig,
      serverUrl: activeServer.url,
      trackerProblems: tracker?.problems.slice(0, 20) ?? [],
      wallMs: Date.now() - startedAt,
    };
  } finally {
    unregister?.();
    await cleanup();
  }
}

async function describeProgress(viewers: readonly Viewer[], server: RunningServer): Promise<string> {
  const snapshots = (
    await Promise.all(viewers.map((viewer) => snapshotViewer(viewer).catch(() => null)))
  ).filter((snapshot): snapshot is BenchPageSnapshot => snapshot !== null);
  const originBytes = server.origin.getStats().totals.mediaBytes;
  const delivered = snapshots.reduce((sum, s) => sum + s.deliveredBytes, 0);
  const p2p = snapshots.reduce((sum, s) => sum + (s.stats?.p2pBytes ?? 0), 0);
  const peers = snapshots.map((s) => s.stats?.peers ?? 0);
  const playing = snapshots.filter((s) => s.startupMs !== null).length;
  const fatal = snapshots.reduce((sum, s) => sum + s.errors.filter((error) => error.fatal).length, 0);
  const positions = snapshots
    .map((s) => `${s.currentTime.toFixed(0)}s/${s.bufferedAhead.toFixed(0)}`)
    .join(" ");
  return (
    `${playing}/${viewers.length} playing, origin ${formatMiB(originBytes)} MiB, delivered ${formatMiB(delivered)} MiB ` +
    `(offload ${originOffload(originBytes, delivered).toFixed(2)}), client P2P ${formatMiB(p2p)} MiB, ` +
    `peers [${peers.join(",")}], fatal ${fatal}, t/ahead [${positions}]`
  );
}

export async function snapshotViewer(viewer: Pick<Viewer, "page">): Promise<BenchPageSnapshot> {
  return viewer.page.evaluate(snapshotPage);
}

/** Runs in the page: must stay self-contained (no helpers, no named inner functions). */
function snapshotPage(): BenchPageSnapshot {
  const w = window as unknown as {
    bench?: BenchPageState;
    hls?: Hls;
    playerErrors?: { type: string; details: string; fatal: boolean }[];
  };
  const video = document.querySelector("video");
  let bufferedAhead = 0;
  if (video) {
    for (let i = 0; i < video.buffered.length; i++) {
      const start = video.buffered.start(i);
      const end = video.buffered.end(i);
      if (start <= video.currentTime + 0.1 && end > video.currentTime)
        bufferedAhead = end - video.currentTime;
    }
  }
  const hls = w.hls;
  const level = hls && hls.currentLevel >= 0 ? hls.levels[hls.currentLevel] : undefined;
  const live = hls?.latestLevelDetails?.live === true;
  const bench = w.bench;
  return {
    client: bench ? bench.client : "http",
    startupMs: bench ? bench.startupMs : null,
    httpBytesAtStartup: bench ? bench.httpBytesAtStartup : 0,
    deliveredBytes: bench ? bench.deliveredBytes : 0,
    deliveredFragments: bench ? bench.deliveredFragments : 0,
    newestDelivered: bench ? { ...bench.newestDelivered } : {},
    deliveredSegments: bench ? { ...bench.deliveredSegments } : {},
    setupError: bench ? bench.setupError : "window.bench missing",
    stats: bench ? bench.stats() : null,
    errors: (w.playerErrors ?? []).map((error) => ({
      type: String(error.type),
      details: String(error.details),
      fatal: Boolean(error.fatal),
    })),
    currentTime: video ? video.currentTime : 0,
    bufferedAhead,
    latencySec: hls && live && Number.isFinite(hls.latency) ? hls.latency : null,
    levelHeight: level ? level.height : null,
    effective: {
      liveSyncDurationCount: hls ? (hls.config.liveSyncDurationCount ?? null) : null,
      maxBufferLength: hls ? hls.config.maxBufferLength : null,
      maxMaxBufferLength: hls ? hls.config.maxMaxBufferLength : null,
    },
  };
}
