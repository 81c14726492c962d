// The browser bench's arithmetic, kept pure so it can be unit-tested: percentiles, offload at the
// origin and against the 1 − 1/N ceiling, origin requests per segment, rebuffer ratio, and the
// per-client summary of one scenario run.
import { percentile as sharedPercentile } from "../lib/percentile.js";
import { sequenceOf } from "../pages/src/media-key.js";
import type { ClientName, ClientStats, TrustCounters } from "../pages/src/protocol.js";

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** One viewer of one scenario × client run, as measured by the runner. */
export interface ViewerMeasurement {
  name: string;
  /** Navigation start → first `playing` event, from the page's own clock; null if it never played. */
  startupMs: number | null;
  /** Why the viewer never started, if it did not. */
  startFailure: string | null;
  /** Wall time its playback was watched (sampled). 0 if it never started. */
  watchedMs: number;
  /** Media seconds `currentTime` advanced during the watch. */
  advancedSec: number;
  stalls: number;
  stalledMs: number;
  /** Fatal hls.js errors the page recorded. */
  fatalErrors: number;
  /** Media bytes handed to hls.js (from HTTP, peers or cache), at the final instant. */
  deliveredBytes: number;
  /** What the client library reports, at the final instant; null if the page never set up. */
  client: ClientStats | null;
  /** hls.js live latency at the final instant, seconds; null for VOD. */
  latencySec: number | null;
  levelHeight: number | null;
  /** Client-reported HTTP bytes at its first `playing` event (0 if it never played). */
  httpBytesAtStart: number;
}

/** The origin's counters at the final instant (reset when the run started). */
export interface OriginMeasurement {
  /** Every media byte the origin sent. */
  mediaBytes: number;
  mediaRequests: number;
  abortedMediaRequests: number;
  /**
   * Of the media requests and bytes (not counting those ahead), the 206 answers to a `Range`: a
   * P2P client's spot checks and resumes. The rest are whole-file fetches.
   */
  rangeRequests: number;
  rangeBytes: number;
  /**
   * Distinct media files (segment or init, per rendition) the origin was asked for, not counting
   * those ahead of every player (below).
   */
  distinctSegments: number;
  /**
   * Media fetched ahead of every player: files of a rendition with a higher sequence number than any
   * player had been handed when the run ended (a client's prefetch). They will be played later, so
   * they are left out of the offload, which compares the origin with what players received.
   */
  aheadBytes: number;
  aheadRequests: number;
  aheadSegments: number;
  /** How many media files (not ahead) the origin served whole (no `Range`) k times, keyed by k. */
  fetchCounts: Record<number, number>;
  /** Files (not ahead) served whole more than once: `<stream>/<rendition>/<file>` → requests, most first, ≤ 50. */
  repeatedFiles: Record<string, number>;
}

export interface ClientRun {
  client: ClientName;
  viewers: ViewerMeasurement[];
  origin: OriginMeasurement;
  /** Bytes of the distinct media files handed to any player (each counted once). */
  distinctDeliveredBytes: number;
  /** N of the 1 − 1/N ceiling when it is not the number of viewers (churn: the concurrent ones). */
  ceilingViewers?: number;
}

export interface ClientSummary {
  client: ClientName;
  viewers: number;
  /** Origin media bytes, not counting those fetched ahead of every player. */
  originBytes: number;
  /** Origin media bytes fetched ahead of every player when the run ended. */
  aheadBytes: number;
  deliveredBytes: number;
  /** 1 − originBytes / deliveredBytes. */
  originOffload: number;
  /** 1 − all origin media bytes / deliveredBytes: charges prefetch in flight at the end too. */
  strictOriginOffload: number;
  /** 1 − 1/N. */
  ceiling: number;
  /** originOffload / ceiling. */
  ofCeiling: number;
  /**
   * Whole-file origin media requests / distinct media files requested from the origin; 1 is ideal
   * P2P, N is HTTP-only. `Range` requests (spot checks, resumes) are counted apart.
   */
  requestsPerSegment: number;
  /** Origin `Range` (206) requests and bytes, not counting those ahead (see OriginMeasurement). */
  originRangeRequests: number;
  originRangeBytes: number;
  /** Sums of Nearcast's trust counters over viewers; null for clients that have none. */
  trust: TrustCounters | null;
  /**
   * 1 − distinct bytes delivered / delivered: the offload if every distinct file any player got left
   * the origin exactly once. Below the 1 − 1/N ceiling when viewers did not all watch the same span
   * (staggered joins, the first viewer alone at the start).
   */
  swarmIdealOffload: number;
  /** originOffload / swarmIdealOffload. */
  ofSwarmIdeal: number;
  fetchCounts: Record<number, number>;
  repeatedFiles: Record<string, number>;
  /** Client-reported HTTP bytes of all viewers up to their first frame. */
  httpBytesAtStart: number;
  startupMedianMs: number | null;
  startupP95Ms: number | null;
  failedStarts: number;
  stalls: number;
  stalledMs: number;
  watchedMs: number;
  /** Stalled time / watched time, summed over viewers. */
  rebufferRatio: number;
  fatalErrors: number;
  /** Sums of what the client libraries report. */
  clientHttpBytes: number;
  clientP2pBytes: number;
  clientUploadBytes: number;
  /** p2p / (http + p2p) as the clients claim it. */
  clientOffload: number;
  /** Mean hls.js live latency over viewers, seconds; null for VOD. */
  meanLatencySec: number | null;
  /**
   * Media seconds played per wall second of watch, over all watched viewers; null if none was
   * watched. Below 1 with no stall, the media element's clock ran slow (a CPU-starved browser, issue
   * 20): hls.js keeps every second lost as latency, so the latency of runs whose rates differ
   * (clients run one after the other, under different load) does not compare.
   */
  mediaRate: number | null;
}

/** {@link sharedPercentile} (bench/lib/percentile.ts), null instead of undefined for JSON results. */
export function percentile(values: readonly number[], p: number): number | null {
  return sharedPercentile(values, p) ?? null;
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 50);
}

/** 1 − origin / delivered: the share of what players received that did not leave the origin. */
export function originOffload(originBytes: number, deliveredBytes: number): number {
  return deliveredBytes > 0 ? 1 - originBytes / deliveredBytes : 0;
}

/** The best offload one swarm of N viewers can reach: every byte leaves the origin once. */
export function offloadCeiling(viewers: number): number {
  return viewers >= 1 ? 1 - 1 / viewers : 0;
}

/** Offload as a fraction of the ceiling (0 when the ceiling is 0, i.e. a single viewer). */
export function fractionOfCeiling(offload: number, viewers: number): number {
  const ceiling = offloadCeiling(viewers);
  return ceiling > 0 ? offload / ceiling : 0;
}

export function rebufferRatio(stalledMs: number, watchedMs: number): number {
  return watchedMs > 0 ? stalledMs / watchedMs : 0;
}

/** requests / distinct segments, 0 when nothing was requested. */
export function requestsPerSegment(requests: number, distinctSegments: number): number {
  return distinctSegments > 0 ? requests / distinctSegments : 0;
}

/** The slice of the origin's stats snapshot (`origin.getStats()`) the bench reads. */
export interface OriginSnapshotLike {
  totals: { mediaBytes: number; mediaRequests: number; abortedMediaRequests: number };
  streams: Record<
    string,
    {
      renditions: Record<
        string,
        {
          segments: Record<
            string,
            { bytes: number; requests: number; rangeRequests?: number; rangeBytes?: number }
          >;
          evictedSegments: number;
        }
      >;
    }
  >;
}

const MAX_REPEATED_FILES = 50;

/** Per rendition key, the highest sequence any of the players has been handed. */
export function mergeNewest(perViewer: readonly Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const newest of perViewer) {
    for (const [rendition, sequence] of Object.entries(newest)) {
      const current = merged[rendition];
      if (current === undefined || sequence > current) merged[rendition] = sequence;
    }
  }
  return merged;
}

/**
 * Origin totals, the number of distinct media files requested, and what was fetched ahead of every
 * player. `newestDelivered` is keyed `<stream>/<rendition>` (see bench/pages/src/media-key.ts). A
 * rendition no player was handed anything from is waste, not "ahead".
 */
export function measureOrigin(
  snapshot: OriginSnapshotLike,
  newestDelivered: Readonly<Record<string, number>> = {},
): OriginMeasurement {
  let distinctSegments = 0;
  let aheadBytes = 0;
  let aheadRequests = 0;
  let aheadSegments = 0;
  let rangeRequests = 0;
  let rangeBytes = 0;
  const fetchCounts: Record<number, number> = {};
  const repeated: [string, number][] = [];
  for (const [streamName, stream] of Object.entries(snapshot.streams)) {
    for (const [renditionName, rendition] of Object.entries(stream.renditions)) {
      const newest = newestDelivered[`${streamName}/${renditionName}`];
      // Keys evicted from the bounded map were requested too (the bench never gets near the bound).
      distinctSegments += rendition.evictedSegments;
      for (const [file, segment] of Object.entries(rendition.segments)) {
        const sequence = sequenceOf(file);
        if (newest !== undefined && sequence !== null && sequence > newest) {
          aheadBytes += segment.bytes;
          aheadRequests += segment.requests;
          aheadSegments++;
        } else if (segment.requests > 0) {
          distinctSegments++;
          rangeRequests += segment.rangeRequests ?? 0;
          rangeBytes += segment.rangeBytes ?? 0;
          const whole = segment.requests - (segment.rangeRequests ?? 0);
          if (whole > 0) fetchCounts[whole] = (fetchCounts[whole] ?? 0) + 1;
          if (whole > 1) repeated.push([`${streamName}/${renditionName}/${file}`, whole]);
        }
      }
    }
  }
  return {
    mediaBytes: snapshot.totals.mediaBytes,
    mediaRequests: snapshot.totals.mediaRequests,
    abortedMediaRequests: snapshot.totals.abortedMediaRequests,
    distinctSegments,
    aheadBytes,
    aheadRequests,
    aheadSegments,
    rangeRequests,
    rangeBytes,
    fetchCounts,
    repeatedFiles: Object.fromEntries(
      repeated.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, MAX_REPEATED_FILES),
    ),
  };
}

/** Bytes of the union of media files handed to players (per URL path, the largest load). */
export function distinctDeliveredBytes(perViewer: readonly Record<string, number>[]): number {
  const union = new Map<string, number>();
  for (const delivered of perViewer) {
    for (const [path, bytes] of Object.entries(delivered))
      union.set(path, Math.max(bytes, union.get(path) ?? 0));
  }
  return sum([...union.values()]);
}

export function summarizeRun(run: ClientRun): ClientSummary {
  const { viewers, origin } = run;
  const n = run.ceilingViewers ?? viewers.length;
  const deliveredBytes = sum(viewers.map((v) => v.deliveredBytes));
  const originBytes = origin.mediaBytes - origin.aheadBytes;
  const offload = originOffload(originBytes, deliveredBytes);
  const idealOffload = originOffload(run.distinctDeliveredBytes, deliveredBytes);
  const startups = viewers.flatMap((v) => (v.startupMs === null ? [] : [v.startupMs]));
  const stalledMs = sum(viewers.map((v) => v.stalledMs));
  const watchedMs = sum(viewers.map((v) => v.watchedMs));
  const clientHttpBytes = sum(viewers.map((v) => v.client?.httpBytes ?? 0));
  const clientP2pBytes = sum(viewers.map((v) => v.client?.p2pBytes ?? 0));
  const latencies = viewers.flatMap((v) => (v.latencySec === null ? [] : [v.latencySec]));
  return {
    client: run.client,
    viewers: n,
    originBytes,
    aheadBytes: origin.aheadBytes,
    deliveredBytes,
    originOffload: offload,
    strictOriginOffload: originOffload(origin.mediaBytes, deliveredBytes),
    ceiling: offloadCeiling(n),
    ofCeiling: fractionOfCeiling(offload, n),
    requestsPerSegment: requestsPerSegment(
      origin.mediaRequests - origin.aheadRequests - origin.rangeRequests,
      origin.distinctSegments,
    ),
    originRangeRequests: origin.rangeRequests,
    originRangeBytes: origin.rangeBytes,
    trust: sumTrust(viewers.flatMap((v) => (v.client?.trust ? [v.client.trust] : []))),
    swarmIdealOffload: idealOffload,
    ofSwarmIdeal: idealOffload > 0 ? offload / idealOffload : 0,
    fetchCounts: { ...origin.fetchCounts },
    repeatedFiles: { ...origin.repeatedFiles },
    httpBytesAtStart: sum(viewers.map((v) => v.httpBytesAtStart)),
    startupMedianMs: median(startups),
    startupP95Ms: percentile(startups, 95),
    failedStarts: viewers.filter((v) => v.startFailure !== null).length,
    stalls: sum(viewers.map((v) => v.stalls)),
    stalledMs,
    watchedMs,
    rebufferRatio: rebufferRatio(stalledMs, watchedMs),
    fatalErrors: sum(viewers.map((v) => v.fatalErrors)),
    clientHttpBytes,
    clientP2pBytes,
    clientUploadBytes: sum(viewers.map((v) => v.client?.uploadBytes ?? 0)),
    clientOffload:
      clientHttpBytes + clientP2pBytes > 0 ? clientP2pBytes / (clientHttpBytes + clientP2pBytes) : 0,
    meanLatencySec: latencies.length > 0 ? sum(latencies) / latencies.length : null,
    mediaRate: watchedMs > 0 ? sum(viewers.map((v) => v.advancedSec)) / (watchedMs / 1000) : null,
  };
}

/** Sums viewers' trust counters (rung by rung); null when no viewer has any (not Nearcast). */
export function sumTrust(perViewer: readonly TrustCounters[]): TrustCounters | null {
  if (perViewer.length === 0) return null;
  const total: TrustCounters = {
    verifiedBy: {},
    unverifiedRefetched: 0,
    unverifiedDelivered: 0,
    spotCheckRequests: 0,
    spotCheckBytes: 0,
    discardedP2pBytes: 0,
  };
  for (const trust of perViewer) {
    for (const [rung, count] of Object.entries(trust.verifiedBy))
      total.verifiedBy[rung] = (total.verifiedBy[rung] ?? 0) + count;
    total.unverifiedRefetched += trust.unverifiedRefetched;
    total.unverifiedDelivered += trust.unverifiedDelivered;
    total.spotCheckRequests += trust.spotCheckRequests;
    total.spotCheckBytes += trust.spotCheckBytes;
    total.discardedP2pBytes += trust.discardedP2pBytes;
  }
  return total;
}
