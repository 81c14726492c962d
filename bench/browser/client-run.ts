// One scenario × client run: a fresh demo server (same settings for every client, so the simulated
// live stream starts at the same point), a fresh viewer network (tc: a namespace and a browser per
// viewer; devtools: one browser, a context per viewer — see viewer-network.ts), N viewers joining
// staggered, each watched for the same span of its own playback, then every page and the origin
// read at one instant.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import type { PlaybackReport } from "../../test/browser/support/playback-report.js";
import type { Viewer } from "../../test/browser/support/viewer.js";
import { sleep } from "../../test/support/wait-for.js";
import type {
  BenchPageConfig,
  BenchPageSnapshot,
  ClientName,
  FragTraceEntry,
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
import { sourceResolver, type SourceMapLike, type SourceResolver } from "./cpu-profile.js";
import type { ViewerProfile } from "./hard-scenarios.js";
import {
  modalHeight,
  originBytesByRendition,
  renditionCeiling,
  type RenditionCeiling,
  type ViewerCost,
} from "./metrics-hard.js";
import { snapshotViewer } from "./page-snapshot.js";
import { formatMiB } from "./report.js";
import { manifestUrl, pageConfigFor, viewerLink, viewerProfile, type Scenario } from "./scenarios.js";
import { checkOriginUnverified, type OriginTrustCheck } from "./trust-origin.js";
import type { LinkRates } from "../../test/support/netns/shaped-lan.js";
import { openViewerNetwork, type ViewerNetwork, type ViewerSeat } from "./viewer-network.js";
import { openSession, type ViewerSession } from "./viewer-session.js";

const PAGES_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../pages/dist");

/** First frames are slow on a loaded 2-core machine, slower still behind the CDN emulation. */
const START_TIMEOUT_MS = 60_000;
const PROGRESS_INTERVAL_MS = 10_000;

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
  longestStallMs: number;
  /** Non-fatal hls.js errors recorded by the page. */
  nonFatalErrors: string[];
  fatalErrorDetails: string[];
  /** Console errors and crashes of the page (first few). */
  pageProblems: string[];
  effectiveHlsConfig: BenchPageSnapshot["effective"] | null;
  /** When each start-up step first happened, ms since navigation start (the page's clock). */
  startupMarks: BenchPageSnapshot["startupMarks"];
  /** Join index (the same profile in every client's run) and its profile's label. */
  index: number;
  profileLabel: string;
  /** tc: the viewer's link at join, kbit/s; devtools: its emulated downlink (upKbps 0). */
  link: LinkRates;
  /** Joined while the others were already watched (churn). */
  joinedMidRun: boolean;
  /** Fragments handed to hls.js per level height, and the height it played most. */
  levelFragments: Record<string, number>;
  /** Main fragments in order (see FragTraceEntry in bench/pages/src/protocol.ts). */
  fragTrace: FragTraceEntry[];
  modalHeight: number | null;
  /** Main-thread time, heap and profile over the watch (viewer-cost scenarios only). */
  cost: ViewerCost | null;
}

export interface ClientRunRecord extends ClientRun {
  viewers: ViewerRecord[];
  pageConfig: BenchPageConfig;
  serverUrl: string;
  trackerProblems: string[];
  wallMs: number;
  /** What players were handed per rendition, and the per-rendition ceiling. */
  renditions: RenditionCeiling;
  /** Scenarios whose origin publishes no digests: what was checked before the first viewer. */
  originTrustCheck: OriginTrustCheck | null;
}

export async function runClient(options: ClientRunOptions): Promise<ClientRunRecord> {
  const { scenario, client, progress } = options;
  const startedAt = Date.now();
  const tag = `${scenario.id}/${client}`;
  let server: RunningServer | undefined;
  let tracker: BtTracker | undefined;
  let network: ViewerNetwork | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const slots: Slot[] = [];
  const cleanup = async (): Promise<void> => {
    clearInterval(ticker);
    await Promise.allSettled(slots.map((slot) => slot.session?.viewer.close()));
    await network?.close();
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
      cdnPlaylistLatencyMs: scenario.server.cdnPlaylistLatencyMs ?? 0,
      publishDigests: scenario.publishDigests ?? true,
    });
    const originTrustCheck =
      scenario.publishDigests === false
        ? await checkOriginUnverified(
            manifestUrl(scenario, server.url),
            options.viewers,
            server.digestMinSwarm,
          )
        : null;
    if (originTrustCheck)
      progress(
        `${tag}: origin checked: ${originTrustCheck.digestLines} digest lines in ${originTrustCheck.playlists.length} ` +
          `media playlists; digest service ${
            originTrustCheck.digestMinSwarm === null
              ? "off"
              : `from ${originTrustCheck.digestMinSwarm} viewers (> ${options.viewers})`
          }`,
      );
    if (client === "p2pml") tracker = await startBtTracker();
    const activeNetwork = openViewerNetwork(scenario.shaping);
    network = activeNetwork;
    const endpoints = {
      serverUrl: await activeNetwork.reach(server.url),
      btTrackerUrl: tracker ? await activeNetwork.reach(tracker.url) : undefined,
    };
    const pagesUrl = await activeNetwork.reach(options.pagesUrl);
    const n = options.viewers;
    const cost = scenario.measureCost ? bundleCost(client) : undefined;
    progress(
      `${tag}: ${n} viewers joining ${scenario.staggerMs / 1000} s apart, ` +
        (scenario.churn
          ? `then one leaves and one joins every ${scenario.churn.intervalMs / 1000} s for ${options.watchMs / 1000} s`
          : `each watched ${options.watchMs / 1000} s`) +
        ` (origin ${endpoints.serverUrl}${tracker ? `, tracker ${endpoints.btTrackerUrl}` : ""}` +
        `${scenario.shaping === "tc" ? ", tc-shaped links" : ", DevTools emulation"})`,
    );

    const activeServer = server;
    activeServer.origin.resetStats();
    const runStart = Date.now();
    ticker = setInterval(() => {
      const live = slots.flatMap((slot) => (slot.session && !slot.left ? [slot.session.viewer] : []));
      void describeProgress(live, activeServer).then(
        (line) => progress(`${tag} +${Math.round((Date.now() - runStart) / 1000)} s: ${line}`),
        () => undefined,
      );
    }, PROGRESS_INTERVAL_MS);

    const join = async (index: number, joinedMidRun: boolean): Promise<void> => {
      const profile = viewerProfile(scenario, index, n, options.watchMs);
      const pageConfig = pageConfigFor(scenario, client, endpoints, profile);
      const url = `${pagesUrl}/?client=${client}&cfg=${encodeURIComponent(JSON.stringify(pageConfig))}`;
      const link =
        scenario.shaping === "tc"
          ? viewerLink(scenario, profile)
          : { downKbps: profile.downlinkKbps, upKbps: 0 };
      const slot: Slot = {
        index,
        name: `${client}-${index}`,
        profile,
        link,
        pageConfig,
        joinedMidRun,
        seat: null,
        session: null,
        startFailure: null,
        watch: Promise.resolve(null),
        final: null,
        left: false,
      };
      slots.push(slot);
      try {
        slot.seat = await activeNetwork.seat(link);
        slot.session = await openSession({
          seat: slot.seat,
          url,
          name: slot.name,
          profile,
          startTimeoutMs: START_TIMEOUT_MS,
          ...(cost ? { cost } : {}),
        });
        await slot.session.viewer.waitForPlaying(START_TIMEOUT_MS);
        const snapshot = await snapshotViewer(slot.session.viewer);
        progress(
          `${tag}: viewer ${index + 1}${joinedMidRun ? " (joiner)" : `/${n}`} playing (${profile.label}` +
            `${scenario.shaping === "tc" ? `, link ${link.downKbps}/${link.upKbps} kbit/s` : ""}), ` +
            `startup ${Math.round(snapshot.startupMs ?? NaN)} ms`,
        );
        slot.watch = slot.session
          .watch(scenario.churn ? Number.POSITIVE_INFINITY : options.watchMs)
          .catch((error: unknown) => {
            progress(`${tag}: watching ${slot.name} failed: ${(error as Error).message}`);
            return null;
          });
      } catch (error) {
        slot.startFailure = (error as Error).message;
        progress(`${tag}: viewer ${index + 1} did not start: ${slot.startFailure}`);
      }
    };
    const leave = async (slot: Slot): Promise<void> => {
      slot.left = true;
      await slot.session?.stop();
      if (slot.session) slot.final = await snapshotViewer(slot.session.viewer).catch(() => null);
      await slot.session?.viewer.close();
      await slot.seat?.release();
    };

    for (let i = 0; i < n; i++) {
      await join(i, false);
      if (i < n - 1) await sleep(scenario.staggerMs);
    }
    if (scenario.churn) {
      const events = Math.max(1, Math.round(options.watchMs / scenario.churn.intervalMs));
      for (let k = 0; k < events; k++) {
        await sleep(scenario.churn.intervalMs);
        const leaver = slots.find((slot) => !slot.left);
        if (leaver) {
          progress(`${tag}: ${leaver.name} leaves`);
          await leave(leaver);
        }
        await join(n + k, true);
      }
      await sleep(scenario.churn.intervalMs);
      await Promise.all(slots.map((slot) => (slot.left ? undefined : slot.session?.stop())));
    }
    const reports = await Promise.all(slots.map((slot) => slot.watch));
    clearInterval(ticker);
    // Early viewers kept loading after their watch ended: read every page still open and the origin
    // at one instant, so both sides of the ratio cover the same bytes (leavers were read as they left).
    await Promise.all(
      slots.map(async (slot) => {
        if (!slot.left && slot.session)
          slot.final = await snapshotViewer(slot.session.viewer).catch(() => null);
      }),
    );
    const finals = slots.map((slot) => slot.final);
    const newest = mergeNewest(finals.map((final) => final?.newestDelivered ?? {}));
    const originSnapshot = activeServer.origin.getStats();
    const origin = measureOrigin(originSnapshot, newest);
    const renditions = renditionCeiling(
      finals.map((final) => final?.deliveredSegments ?? {}),
      originBytesByRendition(originSnapshot, newest),
    );
    const records = slots.map((slot, i) => viewerRecord(slot, reports[i] ?? null));
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
      renditions,
      ceilingViewers: n,
      pageConfig: slots[0]?.pageConfig ?? pageConfigFor(scenario, client, endpoints),
      serverUrl: activeServer.url,
      trackerProblems: tracker?.problems.slice(0, 20) ?? [],
      wallMs: Date.now() - startedAt,
      originTrustCheck,
    };
  } finally {
    unregister?.();
    await cleanup();
  }
}

/** A viewer position of one run: who joined at `index`, and what became of it. */
interface Slot {
  index: number;
  name: string;
  profile: ViewerProfile;
  link: LinkRates;
  pageConfig: BenchPageConfig;
  joinedMidRun: boolean;
  seat: ViewerSeat | null;
  session: ViewerSession | null;
  startFailure: string | null;
  watch: Promise<PlaybackReport | null>;
  final: BenchPageSnapshot | null;
  left: boolean;
}

function viewerRecord(slot: Slot, report: PlaybackReport | null): ViewerRecord {
  const final = slot.final;
  const errors = final?.errors ?? [];
  const levelFragments = final?.levelFragments ?? {};
  return {
    name: slot.name,
    index: slot.index,
    profileLabel: slot.profile.label,
    link: slot.link,
    joinedMidRun: slot.joinedMidRun,
    startupMs: final?.startupMs ?? null,
    startupMarks: final?.startupMarks ?? {},
    startFailure: slot.startFailure ?? (final ? null : "page could not be read"),
    watchedMs: report?.durationMs ?? 0,
    stalls: report?.stalls ?? 0,
    stalledMs: report?.stalledMs ?? 0,
    fatalErrors: errors.filter((error) => error.fatal).length,
    deliveredBytes: final?.deliveredBytes ?? 0,
    client: final?.stats ?? null,
    latencySec: final?.latencySec ?? null,
    levelHeight: final?.levelHeight ?? null,
    levelFragments,
    fragTrace: final?.fragTrace ?? [],
    modalHeight: modalHeight(levelFragments),
    httpBytesAtStart: final?.httpBytesAtStartup ?? 0,
    advancedSec: report?.advancedSec ?? 0,
    longestStallMs: report?.longestStallMs ?? 0,
    nonFatalErrors: errors.filter((error) => !error.fatal).map((error) => error.details),
    fatalErrorDetails: errors.filter((error) => error.fatal).map((error) => error.details),
    pageProblems: (slot.session?.viewer.problems ?? [])
      .slice(0, 10)
      .map((problem) => `${problem.kind}: ${problem.text}`),
    effectiveHlsConfig: final?.effective ?? null,
    cost: slot.session?.cost() ?? null,
  };
}

/** The client's page bundle and a resolver of its source map, for attributing CPU profiles. */
function bundleCost(client: ClientName): { bundleUrlSuffix: string; resolve: SourceResolver } {
  const file = path.join(PAGES_DIST, `${client}.js.map`);
  return {
    bundleUrlSuffix: `dist/${client}.js`,
    resolve: sourceResolver(JSON.parse(readFileSync(file, "utf8")) as SourceMapLike),
  };
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
