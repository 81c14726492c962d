// The JSON of `GET /api/stats` and of each `snapshot` event of `GET /api/stats/events`. The dashboard
// imports these types; keep them free of runtime code.
//
// Every figure says what it is built from:
// - reported (`httpBytes`, `p2pBytes`, `uploadedBytes`, `offload`): viewers' reports that carried a
//   tracker session, clipped to a plausible rate, P2P bytes and uploads only as far as both sides of
//   each transfer reported them;
// - measured at the origin (`originBytes`, `originBps`): the demo origin's own byte counter, never
//   derived from any report;
// - both (`reportedBytes` beside it, `originVsReportedOffload`): origin bytes against reported bytes.
import type { ReportClipReason, ReportRefusal } from "../net/refusal-reasons.js";

export type WindowName = "1m" | "15m" | "all";

/** Bytes reported by viewers (see the file header for what counts) in one window, and their offload. */
export interface WindowFigures {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  /** p2p / (http + p2p) as reported by the viewers; null when nothing was reported in the window. */
  offload: number | null;
}

/** {@link WindowFigures} plus the origin's own count; the origin fields are null without an origin stream. */
export interface MeasuredWindowFigures extends WindowFigures {
  /**
   * Measured at the origin: media bytes it served for this stream's origin stream in the window, by
   * its own byte counter. No report changes it.
   */
  originBytes: number | null;
  /**
   * http + p2p reported by every stream the same origin counter measures (usually just this one;
   * `live` and `vod` of one origin stream share a counter): the denominator of `originVsReportedOffload`.
   */
  reportedBytes: number | null;
  /**
   * 1 − originBytes / reportedBytes: built from both, the origin's count against what viewers
   * reported receiving. Null when nothing was reported. Below the reported offload when viewers that
   * do not report (or other clients) fetch from the origin; can be negative then. Only verified
   * reports move the denominator: a forged report is refused before it counts.
   */
  originVsReportedOffload: number | null;
}

/**
 * One point per 5-s bucket over the last 15 min (only as far back as the stream exists), oldest
 * first, ending at `settledToMs`. Bucket i starts at `startMs + i × bucketMs`.
 */
export interface SeriesSnapshot {
  startMs: number;
  bucketMs: number;
  httpBps: number[];
  p2pBps: number[];
  /** Null without an origin stream. */
  originBps: (number | null)[];
  /** Reported p2p / (http + p2p) of each bucket. */
  offload: (number | null)[];
  /**
   * `originVsReportedOffload` over the 30 s ending at each bucket: the origin counts bytes when served
   * and reports spread them over their interval, so a 5-s ratio of the two would swing wildly.
   */
  originVsReportedOffload: (number | null)[];
}

export interface RenditionSnapshot {
  /** The rendition part of the swarm key, e.g. "v842000-960x540-avc1.4d401f,mp4a.40.2". */
  rendition: string;
  /** Viewers whose latest report lists this rendition. */
  viewers: number;
  /** Peers in this rendition's tracker swarm, if the tracker lists it among its largest; else null. */
  swarmPeers: number | null;
  windows: Record<WindowName, WindowFigures>;
}

export interface StreamSnapshot {
  /** Stable key (`origin:demo/live` or `id:<streamId>`; `other` for streams beyond the bound). */
  key: string;
  /** Short name for people: `demo/live`, a URL path, or the page's streamId. */
  name: string;
  /** Its `stream` label in /metrics (`other` when it has no label of its own). */
  metricLabel: string;
  /** Some of the raw streamIds reported (at most 4). */
  streamIds: string[];
  /** The demo-origin stream whose counter measures this stream, or null. */
  originStream: string | null;
  /** How many tracked streams share that origin counter (1 = only this one). */
  originSharedBy: number;
  /** Clients with a non-final report in the last `viewerWindowMs`. */
  viewers: number;
  /** Sum of the latest `peers` of those viewers. */
  peers: number;
  lastReportMs: number;
  /** Segments whose bytes from peers failed verification since the stream was first reported. */
  integrityFailures: number;
  windows: Record<WindowName, MeasuredWindowFigures>;
  renditions: RenditionSnapshot[];
  series: SeriesSnapshot;
}

export interface StatsSnapshot {
  v: 1;
  /** Server clock of the snapshot (epoch ms). */
  atMs: number;
  /** When the stats service started: the start of the "all" window. */
  startedAtMs: number;
  bucketMs: number;
  /**
   * Windows and series end here, 5–10 s before `atMs`: the newest bytes are not reported by every
   * viewer yet while the origin already counted them.
   */
  settledToMs: number;
  viewerWindowMs: number;
  totals: {
    viewers: number;
    peers: number;
    streams: number;
    clients: number;
    windows: Record<WindowName, MeasuredWindowFigures>;
  };
  /** Most-watched first, at most 24 (with their series). */
  streams: StreamSnapshot[];
  /** Streams tracked but not listed in `streams`. */
  omittedStreams: number;
  /** From the tracker's `stats()`, or null when no tracker runs. */
  tracker: { swarms: number; peers: number; connections: number; announces: number } | null;
  reports: {
    accepted: number;
    duplicates: number;
    /** Accepted reports that carried no session (only with `acceptAnonymousReports`). */
    anonymous: number;
    /** Rejected requests (a rejected body may not even hold countable reports). */
    rejected: number;
    rejectedByReason: Record<ReportRefusal, number>;
    /** Bytes of accepted reports that were not counted, by reason. */
    clippedBytes: Record<ReportClipReason, number>;
    /** P2P bytes one side of a transfer reported that the other side may still confirm. */
    awaitingConfirmationBytes: number;
  };
}
