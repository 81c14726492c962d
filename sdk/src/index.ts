export { Nearcast, withNearcast, type HlsWithNearcastConfig } from "./hlsjs/hls-integration.js";
export { Engine, type Platform } from "./core/engine.js";
export { DEFAULT_CONFIG, mergeConfig, type NearcastConfig } from "./core/config.js";
export type { NearcastEvents } from "./core/events.js";
export type { NearcastStats, PeerStats } from "./core/stats.js";
export type { SegmentRequest, SegmentResult, SegmentSource, PlaybackState } from "./core/types.js";
export { NearcastError, ConfigError, HttpError, TimeoutError, AbortError } from "./core/errors.js";

/** The SDK version, injected at build time. */
export const VERSION: string = typeof __NEARCAST_VERSION__ === "string" ? __NEARCAST_VERSION__ : "dev";
declare const __NEARCAST_VERSION__: string | undefined;
