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
 * `sdk/src/hlsjs/segment-identity.ts`). Peers exchange a segment only under an identical id.
 */
export interface SegmentRequest {
  id: string;
  /** Stream + rendition: viewers exchange segments only within one swarm. */
  swarmKey: string;
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
  /** Bytes received so far (for player progress callbacks). */
  onProgress?: (loadedBytes: number, totalBytes: number) => void;
}
