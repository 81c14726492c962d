import type { SegmentAvailability } from "../core/availability.js";
import { NearcastError } from "../core/errors.js";

export type { SegmentAvailability };

/** First frame on a channel. One data channel carries one swarm, so no swarm id is needed. */
export interface HelloMessage {
  readonly type: "hello";
  /** Highest protocol version the sender speaks (frames themselves use the negotiated one). */
  readonly protocolVersion: number;
  /** Free-form label such as "nearcast/0.1.0", ≤ 64 UTF-8 bytes, non-empty when present. */
  readonly clientName?: string;
}

/** The sender's whole availability map; replaces what the receiver knew of it. */
export interface AvailabilityFullMessage {
  readonly type: "availability-full";
  readonly segments: readonly SegmentAvailability[];
}

/** Changes since the last map: `added` also re-announces segments whose bytes grew. */
export interface AvailabilityDeltaMessage {
  readonly type: "availability-delta";
  readonly added: readonly SegmentAvailability[];
  readonly removed: readonly string[];
}

/** "I am fetching this segment over HTTP now": others may wait for it instead of duplicating. */
export interface FetchingMessage {
  readonly type: "fetching";
  readonly segmentId: string;
}

/** A `fetching` announcement no longer holds (the fetch failed or was aborted). */
export interface FetchCancelledMessage {
  readonly type: "fetch-cancelled";
  readonly segmentId: string;
}

/**
 * Ask for the rest of a segment, from `rangeStart` to its end. The requester holds the sender to
 * the size it expects (see `rangeEnd`): data frames that declare another size, more bytes than
 * asked, or bytes for a request not open close the sender's connection (sdk/src/p2p/peer-downloads.ts).
 */
export interface RequestMessage {
  readonly type: "request";
  /** Chosen by the requester, echoed in `data`/`absent`, unique among its open requests. */
  readonly requestId: number;
  readonly segmentId: string;
  readonly rangeStart: number;
  /**
   * The segment's size as the requester expects it (exclusive end, > rangeStart): from the playlist's
   * byte range, a verified digest record, or the holder's own announcement. A holder whose copy has
   * another size answers `absent`. Absent when the holder has announced no size yet: its availability
   * entry with the size must then reach the requester before its first data frame.
   */
  readonly rangeEnd?: number;
}

/** One chunk answering a request: bytes [offset, offset + payload.length) of the segment. */
export interface DataMessage {
  readonly type: "data";
  readonly requestId: number;
  /** Byte offset within the segment, not within the requested range. */
  readonly offset: number;
  /**
   * Whole segment size: the one the request expects. 0 (unknown) is allowed by the codec for old
   * senders, but a requester cuts a sender that declares it, or any size other than the expected one.
   */
  readonly totalLength: number;
  /** 1..MAX_CHUNK_BYTES bytes. Decoded payloads are views into the received frame, not copies. */
  readonly payload: Uint8Array;
}

/** The sender does not have (or no longer has) what the request asked for. Ends the request. */
export interface AbsentMessage {
  readonly type: "absent";
  readonly requestId: number;
}

/** The requester no longer wants the rest of a request. */
export interface CancelMessage {
  readonly type: "cancel";
  readonly requestId: number;
}

export type PeerMessage =
  | HelloMessage
  | AvailabilityFullMessage
  | AvailabilityDeltaMessage
  | FetchingMessage
  | FetchCancelledMessage
  | RequestMessage
  | DataMessage
  | AbsentMessage
  | CancelMessage;

export type PeerMessageType = PeerMessage["type"];

export type ProtocolErrorCode =
  /** The frame ends before a field it declares. */
  | "TRUNCATED"
  /** Unknown frame type code. */
  | "BAD_TYPE"
  /** First byte is not this protocol, or another version of it. */
  | "BAD_VERSION"
  /** A frame, string, list or payload exceeds its bound. */
  | "TOO_LARGE"
  /** Invalid UTF-8, lone surrogate, or an empty string where one is required. */
  | "BAD_STRING"
  /** Bytes left after the last field. */
  | "TRAILING_BYTES"
  /** A field holds a value the protocol forbids (reserved flag, empty range, inconsistent lengths). */
  | "BAD_FIELD";

/**
 * A frame could not be encoded or decoded. On decode it means the peer is broken or hostile:
 * drop that peer, never the player.
 */
export class ProtocolError extends NearcastError {
  override name = "ProtocolError";
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
