// Wire contract of nearcast-server's `POST /api/digests` (docs/digest-service.md), shared by the
// SDK's client and the server, each validating the other's JSON at its boundary.

/** Segments per request (the client splits larger batches). */
export const MAX_DIGEST_SEGMENTS_PER_REQUEST = 32;
/** Request body limit, bytes: 32 URLs with ~1.5-KiB CDN tokens fit. */
export const MAX_DIGEST_REQUEST_BYTES = 64 * 1024;
export const MAX_DIGEST_URL_CHARS = 4096;
export const MAX_DIGEST_SWARM_KEY_CHARS = 4096 + 256;
export const MAX_DIGEST_SESSION_CHARS = 1024;
/** Longest wait for a fetch in progress a request may ask for, ms. */
export const MAX_DIGEST_WAIT_MS = 10_000;
/**
 * Bytes per chunk of an `ok` entry's chunk digests (the last chunk is shorter): small enough that a
 * relay passes a segment on a few frames after it arrives, large enough that the digests of a 4-MiB
 * segment (64 × 32 bytes) stay a small part of the answer. BitTorrent's pieces, one segment at a time.
 */
export const DIGEST_CHUNK_BYTES = 64 * 1024;
/** Chunk digests per segment at most (16 MiB at 64 KiB): a longer segment has the whole-segment digest only. */
export const MAX_DIGEST_CHUNKS = 256;
/**
 * Longest answer the client reads, bytes: 32 entries of at most 256 chunk digests (base64, ~11 KiB
 * each) and their other fields.
 */
export const MAX_DIGEST_RESPONSE_BYTES = MAX_DIGEST_SEGMENTS_PER_REQUEST * (12 * 1024) + 4096;

/** How many chunks of `chunkBytes` a segment of `bytes` has (the last one shorter). */
export function chunkCount(bytes: number, chunkBytes: number): number {
  return Math.ceil(bytes / chunkBytes);
}

export interface DigestSegmentQuery {
  /** As this viewer loads it, with its own query (CDN token). */
  url: string;
  /** `EXT-X-BYTERANGE` as `[start, end)`. */
  range?: [number, number];
}

/** Request body, sent as text/plain (no CORS preflight). */
export interface DigestRequestBody {
  /** `<stream key>|<rendition key>`; its SHA-1 is the swarm's info-hash. */
  swarmKey: string;
  /** The asker's peer_id in that swarm, 40 hex. */
  peerId: string;
  /** The tracker's session credential, once it issues one. */
  session?: string;
  /** The page's manifest URL; optional only for a page `streamId` on an operator-allowed origin. */
  manifestUrl?: string;
  /** The rendition's media playlist URL. */
  playlistUrl: string;
  segments: DigestSegmentQuery[];
  /** Wait for a fetch in progress at most this long, ms (the server caps it). */
  waitMs?: number;
}

export type DigestRefusalReason =
  "not_in_playlist" | "bad_url" | "address_not_allowed" | "origin_not_allowed";

export type DigestUnavailableReason =
  | "origin_timeout"
  | "origin_unreachable"
  | "origin_status"
  | "length_mismatch"
  | "length_unknown"
  | "range_mismatch"
  | "encoded_body"
  | "too_large"
  | "too_many_redirects"
  | "overloaded";

/**
 * One per asked segment, in order. `ok`: SHA-256 (lower-case hex) of exactly `bytes` bytes and, when
 * the segment has at most {@link MAX_DIGEST_CHUNKS} chunks of `chunkBytes` (today always
 * {@link DIGEST_CHUNK_BYTES}), `chunks`: the SHA-256 of each chunk in order, their 32-byte values
 * concatenated and base64-encoded (RFC 4648 §4, padded). An `ok` entry without them vouches for the
 * whole segment only.
 */
export type DigestEntry =
  | { status: "ok"; sha256: string; bytes: number; chunkBytes?: number; chunks?: string }
  | { status: "pending" }
  | { status: "unavailable"; reason: DigestUnavailableReason; httpStatus?: number }
  | { status: "refused"; reason: DigestRefusalReason };

export type DigestNotServedReason = "small_swarm";

/** A `200` answer. `served: false`: a swarm below the server's threshold, verify with spot checks. */
export type DigestResponseBody =
  | { served: true; digests: DigestEntry[] }
  | { served: false; reason: DigestNotServedReason; swarmSize: number; minSwarmSize: number };

/** `reason` of a `4xx`/`5xx` answer (statuses in docs/digest-service.md). */
export type DigestRequestError =
  | "bad_request"
  | "not_member"
  | "stream_not_tracked"
  | "origin_not_allowed"
  | "address_not_allowed"
  | "body_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "manifest_unavailable"
  | "playlist_unavailable"
  | "overloaded";

export interface DigestErrorBody {
  reason: DigestRequestError;
  error: string;
}

/**
 * The digest service next to a tracker: `ws(s)://host/<path>/tracker?…` → `http(s)://host/<path>/api/digests`
 * (a join token is for the tracker only). Undefined for a URL that is not ws(s).
 */
export function digestServiceUrlOf(trackerUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(trackerUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== "ws:" && url.protocol !== "wss:") return undefined;
  const dir = url.pathname.replace(/\/[^/]*$/, "");
  return `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}${dir}/api/digests`;
}
