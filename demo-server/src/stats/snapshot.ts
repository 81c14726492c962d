// Builds the StatsSnapshot JSON from the aggregator's state. Pure: the tracker's swarm list and the
// report counters are passed in.
import type { StatsAggregator, StreamActivity, StreamState } from "./aggregator.js";
import { HTTP, P2P } from "./aggregator.js";
import {
  BUCKET_MS,
  MAX_SNAPSHOT_STREAMS,
  SERIES_ORIGIN_SMOOTH_BUCKETS,
  WINDOW_BUCKETS,
} from "./constants.js";
import { FigureBook, offloadOf, originVsReportedOffloadOf } from "./figures.js";
import type { SeriesSnapshot, StatsSnapshot, StreamSnapshot } from "./snapshot-types.js";

export interface SnapshotExtras {
  /** Tracker swarm sizes by info-hash (hex), from `tracker.stats().topSwarms`. */
  swarmPeers: ReadonlyMap<string, number>;
  tracker: StatsSnapshot["tracker"];
  reports: StatsSnapshot["reports"];
  maxStreams?: number;
}

export function buildSnapshot(aggregator: StatsAggregator, extras: SnapshotExtras): StatsSnapshot {
  const atMs = aggregator.now();
  const book = new FigureBook(aggregator);
  const activity = aggregator.activity();
  const all = [...aggregator.streams.values()];
  const ranked = rankStreams(all, activity);
  const listed = ranked.slice(0, extras.maxStreams ?? MAX_SNAPSHOT_STREAMS);
  let viewers = 0;
  let peers = 0;
  for (const entry of activity.values()) {
    viewers += entry.viewers;
    peers += entry.peers;
  }
  return {
    v: 1,
    atMs,
    startedAtMs: aggregator.startedAtMs,
    bucketMs: BUCKET_MS,
    settledToMs: (book.end + 1) * BUCKET_MS,
    viewerWindowMs: aggregator.limits.viewerWindowMs,
    totals: {
      viewers,
      peers,
      streams: all.length,
      clients: aggregator.clientCount,
      windows: book.measured(all),
    },
    streams: listed.map((stream) =>
      streamSnapshot(stream, activity.get(stream.key), book, extras.swarmPeers),
    ),
    omittedStreams: all.length - listed.length,
    tracker: extras.tracker,
    reports: extras.reports,
  };
}

/** Most viewers first, then most bytes since start, then by name: a stable order for the cards. */
export function rankStreams(
  streams: readonly StreamState[],
  activity: ReadonlyMap<string, StreamActivity>,
): StreamState[] {
  const volume = (s: StreamState) => (s.totals[HTTP] ?? 0) + (s.totals[P2P] ?? 0);
  return [...streams].sort(
    (a, b) =>
      (activity.get(b.key)?.viewers ?? 0) - (activity.get(a.key)?.viewers ?? 0) ||
      volume(b) - volume(a) ||
      a.name.localeCompare(b.name),
  );
}

function streamSnapshot(
  stream: StreamState,
  activity: StreamActivity | undefined,
  book: FigureBook,
  swarmPeers: ReadonlyMap<string, number>,
): StreamSnapshot {
  const peersByRendition = new Map<string, number>();
  for (const [hash, rendition] of stream.swarms) {
    const peers = swarmPeers.get(hash);
    if (peers !== undefined) peersByRendition.set(rendition, (peersByRendition.get(rendition) ?? 0) + peers);
  }
  const renditions = [...stream.renditions.values()]
    .map((rendition) => ({
      rendition: rendition.name,
      viewers: activity?.renditionViewers.get(rendition.name) ?? 0,
      swarmPeers: peersByRendition.get(rendition.name) ?? null,
      windows: book.renditionFigures(rendition),
    }))
    .sort((a, b) => b.viewers - a.viewers || a.rendition.localeCompare(b.rendition));
  return {
    key: stream.key,
    name: stream.name,
    metricLabel: book.aggregator.labels.labelOf(stream.key),
    streamIds: [...stream.streamIds],
    originStream: stream.originStream ?? null,
    originSharedBy:
      stream.originStream === undefined ? 0 : (book.groups.get(stream.originStream)?.length ?? 1),
    viewers: activity?.viewers ?? 0,
    peers: activity?.peers ?? 0,
    lastReportMs: stream.lastReportMs,
    integrityFailures: stream.integrityFailures,
    windows: book.streamFigures(stream),
    renditions,
    series: streamSeries(stream, book),
  };
}

/** Per-bucket rates over the last 15 min, from the stream's first bucket at the earliest. */
function streamSeries(stream: StreamState, book: FigureBook): SeriesSnapshot {
  const aggregator = book.aggregator;
  const bucketSec = BUCKET_MS / 1000;
  const first = Math.max(
    book.end - WINDOW_BUCKETS["15m"] + 1,
    stream.ring.indexOf(stream.createdMs) - Math.ceil(10_000 / BUCKET_MS),
  );
  const origin = stream.originStream === undefined ? undefined : aggregator.origins.get(stream.originStream);
  const members = stream.originStream === undefined ? [] : (book.groups.get(stream.originStream) ?? []);
  const series: SeriesSnapshot = {
    startMs: first * BUCKET_MS,
    bucketMs: BUCKET_MS,
    httpBps: [],
    p2pBps: [],
    originBps: [],
    offload: [],
    originVsReportedOffload: [],
  };
  for (let index = first; index <= book.end; index++) {
    const http = stream.ring.get(index, HTTP);
    const p2p = stream.ring.get(index, P2P);
    series.httpBps.push(Math.round(http / bucketSec));
    series.p2pBps.push(Math.round(p2p / bucketSec));
    series.offload.push(roundRatio(offloadOf(http, p2p)));
    if (stream.originStream === undefined) {
      series.originBps.push(null);
      series.originVsReportedOffload.push(null);
      continue;
    }
    const originBytes = origin?.ring.get(index, 0) ?? 0;
    series.originBps.push(Math.round(originBytes / bucketSec));
    const from = index - SERIES_ORIGIN_SMOOTH_BUCKETS + 1;
    const originRecent = origin?.ring.sum(from, index)[0] ?? 0;
    const measuredRecent = members.reduce((sum, m) => {
      const bytes = m.ring.sum(from, index);
      return sum + (bytes[HTTP] ?? 0) + (bytes[P2P] ?? 0);
    }, 0);
    series.originVsReportedOffload.push(roundRatio(originVsReportedOffloadOf(originRecent, measuredRecent)));
  }
  return series;
}

function roundRatio(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10_000) / 10_000;
}
