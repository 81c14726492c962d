// The measuring code of the Node swarm bench: pure functions over what the origin counted and what
// the simulated players recorded. No I/O, no clocks: every figure in the bench's table comes from here.

/** Where a player's segment came from (the engine's SegmentSource). */
export type Source = "http" | "p2p" | "cache";

/** One segment load by one viewer. Times are epoch milliseconds. */
export interface SegmentRecord {
  /** Media sequence number (live) or index (VOD). */
  msn: number;
  requestMs: number;
  doneMs: number;
  source: Source;
  bytes: number;
  httpBytes: number;
  p2pBytes: number;
  /** Seconds of media buffered ahead when the load was asked for. */
  bufferAheadSec: number;
  /** Peers connected when the load was asked for. */
  peersAtRequest: number;
  /** The viewer's position in its own load order (0 = its first segment). */
  ordinal: number;
  /** The engine's last scheduling decision for this load, e.g. "http:no-peer-has-it". */
  decision: string | undefined;
  /** Time the load spent in new-segment holds, ms (the simulator records it; undefined elsewhere). */
  heldMs?: number;
}

/** Everything the bench keeps about one viewer. */
export interface ViewerResult {
  index: number;
  joinMs: number;
  /** Epoch ms of the first `peer-connected`, if any. */
  firstPeerMs: number | undefined;
  /** Join → playback start, ms. */
  startupMs: number | undefined;
  stalls: number;
  stalledMs: number;
  segments: SegmentRecord[];
  /** Player-level failures (a load that threw, a playlist that failed). */
  errors: string[];
  /** `segment-error` events. */
  segmentErrors: number;
  /** `warning` events. */
  warnings: number;
  /** From the engine's getStats() at the end. */
  httpDownloadedBytes: number;
  p2pDownloadedBytes: number;
  httpRequests: number;
  connectedPeersAtEnd: number;
  /** Peer disconnections by reason (excluding our own teardown). */
  disconnects: Record<string, number>;
}

/** Per-segment counters of one rendition, as the origin's `/api/origin/stats` reports them. */
export type SegmentCounterMap = Record<string, { bytes: number; requests: number }>;

import { median, percentile } from "./percentile.js";

export { median, percentile };

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : sum(values) / values.length;
}

/**
 * Offload measured at the origin: the share of the bytes players received that did not leave the
 * origin. Undefined before any byte was received; negative when the origin served more than the
 * players used (duplicate or abandoned fetches).
 */
export function originOffload(originBytes: number, receivedBytes: number): number | undefined {
  if (receivedBytes <= 0) return undefined;
  return 1 - originBytes / receivedBytes;
}

/** The best possible offload for one swarm of n viewers: every byte leaves the origin once. */
export function offloadCeiling(viewers: number): number {
  return viewers > 0 ? 1 - 1 / viewers : 0;
}

/** Client-reported P2P share: p2p / (p2p + http) bytes the engines downloaded. */
export function p2pShare(p2pBytes: number, httpBytes: number): number | undefined {
  const total = p2pBytes + httpBytes;
  return total > 0 ? p2pBytes / total : undefined;
}

/** Per-segment counters that grew between two snapshots (the later minus the earlier). */
export function segmentCounterDelta(
  later: SegmentCounterMap,
  earlier: SegmentCounterMap | undefined,
): SegmentCounterMap {
  const delta: SegmentCounterMap = {};
  for (const [key, value] of Object.entries(later)) {
    const before = earlier?.[key];
    const bytes = value.bytes - (before?.bytes ?? 0);
    const requests = value.requests - (before?.requests ?? 0);
    if (bytes > 0 || requests > 0) delta[key] = { bytes, requests };
  }
  return delta;
}

export interface FetchStats {
  /** Distinct segments the origin served at least once. */
  segments: number;
  /** Media requests over all of them. */
  requests: number;
  /** Requests per distinct segment fetched. */
  meanRequests: number | undefined;
  maxRequests: number | undefined;
  /** Segments requested more than once. */
  repeated: number;
}

/**
 * CDN fetches per segment from the origin's per-segment counters: requests per distinct segment
 * that was requested at all. Keys that match `exclude` (init segments, when asked) are skipped.
 */
export function segmentFetchStats(segments: SegmentCounterMap, exclude?: RegExp): FetchStats {
  const counts = Object.entries(segments)
    .filter(([key, v]) => v.requests > 0 && !(exclude?.test(key) ?? false))
    .map(([, v]) => v.requests);
  return {
    segments: counts.length,
    requests: sum(counts),
    meanRequests: counts.length > 0 ? sum(counts) / counts.length : undefined,
    maxRequests: counts.length > 0 ? Math.max(...counts) : undefined,
    repeated: counts.filter((c) => c > 1).length,
  };
}

/**
 * The best offload this very run allows: every distinct segment some viewer loaded must leave the
 * origin once, so 1 − (bytes of distinct segments) / (bytes received). Lower than 1 − 1/N when
 * viewers did not all load the same segments (staggered joins, start-up behind the live edge).
 */
export function runCeiling(viewers: readonly ViewerResult[]): number | undefined {
  const sizes = new Map<number, number>();
  let received = 0;
  for (const v of viewers) {
    for (const s of v.segments) {
      received += s.bytes;
      sizes.set(s.msn, s.bytes);
    }
  }
  if (received === 0) return undefined;
  return 1 - sum([...sizes.values()]) / received;
}

export const HTTP_LOAD_CATEGORIES = [
  "first fetch of the segment",
  "resumed after a P2P failure",
  "before the first peer",
  "start-up, no time to wait",
  "no time to wait",
  "no connected peer had it",
  "other",
] as const;
export type HttpLoadCategory = (typeof HTTP_LOAD_CATEGORIES)[number];

export interface HttpLoadBreakdown {
  category: HttpLoadCategory;
  loads: number;
  httpBytes: number;
  /** Mean peers connected when those loads were asked for. */
  meanPeers: number | undefined;
  /**
   * Median time from the segment's first HTTP request to these loads' requests, ms: near 0 is a
   * race (two viewers asked at once), hundreds of ms means the news had not reached this viewer.
   */
  medianGapMs: number | undefined;
}

/**
 * Why bytes came over HTTP. Per segment, the viewer that asked first is the segment's one
 * necessary CDN fetch; every other load with HTTP bytes is a duplicate, classified (first match):
 * it had P2P bytes too (a peer transfer failed and HTTP resumed it), no peer was connected yet,
 * the scheduler had no time to wait (during the viewer's first `startupLoads` loads, or later),
 * or no connected peer held or was fetching the segment. `startupLoads` is the number of loads
 * that count as the viewer's start-up (its live-sync segments plus one).
 */
export function classifyHttpLoads(
  viewers: readonly ViewerResult[],
  startupLoads: number,
): HttpLoadBreakdown[] {
  const byMsn = new Map<number, SegmentRecord[]>();
  for (const v of viewers) {
    for (const s of v.segments) {
      if (s.httpBytes <= 0) continue;
      let list = byMsn.get(s.msn);
      if (!list) byMsn.set(s.msn, (list = []));
      list.push(s);
    }
  }
  const acc = new Map<HttpLoadCategory, { loads: number; httpBytes: number; peers: number; gaps: number[] }>(
    HTTP_LOAD_CATEGORIES.map((c) => [c, { loads: 0, httpBytes: 0, peers: 0, gaps: [] }]),
  );
  for (const loads of byMsn.values()) {
    loads.sort((a, b) => a.requestMs - b.requestMs || a.doneMs - b.doneMs);
    const firstMs = loads[0]!.requestMs;
    loads.forEach((s, i) => {
      const category = i === 0 ? "first fetch of the segment" : duplicateCategory(s, startupLoads);
      const a = acc.get(category)!;
      a.loads++;
      a.httpBytes += s.httpBytes;
      a.peers += s.peersAtRequest;
      if (i > 0) a.gaps.push(s.requestMs - firstMs);
    });
  }
  return HTTP_LOAD_CATEGORIES.map((category) => {
    const a = acc.get(category)!;
    return {
      category,
      loads: a.loads,
      httpBytes: a.httpBytes,
      meanPeers: a.loads > 0 ? a.peers / a.loads : undefined,
      medianGapMs: median(a.gaps),
    };
  });
}

function duplicateCategory(s: SegmentRecord, startupLoads: number): HttpLoadCategory {
  if (s.p2pBytes > 0) return "resumed after a P2P failure";
  if (s.peersAtRequest === 0) return "before the first peer";
  if (s.decision === "http:no-time")
    return s.ordinal < startupLoads ? "start-up, no time to wait" : "no time to wait";
  if (s.decision === "http:no-peer-has-it") return "no connected peer had it";
  return "other";
}

/**
 * Expected CDN fetches per segment if every viewer fetches a new segment over HTTP exactly when
 * none of its `degree` neighbours asked for it before (the scheduler's rule 4, viewers asking in
 * random order): each viewer is first in its closed neighbourhood with probability 1/(degree+1).
 */
export function expectedFetchesWithoutHold(viewers: number, degree: number): number {
  if (viewers <= 0) return 0;
  const d = Math.min(Math.max(degree, 0), viewers - 1);
  return viewers / (d + 1);
}

export interface Summary {
  viewers: number;
  workers: number;
  originMediaBytes: number;
  receivedBytes: number;
  offload: number | undefined;
  ceiling: number;
  /** offload / ceiling. */
  ofCeiling: number | undefined;
  runCeiling: number | undefined;
  /** Offload over the window after every viewer joined and settled. */
  steadyOffload: number | undefined;
  steadyOfCeiling: number | undefined;
  p2pShare: number | undefined;
  fetch: FetchStats;
  steadyFetch: FetchStats | undefined;
  firstPeerMedianMs: number | undefined;
  firstPeerP95Ms: number | undefined;
  viewersWithoutPeer: number;
  startupMedianMs: number | undefined;
  startupP95Ms: number | undefined;
  stalls: number;
  viewersWithStalls: number;
  stalledSec: number;
  errors: number;
  /** Engine `warning` events (recoverable: a tracker refusal, a misbehaving peer). */
  warnings: number;
  meanPeersAtEnd: number | undefined;
  disconnects: number;
}

export interface SummaryInput {
  viewers: readonly ViewerResult[];
  workers: number;
  /** Origin media bytes of the rendition over the whole run. */
  originMediaBytes: number;
  /** Per-segment counters of the rendition at the end of the run. */
  originSegments: SegmentCounterMap;
  /** The steady window: its start (epoch ms) and the origin's counters then. */
  steady?: { fromMs: number; originMediaBytes: number; originSegments: SegmentCounterMap };
}

/** The bench's table row for one run. */
export function summarize(input: SummaryInput): Summary {
  const { viewers } = input;
  const n = viewers.length;
  const receivedBytes = sum(viewers.flatMap((v) => v.segments.map((s) => s.bytes)));
  const offload = originOffload(input.originMediaBytes, receivedBytes);
  const ceiling = offloadCeiling(n);
  const firstPeer = viewers.flatMap((v) => (v.firstPeerMs === undefined ? [] : [v.firstPeerMs - v.joinMs]));
  const startup = viewers.flatMap((v) => (v.startupMs === undefined ? [] : [v.startupMs]));
  let steadyOffload: number | undefined;
  let steadyFetch: FetchStats | undefined;
  if (input.steady) {
    const from = input.steady.fromMs;
    const steadyReceived = sum(
      viewers.flatMap((v) => v.segments.filter((s) => s.doneMs >= from).map((s) => s.bytes)),
    );
    steadyOffload = originOffload(input.originMediaBytes - input.steady.originMediaBytes, steadyReceived);
    steadyFetch = segmentFetchStats(segmentCounterDelta(input.originSegments, input.steady.originSegments));
  }
  const ratio = (x: number | undefined) => (x === undefined || ceiling <= 0 ? undefined : x / ceiling);
  return {
    viewers: n,
    workers: input.workers,
    originMediaBytes: input.originMediaBytes,
    receivedBytes,
    offload,
    ceiling,
    ofCeiling: ratio(offload),
    runCeiling: runCeiling(viewers),
    steadyOffload,
    steadyOfCeiling: ratio(steadyOffload),
    p2pShare: p2pShare(
      sum(viewers.map((v) => v.p2pDownloadedBytes)),
      sum(viewers.map((v) => v.httpDownloadedBytes)),
    ),
    fetch: segmentFetchStats(input.originSegments),
    steadyFetch,
    firstPeerMedianMs: median(firstPeer),
    firstPeerP95Ms: percentile(firstPeer, 95),
    viewersWithoutPeer: viewers.filter((v) => v.firstPeerMs === undefined).length,
    startupMedianMs: median(startup),
    startupP95Ms: percentile(startup, 95),
    stalls: sum(viewers.map((v) => v.stalls)),
    viewersWithStalls: viewers.filter((v) => v.stalls > 0).length,
    stalledSec: sum(viewers.map((v) => v.stalledMs)) / 1000,
    errors: sum(viewers.map((v) => v.errors.length + v.segmentErrors)),
    warnings: sum(viewers.map((v) => v.warnings)),
    meanPeersAtEnd: mean(viewers.map((v) => v.connectedPeersAtEnd)),
    disconnects: sum(viewers.flatMap((v) => Object.values(v.disconnects))),
  };
}

/** Event-loop delay of one process, milliseconds (from perf_hooks monitorEventLoopDelay). */
export interface LoopLag {
  process: string;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU time used over the run as a share of one core (user + system). */
  cpuShare: number;
}

/** Sampling interval of the event-loop delay histograms, ms. */
export const LAG_RESOLUTION_MS = 10;

/**
 * Event-loop lag from a `monitorEventLoopDelay` histogram. Its samples are the time between two
 * ticks of a `resolutionMs` timer (nanoseconds), so the lag is that minus the resolution; NaN (no
 * samples) reads as 0.
 */
export function lagFromHistogram(
  process: string,
  h: { percentile(p: number): number; max: number },
  cpuShare: number,
  resolutionMs = LAG_RESOLUTION_MS,
): LoopLag {
  const ms = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - resolutionMs) : 0);
  return { process, p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), cpuShare };
}

export interface StartupLoads {
  /** Per ordinal 0…k−1: viewers whose load of that ordinal had HTTP bytes. */
  httpByOrdinal: number[];
  /** Per ordinal: median of (request time − join), ms. */
  requestMedianMs: (number | undefined)[];
  /** Mean HTTP loads among a viewer's first k loads. */
  httpPerViewer: number | undefined;
}

/** How each viewer's first `k` loads were served, and when they were asked for after the join. */
export function startupLoads(viewers: readonly ViewerResult[], k: number): StartupLoads {
  const httpByOrdinal = Array.from({ length: k }, () => 0);
  const requests: number[][] = Array.from({ length: k }, () => []);
  for (const v of viewers) {
    for (const s of v.segments) {
      if (s.ordinal >= k) continue;
      if (s.httpBytes > 0) httpByOrdinal[s.ordinal]!++;
      requests[s.ordinal]!.push(s.requestMs - v.joinMs);
    }
  }
  return {
    httpByOrdinal,
    requestMedianMs: requests.map((r) => median(r)),
    httpPerViewer: viewers.length > 0 ? sum(httpByOrdinal) / viewers.length : undefined,
  };
}
