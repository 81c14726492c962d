// Every error class the SDK raises, each with a stable `code` from one list, so that an embedder (and
// our own code) switches on codes rather than on messages or class names.
import type { HttpRejectionReason } from "./types.js";

/**
 * The `code` of every {@link NearcastError}. Only the first group ever reaches the page (thrown by a
 * constructor or call, passed to the player as a load error, or carried by a `segment-error`
 * event); the peer and protocol codes stay inside the SDK, where the failed peer load falls back to
 * HTTP, and at most appear in a `warning` event.
 *
 * Reaching the page:
 * - `config` ({@link ConfigError}): the configuration cannot work; the message names the key. Fix it.
 * - `destroyed`: a call on an engine after `destroy()`. Create a new one.
 * - `http` ({@link HttpError}): the origin failed the request; `status` is 0 for a network failure.
 *   The player retries per its own policy.
 * - `http-body` ({@link HttpBodyError}): the response's body cannot be trusted (`reason` says why);
 *   it is neither stored nor shared, and the player retries as for `http`.
 * - `timeout` ({@link TimeoutError}): a deadline passed; `phase` says which. Retried like `http`.
 * - `aborted` ({@link AbortError}): the caller aborted the load. Not a failure.
 * - `request-setup` ({@link RequestSetupError}): a request hook (`httpRequestSetup`, hls.js
 *   `xhrSetup`/`fetchSetup`) threw or returned something that is not a request. Fix the hook.
 *
 * Inside the SDK: the {@link PeerErrorCode}s of {@link PeerError} and the
 * {@link ProtocolErrorCode}s of {@link ProtocolError}.
 */
export type NearcastErrorCode =
  | "config"
  | "destroyed"
  | "http"
  | "http-body"
  | "timeout"
  | "aborted"
  | "request-setup"
  | PeerErrorCode
  | ProtocolErrorCode;

/**
 * The `code` of a `warning` event: something went wrong that Nearcast worked around (playback goes
 * on, over HTTP if need be), but that an embedder may want to fix or show.
 *
 * - `native-playback`: hls.js is not driving the media element (the page chose the browser's own
 *   HLS player), so no segment goes through Nearcast and offload stays 0. Choose hls.js whenever
 *   MediaSource or ManagedMediaSource exists (README, "Embedding the SDK").
 * - `digest-tag`: a `#EXT-X-NEARCAST-SHA256` / `-MAP-SHA256` tag is malformed or contradicts another;
 *   it is ignored and the segment is verified by the other rungs (docs/integrity.md). Fix the packager.
 * - `tracker`: a tracker could not be reached or sent something unusable, a `failure reason` or a
 *   `warning message` (WebTorrent tracker protocol); the message says which tracker and what.
 * - `ice-config`: the `iceConfigUrl` endpoint failed or answered nonsense; `rtcConfiguration` is used.
 * - `unverified-peers`: this stream's segments can be verified by nothing (no digest, no hook, no
 *   digest service, no spot check possible), and `allowUnverifiedPeers` lets peers deliver them anyway.
 */
export type WarningCode = "native-playback" | "digest-tag" | "tracker" | "ice-config" | "unverified-peers";

/** Base class so callers can tell Nearcast's own errors from everything else; `code` says which. */
export class NearcastError extends Error {
  override name = "NearcastError";
  constructor(
    message: string,
    readonly code: NearcastErrorCode,
  ) {
    super(message);
  }
}

/** The page passed a configuration that cannot work. Thrown synchronously by the constructor. */
export class ConfigError extends NearcastError {
  override name = "ConfigError";
  declare readonly code: "config";
  constructor(message: string) {
    super(message, "config");
  }
}

/** An HTTP fetch failed; `status` is 0 for network failures. */
export class HttpError extends NearcastError {
  override name = "HttpError";
  declare readonly code: "http" | "http-body";
  constructor(
    message: string,
    readonly status: number,
    code: "http" | "http-body" = "http",
  ) {
    super(message, code);
  }
}

/**
 * An HTTP response whose body cannot be trusted: shorter or longer than its Content-Length or the
 * playlist's byte range, a Content-Range other than the one asked for, a body of no stated length
 * that the origin disowns, or bytes that fail the segment's digest. It is never stored or shared.
 * `status` is the response's own (2xx), so a player retries the load as it does a failed request
 * (hls.js retries no status-0 error while online).
 */
export class HttpBodyError extends HttpError {
  override name = "HttpBodyError";
  declare readonly code: "http-body";
  constructor(
    message: string,
    status: number,
    readonly reason: HttpRejectionReason,
  ) {
    super(message, status, "http-body");
  }
}

/** A deadline passed before the bytes arrived. `phase` says which deadline. */
export class TimeoutError extends NearcastError {
  override name = "TimeoutError";
  declare readonly code: "timeout";
  constructor(
    message: string,
    readonly phase: "first-byte" | "total",
  ) {
    super(message, "timeout");
  }
}

/** The caller aborted the load. Not a failure: never reported to the player as an error. */
export class AbortError extends NearcastError {
  override name = "AbortError";
  declare readonly code: "aborted";
  constructor(message: string) {
    super(message, "aborted");
  }
}

/** A request hook failed or returned something that is not a request. Not retried. */
export class RequestSetupError extends NearcastError {
  override name = "RequestSetupError";
  declare readonly code: "request-setup";
  constructor(message: string) {
    super(message, "request-setup");
  }
}

/**
 * Why a download from a peer failed, or how a peer broke a rule (sdk/src/p2p/peer.ts).
 * - `absent`: the peer does not have what was asked for.
 * - `closed`: the connection closed.
 * - `protocol`: a frame out of order or against the protocol's rules.
 * - `size`: a data frame declared a segment size other than the one asked for or announced, or 0.
 * - `unrequested`: data for a request never made, or more after a cancel than the request had left.
 * - `stalled`: a peer that announced the whole segment delivered (almost) nothing.
 * - `cancelled`: we no longer wanted the bytes.
 * - `refused`: we did not take the bytes, through no fault of the peer (over our caps on buffered
 *   peer bytes, or at odds with bytes of the segment from another source).
 */
export type PeerErrorCode =
  "absent" | "closed" | "protocol" | "size" | "unrequested" | "stalled" | "cancelled" | "refused";

/** A download from a peer failed; the load goes on from another peer or HTTP. */
export class PeerError extends NearcastError {
  override name = "PeerError";
  declare readonly code: PeerErrorCode;
  constructor(message: string, code: PeerErrorCode) {
    super(message, code);
  }
}

/** What is wrong with a peer protocol frame (sdk/src/p2p/protocol.ts). */
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
  declare readonly code: ProtocolErrorCode;
  constructor(code: ProtocolErrorCode, message: string) {
    super(`${code}: ${message}`, code);
  }
}
