// One simulation run: build the world, let viewers join (evenly over the spread, then churn), run
// the virtual clock to the end, and measure with the Node swarm bench's own code (swarm-metrics.ts)
// so the two benches' figures mean the same thing.
import {
  classifyHttpLoads,
  segmentFetchStats,
  summarize,
  type HttpLoadBreakdown,
  type Summary,
  type ViewerResult,
} from "../lib/swarm-metrics.js";
import { EventQueue } from "./event-queue.js";
import { createRandom, randomPeerId } from "./random.js";
import type { SimOptions, ViewerProfile } from "./sim-types.js";
import { SimViewer } from "./sim-viewer.js";
import { steadyBreakdown, type SteadyBreakdown } from "./steady-breakdown.js";
import { createBoards, OriginCounters, TrackerMembership, type World } from "./sim-world.js";
import { LiveStream, loadRendition } from "./stream-model.js";
import { TrustCounters } from "./sim-trust.js";
import { DIAGNOSE, formatHttpDiagnosis, HttpDiagnosis } from "./http-diagnosis.js";

/** Virtual time between progress lines on stderr. */
const PROGRESS_EVERY_MS = 60_000;
/** Board records older than this many segments behind the live edge are dropped. */
const BOARD_KEEP_SEGMENTS = 45;

export interface RenditionResult {
  rendition: string;
  viewers: number;
  summary: Summary;
  breakdown: HttpLoadBreakdown[];
}

export interface SimResult {
  options: SimOptions;
  /** All renditions together. */
  summary: Summary;
  /** Offload ceiling over renditions: Σ bytesᵣ × (1 − 1/Nᵣ) / Σ bytesᵣ (Nᵣ = viewers at once on r). */
  perRenditionCeiling: number;
  renditions: RenditionResult[];
  /** Stalls per viewer-hour of watching, and the share of watch time spent stalled. */
  stallsPerViewerHour: number;
  stalledShare: number;
  /** Viewers that ever joined (churn adds to N). */
  viewersEver: number;
  decisions: Record<string, number>;
  /** What verifying peer bytes cost (spot checks, the digest service's own origin fetches). */
  trust: TrustCounters;
  /** Offload with the protection's origin bytes counted as origin bytes too. */
  offloadWithProtection: number | undefined;
  /** HTTP loads of the steady window by cause (undefined: the run has no steady window). */
  steady: SteadyBreakdown | undefined;
  wallMs: number;
  events: number;
  peakHeapMiB: number;
}

export function runSimulation(options: SimOptions, log: (line: string) => void = () => {}): SimResult {
  const wallStart = performance.now();
  const queue = new EventQueue();
  const random = createRandom(options.seed);
  const renditionNames = [...new Set(options.profiles.map((p) => p.rendition))];
  const streams = new Map(renditionNames.map((r) => [r, new LiveStream(loadRendition(r))]));
  const world: World<SimViewer> = {
    queue,
    random,
    options,
    streams,
    boards: createBoards(renditionNames),
    tracker: new TrackerMembership<SimViewer>(),
    origin: new OriginCounters(),
    trust: new TrustCounters(),
    ...(DIAGNOSE ? { diag: new HttpDiagnosis() } : {}),
  };
  const all: SimViewer[] = [];
  const active: SimViewer[] = [];
  const shareTotal = options.profiles.reduce((s, p) => s + p.share, 0);
  const pickProfile = (i: number): ViewerProfile => {
    if (options.profilesInJoinOrder) return options.profiles[i % options.profiles.length]!;
    // Deterministic by index: profile shares hold exactly in every run, not just on average.
    let x = (((i * 0.6180339887498949) % 1) + 1) % 1;
    x *= shareTotal;
    for (const p of options.profiles) {
      if (x < p.share) return p;
      x -= p.share;
    }
    return options.profiles[options.profiles.length - 1]!;
  };
  const join = () => {
    const v = new SimViewer(world, all.length, randomPeerId(random), pickProfile(all.length));
    all.push(v);
    active.push(v);
    v.start();
  };
  const spreadMs = options.joinSpreadSec * 1000;
  const lastJoinMs = spreadMs;
  const endMs = lastJoinMs + options.durationSec * 1000;
  for (let i = 0; i < options.viewers; i++) {
    queue.at(options.viewers > 1 ? (i * spreadMs) / (options.viewers - 1) : 0, join);
  }
  // Churn: leavers chosen at random among those watching, each replaced by a newcomer at once.
  if (options.churnPerMin > 0) {
    const ratePerMs = (options.churnPerMin * options.viewers) / 60_000;
    const next = () => queue.after(-Math.log(1 - random()) / ratePerMs, churn);
    const churn = () => {
      if (queue.now >= endMs) return;
      const i = Math.floor(random() * active.length);
      const leaver = active[i];
      if (leaver) {
        active[i] = active[active.length - 1]!;
        active.pop();
        leaver.leave();
      }
      join();
      next();
    };
    queue.at(lastJoinMs, next);
  }
  let steady: { fromMs: number; snapshot: ReturnType<OriginCounters["snapshot"]> } | undefined;
  const steadyFromMs = lastJoinMs + options.steadySettleMs;
  if (endMs - steadyFromMs >= 6000)
    queue.at(steadyFromMs, () => (steady = { fromMs: queue.now, snapshot: world.origin.snapshot() }));
  let peakHeap = 0;
  for (let t = PROGRESS_EVERY_MS; ; t += PROGRESS_EVERY_MS) {
    const until = Math.min(t, endMs);
    queue.run(until);
    for (const [name, stream] of streams) {
      const window = stream.window(queue.now);
      if (window) world.boards.get(name)!.pruneBelow(window.last - BOARD_KEEP_SEGMENTS);
    }
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const playing = active.filter((v) => v.player.model.playing).length;
    const withPeer = active.filter((v) => v.links.size > 0).length;
    const peers = active.reduce((s, v) => s + v.links.size, 0) / Math.max(1, active.length);
    log(
      `${(queue.now / 1000).toFixed(0)} s simulated in ${((performance.now() - wallStart) / 1000).toFixed(1)} s: ` +
        `${active.length} watching (${all.length} ever), playing ${playing}, with a peer ${withPeer}, ` +
        `peers/viewer ${peers.toFixed(1)}, events ${queue.eventsRun}, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
    if (until >= endMs) break;
  }
  if (world.diag && steady) {
    const degrees = new Map<number, number>();
    for (const v of active) degrees.set(v.links.size, (degrees.get(v.links.size) ?? 0) + 1);
    const degreeList = [...degrees.entries()].sort((a, b) => a[0] - b[0]).map(([d, n]) => `${d}: ${n}`);
    log(`why the CDN was asked:\n${formatHttpDiagnosis(world.diag, steady.fromMs)}`);
    log(`connected peers per viewer at the end (peers: viewers): ${degreeList.join(", ")}`);
  }
  // The run ends: everyone still watching stops (loads in flight are not counted, as in the bench).
  for (const v of active) v.player.model.finish(endMs);
  const results = all.map((v) => v.result());
  const byRendition = (name: string | undefined) =>
    results.filter((_, i) => name === undefined || all[i]!.rendition === name);
  const originTotal = { mediaBytes: 0, segments: {} as Record<string, { bytes: number; requests: number }> };
  const steadyTotal = { mediaBytes: 0, segments: {} as Record<string, { bytes: number; requests: number }> };
  for (const [name, r] of world.origin.byRendition) {
    originTotal.mediaBytes += r.mediaBytes;
    for (const [k, v] of Object.entries(r.segments)) originTotal.segments[`${name}/${k}`] = v;
    const s = steady?.snapshot.get(name);
    if (s) {
      steadyTotal.mediaBytes += s.mediaBytes;
      for (const [k, v] of Object.entries(s.segments)) steadyTotal.segments[`${name}/${k}`] = v;
    }
  }
  const steadyInput = (snap: {
    mediaBytes: number;
    segments: Record<string, { bytes: number; requests: number }>;
  }) =>
    steady
      ? { fromMs: steady.fromMs, originMediaBytes: snap.mediaBytes, originSegments: snap.segments }
      : undefined;
  const renditions: RenditionResult[] = renditionNames.map((name) => {
    const viewers = byRendition(name);
    const origin = world.origin.byRendition.get(name) ?? { mediaBytes: 0, segments: {} };
    const snap = steady?.snapshot.get(name) ?? { mediaBytes: 0, segments: {} };
    return {
      rendition: name,
      viewers: viewers.length,
      summary: summarize({
        viewers,
        workers: 0,
        originMediaBytes: origin.mediaBytes,
        originSegments: origin.segments,
        steady: steadyInput(snap),
      }),
      breakdown: classifyHttpLoads(viewers, options.liveSyncSegments + 1),
    };
  });
  const summary = summarize({
    viewers: results,
    workers: 0,
    originMediaBytes: originTotal.mediaBytes,
    originSegments: originTotal.segments,
    steady: steadyInput(steadyTotal),
  });
  // With churn, N counts everyone who ever joined; the ceiling is about the audience at once.
  const received = renditions.map((r) => r.summary.receivedBytes);
  const totalReceived = received.reduce((a, b) => a + b, 0);
  const atOnce = (name: string) =>
    Math.round((options.viewers * byRendition(name).length) / Math.max(1, results.length));
  const perRenditionCeiling =
    totalReceived > 0
      ? renditions.reduce(
          (s, r) => s + r.summary.receivedBytes * (1 - 1 / Math.max(1, atOnce(r.rendition))),
          0,
        ) / totalReceived
      : 0;
  const watchedMs = all.reduce((s, v) => s + ((v.leftMs ?? endMs) - v.joinMs), 0);
  const decisions: Record<string, number> = {};
  for (const v of all) for (const [k, n] of v.engine.decisions) decisions[k] = (decisions[k] ?? 0) + n;
  void segmentFetchStats;
  return {
    options,
    summary,
    perRenditionCeiling,
    renditions,
    stallsPerViewerHour: summary.stalls / Math.max(1e-9, watchedMs / 3_600_000),
    stalledShare: (summary.stalledSec * 1000) / Math.max(1, watchedMs),
    viewersEver: all.length,
    decisions,
    trust: world.trust,
    offloadWithProtection:
      summary.receivedBytes > 0
        ? 1 - (originTotal.mediaBytes + world.trust.protectionBytes) / summary.receivedBytes
        : undefined,
    steady: steady ? steadyBreakdown(results, (i) => all[i]!.rendition, steady.fromMs) : undefined,
    wallMs: performance.now() - wallStart,
    events: queue.eventsRun,
    peakHeapMiB: peakHeap / 2 ** 20,
  };
}

export type { ViewerResult };
