export {
  Nearcast,
  withNearcast,
  type HlsWithNearcastConfig,
  type NearcastHlsStats,
} from "./hlsjs/hls-integration.js";
export type { InterstitialStats } from "./hlsjs/interstitial-assets.js";
export { Engine, type ResourceUsage } from "./engine/engine.js";
export type { Platform } from "./engine/platform.js";
export { DEFAULT_CONFIG, mergeConfig, type NearcastConfig } from "./core/config.js";
export type { NearcastEvents, TrackerState } from "./core/events.js";
export type { NearcastStats, PeerStats, TrustStats } from "./core/stats.js";
export type { SegmentRequest, SegmentResult, SegmentSource, PlaybackState } from "./core/types.js";
export {
  HTTP_REJECTION_REASONS,
  PEER_REJECTION_REASONS,
  TRUST_RUNGS,
  type HttpRejectionReason,
  type PeerRejectionReason,
  type TrustRung,
} from "./core/types.js";
export type { HttpRequestContext, HttpRequestSetup, HttpRequestSpec } from "./core/types.js";
export {
  NearcastError,
  ConfigError,
  HttpError,
  TimeoutError,
  AbortError,
  RequestSetupError,
  type NearcastErrorCode,
  type WarningCode,
} from "./core/errors.js";

/** The SDK version, injected at build time. */
export const VERSION: string = typeof __NEARCAST_VERSION__ === "string" ? __NEARCAST_VERSION__ : "dev";
declare const __NEARCAST_VERSION__: string | undefined;
export {
  REPORT_VERSION,
  MAX_REPORTS_PER_BATCH,
  MAX_RENDITIONS_PER_REPORT,
  MAX_TRANSFERS_PER_RENDITION,
  MAX_REPORT_BODY_BYTES,
  type ReportDeltas,
  type PeerTransferDeltas,
  type RenditionDeltas,
  type StatsReport,
  type StatsReportBatch,
} from "./core/report-types.js";
export {
  DigestClient,
  type DigestAsk,
  type DigestClientOptions,
  type DigestClientStats,
  type DigestLookup,
  type DigestMissReason,
} from "./http/digest-client.js";
export {
  MAX_DIGEST_REQUEST_BYTES,
  MAX_DIGEST_SEGMENTS_PER_REQUEST,
  MAX_DIGEST_SESSION_CHARS,
  MAX_DIGEST_SWARM_KEY_CHARS,
  MAX_DIGEST_URL_CHARS,
  MAX_DIGEST_WAIT_MS,
  DIGEST_CHUNK_BYTES,
  MAX_DIGEST_CHUNKS,
  chunkCount,
  digestServiceUrlOf,
  type DigestEntry,
  type DigestErrorBody,
  type DigestNotServedReason,
  type DigestRefusalReason,
  type DigestRequestBody,
  type DigestRequestError,
  type DigestResponseBody,
  type DigestSegmentQuery,
  type DigestUnavailableReason,
} from "./http/digest-wire.js";
// The identity rules, for the server's digest service (it binds asks to playlists by them).
export { contentQuery, defaultSegmentUrlKey, defaultStreamKey } from "./engine/segment-identity.js";
