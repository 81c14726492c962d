// The wire contract of nearcast-server's digest service (`POST /api/digests`, see
// docs/digest-service.md): what the SDK asks and what the server answers. The server validates these
// shapes at its boundary and the client validates the answers at its own, so both import them from
// here and neither trusts the other's JSON.

/** Segments one request may name. The client splits larger batches. */
export const MAX_DIGEST_SEGMENTS_PER_REQUEST = 32;
/** Body limit of a request, bytes (UTF-8 JSON): 32 URLs with CDN tokens of ~1.5 KiB each fit. */
export const MAX_DIGEST_REQUEST_BYTES = 64 * 1024;
/** Longest URL accepted (signed CDN URLs with a policy run to ~1.5 KiB; 4 KiB leaves room). */
export const MAX_DIGEST_URL_CHARS = 4096;
/** Longest swarm key accepted: a manifest URL of up to 4 KiB plus a rendition key. */
export const MAX_DIGEST_SWARM_KEY_CHARS = 4096 + 256;
/** Longest session credential accepted (the tracker's signed session token, issue 19). */
export const MAX_DIGEST_SESSION_CHARS = 1024;
/** The longest a client may ask the server to wait for a fetch in progress, ms. */
export const MAX_DIGEST_WAIT_MS = 10_000;

/** One segment (or init segment) whose digest is asked for. */
export interface DigestSegmentQuery {
  /** The URL the viewer loads it from, with its own per-viewer query (CDN tokens). */
  url: string;
  /** `[start, end)` in bytes when the playlist gives an `EXT-X-BYTERANGE` (or a MAP `BYTERANGE`). */
  range?: [number, number];
}

/**
 * `POST /api/digests` body. Sent as `text/plain` (a CORS "simple" request: no preflight round trip
 * on the path to the player); the server also accepts `application/json`.
 */
export interface DigestRequestBody {
  /** `<stream key>|<rendition key>`: the swarm whose info-hash is SHA-1 of it. */
  swarmKey: string;
  /** The requester's tracker peer_id in that swarm, hex (40 characters for the 20 bytes). */
  peerId: string;
  /** The tracker session credential, once the tracker issues one (issue 19); unused before. */
  session?: string;
  /**
   * The viewer's manifest URL (master or single media playlist). Needed when the stream key is the
   * default one (this URL without per-viewer query); may be omitted when the page set `streamId` and
   * the operator allow-listed the playlist's origin.
   */
  manifestUrl?: string;
  /** The viewer's media playlist URL for this rendition, with its own query. */
  playlistUrl: string;
  segments: DigestSegmentQuery[];
  /** How long the server may wait for a fetch in progress before answering `pending`, ms. */
  waitMs?: number;
}

/** Why the server did not fetch or hash a segment (`refused`): the ask itself is not acceptable. */
export const DIGEST_REFUSAL_REASONS = [
  "not_in_playlist",
  "bad_url",
  "address_not_allowed",
  "origin_not_allowed",
] as const;
export type DigestRefusalReason = (typeof DIGEST_REFUSAL_REASONS)[number];

/** Why the server has no digest for an acceptable ask (`unavailable`): the origin let it down. */
export const DIGEST_UNAVAILABLE_REASONS = [
  "origin_timeout",
  "origin_unreachable",
  "origin_status",
  "length_mismatch",
  "length_unknown",
  "range_mismatch",
  "encoded_body",
  "too_large",
  "too_many_redirects",
  "overloaded",
] as const;
export type DigestUnavailableReason = (typeof DIGEST_UNAVAILABLE_REASONS)[number];

/** The answer for one asked segment, in the order asked. */
export type DigestEntry =
  /** SHA-256 (64 lower-case hex) of exactly `bytes` bytes: the segment, or its byte range. */
  | { status: "ok"; sha256: string; bytes: number }
  /** The server is fetching it but did not finish within the wait; ask again or fall back. */
  | { status: "pending" }
  | { status: "unavailable"; reason: DigestUnavailableReason; httpStatus?: number }
  | { status: "refused"; reason: DigestRefusalReason };

/** Why a whole request is not served (`served: false`): verify another way (CDN spot checks). */
export const DIGEST_NOT_SERVED_REASONS = ["small_swarm"] as const;
export type DigestNotServedReason = (typeof DIGEST_NOT_SERVED_REASONS)[number];

/** `200` answer of `POST /api/digests`. */
export type DigestResponseBody =
  | { served: true; digests: DigestEntry[] }
  /**
   * Not served here: the swarm is smaller than the server's threshold, where one origin download per
   * segment costs more offload than the SDK's CDN spot checks (see docs/digest-service.md).
   */
  | { served: false; reason: DigestNotServedReason; swarmSize: number; minSwarmSize: number };

/**
 * Why a request failed as a whole (`4xx`/`5xx`), in the JSON body's `reason`:
 * 400 `bad_request`, 403 `not_member` / `stream_not_tracked` / `origin_not_allowed` /
 * `address_not_allowed`, 413 `body_too_large`, 415 `unsupported_media_type`, 429 `rate_limited`
 * (with `Retry-After`), 502 `manifest_unavailable` / `playlist_unavailable`, 503 `overloaded`.
 */
export const DIGEST_REQUEST_ERRORS = [
  "bad_request",
  "not_member",
  "stream_not_tracked",
  "origin_not_allowed",
  "address_not_allowed",
  "body_too_large",
  "unsupported_media_type",
  "rate_limited",
  "manifest_unavailable",
  "playlist_unavailable",
  "overloaded",
] as const;
export type DigestRequestError = (typeof DIGEST_REQUEST_ERRORS)[number];

/** Body of a `4xx`/`5xx` answer. */
export interface DigestErrorBody {
  reason: DigestRequestError;
  error: string;
}

/**
 * The digest service URL next to a tracker: `ws(s)://host[:port]/<path>/tracker?…` becomes
 * `http(s)://host[:port]/<path>/api/digests` (query and fragment dropped: a join token is for the
 * tracker only). Undefined for a URL that is not ws:// or wss://.
 */
export function digestServiceUrlOf(trackerUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(trackerUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return undefined;
  const scheme = url.protocol === "wss:" ? "https:" : "http:";
  const dir = url.pathname.replace(/\/[^/]*$/, "");
  return `${scheme}//${url.host}${dir}/api/digests`;
}
