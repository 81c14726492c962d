import type { HttpRejectionReason, PeerRejectionReason, SegmentSource } from "./types.js";

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
  "tracker-state": { url: string; state: "connecting" | "connected" | "disconnected"; error?: string };
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
  warning: { message: string; error?: unknown };
}
