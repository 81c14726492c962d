/**
 * The stats report a viewer's SDK sends to the stats server (`statsUrl`), shared by the SDK's
 * reporter and the server's validator so both agree on one shape.
 *
 * Reports carry *deltas* since the previous report of the same client, numbered by `seq` (1, 2, …).
 * A report that fails to send is kept and resent with the same `seq` (its payload unchanged), so the
 * server counts each `(clientId, seq)` once: a duplicate is acknowledged and ignored, and a report is
 * lost only if the client's bounded queue overflows. Several reports may travel in one body (a
 * `sendBeacon` at page unload flushes the queue).
 */
import type { HttpRejectionReason, PeerRejectionReason } from "./types.js";

export const REPORT_VERSION = 1;

/** Bytes moved since the previous report, for the whole client or one rendition. */
export interface ReportDeltas {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
}

/**
 * Bytes traded with one peer in one rendition's swarm since the previous report. The server holds
 * each side of a transfer to the other's report: P2P bytes count once the peer that sent them
 * reports having sent them.
 */
export interface PeerTransferDeltas {
  /** The peer's tracker peer_id, 40 hex characters. */
  peer: string;
  /** Bytes received from this peer. */
  receivedBytes: number;
  /** Bytes sent to this peer. */
  sentBytes: number;
}

export interface RenditionDeltas extends ReportDeltas {
  /** The rendition part of the swarm key (e.g. "v842000-960x540-avc1.4d401f,mp4a.40.2"). */
  rendition: string;
  /** Per peer, at most {@link MAX_TRANSFERS_PER_RENDITION}; absent = none. */
  transfers?: PeerTransferDeltas[];
}

export interface StatsReport {
  /** Random per page session, 8–64 characters of [A-Za-z0-9_-]. */
  clientId: string;
  /** 1 for the first report of a client, +1 for each next one. */
  seq: number;
  /** The stream identity (the SDK's stream key: manifest URL without per-viewer query parameters, or the page's `streamId`). */
  streamId: string;
  /** Client clock when the report was made (epoch ms); informational. */
  sentAtMs: number;
  deltas: ReportDeltas;
  /** Per rendition, at most {@link MAX_RENDITIONS_PER_REPORT}. */
  renditions: RenditionDeltas[];
  /**
   * Segments whose bytes from peers failed verification since the previous report (absent = 0):
   * discarded, their peers banned, fetched over HTTP.
   */
  integrityFailures?: number;
  /**
   * Peer connections cut off for breaking a rule since the previous report, by reason (absent = none;
   * reasons that did not occur are left out).
   */
  peerRejections?: Partial<Record<PeerRejectionReason, number>>;
  /** HTTP bodies refused (not stored, not shared, the load retried) since the previous report, by reason. */
  httpBodyRejections?: Partial<Record<HttpRejectionReason, number>>;
  /** Peers connected at report time. */
  peers: number;
  /** The viewer is leaving (page hidden or unloaded): expect no more reports. */
  final: boolean;
}

/** The body POSTed to the stats URL. */
export interface StatsReportBatch {
  v: typeof REPORT_VERSION;
  /**
   * The session a Nearcast tracker handed this viewer (the `nearcast.session` of its announce
   * replies). A server that requires sessions (the default) refuses batches without a valid one.
   */
  session?: string;
  reports: StatsReport[];
}

export const MAX_REPORTS_PER_BATCH = 20;
export const MAX_RENDITIONS_PER_REPORT = 16;
/** Peers listed per rendition: a viewer keeps far fewer connections per swarm. */
export const MAX_TRANSFERS_PER_RENDITION = 16;
/** Largest body the server accepts: 20 reports with 16 renditions each fit with room to spare. */
export const MAX_REPORT_BODY_BYTES = 64 * 1024;
