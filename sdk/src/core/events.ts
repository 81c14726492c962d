import type { WarningCode } from "./errors.js";
import type { HttpRejectionReason, PeerRejectionReason, SegmentSource } from "./types.js";

/** A tracker connection's state (see the `tracker-state` event). */
export type TrackerState = "connecting" | "connected" | "disconnected" | "refused";

/** Events a page can subscribe to with `nearcast.on(name, listener)`. */
export interface NearcastEvents {
  /** A segment was handed to the player. */
  "segment-loaded": {
    segmentId: string;
    swarmKey: string;
    source: SegmentSource;
    bytes: number;
    httpBytes: number;
    p2pBytes: number;
    /** From the load call to delivery, including any wait for peers. */
    elapsedMs: number;
  };
  /** A segment could not be loaded at all; the player sees this as its own load error. */
  "segment-error": { segmentId: string; swarmKey: string; error: Error };
  "peer-connected": { peerId: string; swarmKey: string };
  "peer-disconnected": { peerId: string; swarmKey: string; reason: string };
  /** Segment bytes sent to a peer. */
  "bytes-uploaded": { peerId: string; swarmKey: string; bytes: number };
  /** Segment bytes received, per source, as they arrive (drives live charts). */
  "bytes-downloaded": { source: "http" | "p2p"; bytes: number; peerId?: string };
  /**
   * A tracker connection changed state. `disconnected` (with `error`) is followed by reconnects with
   * backoff. `refused` is final for this tracker URL: the tracker turned this viewer away, `reason`
   * saying why (a Nearcast tracker sends `token_missing`, `token_invalid`, `token_expired` or
   * `origin_not_allowed`); the SDK does not retry, since the same URL would be refused again. Give
   * the page a new join token (a new Nearcast instance with the new tracker URL) to try again. A
   * `refused` can follow a `connected` at once: the tracker opens the socket so that it can say why
   * it closes it (a browser cannot read the HTTP status of a refused WebSocket).
   */
  /**
   * A tracker's state. `refused` with `reason` (`token_missing`, `origin_not_allowed`, …) and no
   * `swarmKey`: the tracker refused this viewer, nothing is retried. With `swarmKey`: it refused one
   * swarm's announce (`token_scope`, `swarm_full`, … or a non-Nearcast tracker's `failure reason`);
   * the other swarms go on, and that one is announced again only after a long backoff (5 min,
   * doubling to 1 h). `error`: why it disconnected (`disconnected`, retried with backoff).
   */
  "tracker-state": {
    url: string;
    state: TrackerState;
    error?: string;
    reason?: string;
    swarmKey?: string;
  };
  /**
   * Bytes from peers for a segment failed verification (published SHA-256 or `validateSegment`):
   * they were discarded, `peerIds` (every peer that sent bytes of it) banned for the session, and the
   * segment fetched over HTTP. The player never saw the bad bytes.
   */
  "integrity-failure": {
    segmentId: string;
    swarmKey: string;
    url: string;
    peerIds: string[];
    discardedBytes: number;
    reason: string;
  };
  /**
   * A peer connection was cut off for breaking a rule, and the peer banned for the session: by its
   * id, and by the tracker's fingerprint of its address when the tracker sends one. What it was
   * sending falls back to another peer or HTTP; the player never sees its bytes.
   */
  "peer-rejected": {
    peerId: string;
    swarmKey: string;
    reason: PeerRejectionReason;
    detail: string;
    fingerprint?: string;
  };
  /**
   * An HTTP response's body was refused (see `HttpRejectionReason`): not stored, not shared with
   * peers, and the load failed like a network error (the player retries it).
   */
  "http-body-rejected": {
    segmentId: string;
    swarmKey: string;
    url: string;
    reason: HttpRejectionReason;
    detail: string;
  };
  /** Something recoverable went wrong (a peer misbehaved, a tracker refused); playback is unaffected. */
  warning: { code: WarningCode; message: string; error?: unknown };
}
