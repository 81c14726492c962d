/** Where the bytes of a segment came from. */
export type SegmentSource = "http" | "p2p" | "cache";

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, exclusive; undefined = to the end of the resource. */
  end?: number;
}

/**
 * One segment as the core sees it: player-agnostic. `id` is identical for every viewer of the
 * same swarm that loads the same bytes, and differs whenever the bytes could differ: the hls.js
 * adapter derives it from the segment's URL key, byte range and published digest (see
 * `sdk/src/engine/segment-identity.ts`). Peers exchange a segment only under an identical id.
 */
export interface SegmentRequest {
  id: string;
  /** Stream + rendition: viewers exchange segments only within one swarm. */
  swarmKey: string;
  /**
   * The player track the rendition plays in: the stream key and the track type (hls.js `main` or
   * `audio`, Shaka `video` or `audio`), e.g. `<stream>|main`. A track plays one rendition at a time:
   * once another rendition of the track is used, this one's swarm is left after a short grace
   * (SWARM_SWITCH_GRACE_MS, 8 s). Without it the swarm is left only after 60 s unused.
   */
  track?: string;
  url: string;
  byteRange?: ByteRange;
  startTimeSec: number;
  durationSec: number;
  live: boolean;
  /**
   * SHA-256 of the segment's bytes (its byte range, if any) as published by the origin, 64 lower-case
   * hex characters. When set, bytes from peers are delivered only if they hash to it.
   */
  sha256?: string;
  /**
   * The rendition's media playlist URL as the player loaded it (hls.js: the fragment's `baseurl`;
   * Shaka: the manifest's), and the page's manifest URL: what the digest service checks the segment
   * against (docs/digest-service.md). Without them no server digest is asked for.
   */
  playlistUrl?: string;
  manifestUrl?: string;
  /**
   * The player's ABR could pick a higher rendition than this segment's (automatic level selection,
   * a higher level allowed). Such a viewer, served by peers for long, now and then fetches a segment
   * over HTTP so its throughput estimate — what ABR sees — stays current (core/policy/throughput-probe.ts).
   * @default false
   */
  canSwitchUp?: boolean;
}

/** Timeouts and retries for the HTTP path, taken from the player's load policy. */
export interface HttpPolicy {
  firstByteTimeoutMs: number;
  totalTimeoutMs: number;
  /** null = the caller retries (hls.js does this itself for fragments). */
  retry: { maxRetries: number; retryDelayMs: number; maxRetryDelayMs: number } | null;
}

/** Timestamps in `performance.now()` milliseconds, as hls.js LoaderStats use them. */
export interface TransferTiming {
  requestStartMs: number;
  firstByteMs: number;
  endMs: number;
}

export interface SegmentResult {
  data: Uint8Array;
  source: SegmentSource;
  timing: TransferTiming;
  /** Bytes of this segment that crossed the network over HTTP and over P2P for this load. */
  httpBytes: number;
  p2pBytes: number;
  httpRetries: number;
}

/** What the core needs to know about playback to judge deadlines. */
export interface PlaybackState {
  positionSec: number;
  /** Seconds of media buffered contiguously ahead of the position. */
  bufferedAheadSec: number;
  playbackRate: number;
  /**
   * True while the player wants to play but cannot (starting up, or stalled): the buffer ahead is
   * then no cushion at all, whatever it waits for is due now. A paused player is not waiting.
   * @default false
   */
  waiting?: boolean;
}

export interface LoadOptions {
  signal?: AbortSignal;
  http: HttpPolicy;
  /** Bytes received so far, from peers and HTTP (for player progress callbacks). */
  onProgress?: (loadedBytes: number, totalBytes: number) => void;
  /**
   * Called as each HTTP request of this load goes out (before its first byte): the moment the load
   * starts to cost network time at the origin. Until then it waited for peers or took bytes from them,
   * which a player's ABR must not read as its CDN's speed (see hlsjs/loader-stats.ts).
   */
  onHttpRequest?: () => void;
  /**
   * The player's own request customisation (hls.js `xhrSetup` / `fetchSetup`), applied to every HTTP
   * request of this load before the page's `httpRequestSetup`. Set by the player adapter.
   */
  playerRequestSetup?: HttpRequestSetup;
}

/**
 * One HTTP request Nearcast is about to make for a segment, as request hooks see and return it.
 * Nearcast owns the `Range` header: whatever a hook puts there is replaced by the range it needs.
 */
export interface HttpRequestSpec {
  /** Absolute URL to fetch (a hook may rewrite it: CDN token, signed path, other host). */
  url: string;
  /** Request headers, names as given (e.g. `{ Authorization: "Bearer …" }`). */
  headers: Record<string, string>;
  /**
   * Whether cookies and HTTP auth go with the request (the Fetch standard's `credentials`):
   * `"include"` is what `xhr.withCredentials = true` means; a cross-origin CDN must then answer
   * with `Access-Control-Allow-Credentials: true` and a non-wildcard `Access-Control-Allow-Origin`.
   */
  credentials: RequestCredentials;
}

/** What a request hook is told about the request it prepares. */
export interface HttpRequestContext {
  /** The segment's id and swarm, as in {@link SegmentRequest}. */
  segmentId: string;
  swarmKey: string;
  /** The segment's URL as the playlist gave it (before any rewrite). */
  segmentUrl: string;
  /** The bytes this request asks for (a resume starts after the bytes peers already gave). */
  range: ByteRange | undefined;
  /** 0 for the first try, then 1, 2… for retries of the same range. */
  attempt: number;
}

/**
 * A hook that adjusts an HTTP request: return a new spec (or mutate and return nothing). May be async
 * (e.g. to fetch a fresh CDN token). Throwing fails that load with the hook's message.
 */
export type HttpRequestSetup = (
  request: HttpRequestSpec,
  context: HttpRequestContext,
) => HttpRequestSpec | void | Promise<HttpRequestSpec | void>;

/**
 * Why a peer was cut off and banned for the session (see `getStats().peerRejections`, the
 * `peer-rejected` event and the stats report's `peerRejections`):
 * - `size-violation`: its data frames declared a segment size other than the one asked for or the
 *   one it announced (more bytes, fewer bytes), or an unknown size (0).
 * - `unrequested-data`: data frames for a request never made, or more after a cancel than was asked.
 * - `stall`: it announced a whole segment yet delivered (almost) nothing, several times running.
 * - `protocol-violation`: a malformed frame, or one that breaks the wire protocol's rules.
 * - `digest-mismatch`: it sent bytes of a segment that failed a digest (published, the server's) or
 *   the page's `validateSegment`.
 * - `spot-check`: it sent bytes of a segment that differ from the origin's where a CDN spot check
 *   sampled them (docs/trust.md).
 */
export const PEER_REJECTION_REASONS = [
  "size-violation",
  "unrequested-data",
  "stall",
  "protocol-violation",
  "digest-mismatch",
  "spot-check",
] as const;
export type PeerRejectionReason = (typeof PEER_REJECTION_REASONS)[number];

/**
 * The rungs of the trust ladder that vouch for bytes from peers, strongest first (docs/trust.md;
 * `getStats().trust.verifiedBy`): the origin's published digest, the page's `validateSegment`, the
 * digest service of nearcast-server, CDN spot checks.
 */
export const TRUST_RUNGS = ["published-sha256", "validate-segment", "server-digest", "spot-check"] as const;
export type TrustRung = (typeof TRUST_RUNGS)[number];

/**
 * Why an HTTP body was refused (see `getStats().httpBodyRejections`, the `http-body-rejected` event):
 * - `length-mismatch`: shorter or longer than its Content-Length or the playlist's byte range.
 * - `range-mismatch`: a Content-Range other than the range asked for.
 * - `tail-check`: a body of no stated length that the origin disowns (a Range request at its end
 *   shows the resource is longer, shorter, or ends with another byte).
 * - `digest-mismatch`: the bytes fail the digest published for the segment.
 */
export const HTTP_REJECTION_REASONS = [
  "length-mismatch",
  "range-mismatch",
  "tail-check",
  "digest-mismatch",
] as const;
export type HttpRejectionReason = (typeof HTTP_REJECTION_REASONS)[number];
