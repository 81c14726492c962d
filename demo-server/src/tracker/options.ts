import {
  DEFAULT_ANNOUNCE_INTERVAL_MS,
  DEFAULT_FLOOD_CLOSE_DROPS,
  DEFAULT_FLOOD_WINDOW_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_NUMWANT,
  DEFAULT_MAX_OFFERS_PER_ANNOUNCE,
  DEFAULT_MAX_PEERS_PER_SWARM,
  DEFAULT_MAX_SCRAPE_INFO_HASHES,
  DEFAULT_MAX_UNREAD_BYTES,
  DEFAULT_MAX_SWARMS,
  DEFAULT_MAX_SWARMS_PER_CONNECTION,
  DEFAULT_PEER_TIMEOUT_MS,
  DEFAULT_RATE_LIMIT_BURST,
  DEFAULT_RATE_LIMIT_PER_SEC,
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_TOP_SWARMS_IN_STATS,
} from "./constants.js";

import type { AccessOptions } from "../net/access-policy.js";
import { normalizeOrigin } from "../net/access-policy.js";
import { checkSecret } from "../net/join-token.js";
import { checkServerSecret } from "../net/server-keys.js";

type LogFn = (obj: Record<string, unknown>, msg?: string) => void;

/** The subset of a pino logger the tracker uses; a pino `Logger` satisfies it. */
export interface TrackerLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
}

export interface TrackerOptions extends AccessOptions {
  /** `interval` sent to clients. @default 120_000 */
  announceIntervalMs: number;
  /**
   * A peer that has not announced for this long leaves its swarm; a socket that sent nothing for
   * this long is closed. Must exceed the interval. @default 240_000
   */
  peerTimeoutMs: number;
  /** Maintenance tick: expiry, ping/pong liveness, idle sockets. @default 30_000 */
  sweepIntervalMs: number;
  /** Largest accepted WebSocket message (ws `maxPayload`). @default 65_536 */
  maxMessageBytes: number;
  /** Larger `offers` arrays are rejected. @default 10 */
  maxOffersPerAnnounce: number;
  /** `numwant` is clamped to this. @default 50 */
  maxNumwant: number;
  /** New info_hashes are refused once this many swarms exist. @default 10_000 */
  maxSwarms: number;
  /** @default 1_000 */
  maxPeersPerSwarm: number;
  /** Open sockets, including handshakes in progress. @default 10_000 */
  maxConnections: number;
  /**
   * Per IPv4 address or IPv6 /64. A full tracker takes room from the address holding the most for a
   * newcomer from a less crowded one. @default 1_000
   */
  maxConnectionsPerIp: number;
  /** (info_hash, peer_id) memberships one socket may hold. @default 20 */
  maxSwarmsPerConnection: number;
  /** @default 50 */
  maxScrapeInfoHashes: number;
  /** Token-bucket capacity (messages) per socket. @default 50 */
  rateLimitBurst: number;
  /** Token-bucket refill (messages per second) per socket. @default 10 */
  rateLimitPerSec: number;
  /** Dropped messages within `floodWindowMs` that close the socket. @default 200 */
  floodCloseDrops: number;
  /** @default 10_000 */
  floodWindowMs: number;
  /**
   * Bytes sent to one socket that its client has not yet shown it read (by answering a ping sent
   * after them) before the socket is closed as a slow consumer. Bounds what a client that stops
   * reading holds in this process and in the kernel's socket buffers. @default 131_072
   */
  maxUnreadBytes: number;
  /** Swarms listed with their peer counts in `stats()`. @default 100 */
  topSwarmsInStats: number;
  /**
   * Take the client address from `X-Forwarded-For`. Exactly one trusted proxy is assumed: the
   * rightmost entry (the one that proxy appended) is used; entries to its left are client-supplied
   * and spoofable. @default false
   */
  trustProxy: boolean;
  /** pino-compatible logger. @default a no-op logger */
  logger: TrackerLogger;
  /**
   * Share swarms with other tracker instances through this Redis (`redis://host:port[/db]`): peers
   * connected to different instances meet. Unset = one process, nothing shared. See README
   * "Deployment". @default undefined
   */
  redisUrl: string | undefined;
  /** Prefix of the Redis keys and channels, so several deployments can share one Redis. @default "nearcast:" */
  redisKeyPrefix: string;
  /**
   * The server's secret (≥ 16 bytes): signs viewer sessions and address fingerprints (see
   * net/server-keys.ts). Every instance on one Redis needs the same one. @default a random secret
   * per process
   */
  serverSecret: string | undefined;
  /**
   * Lifetime of a viewer session after the announce reply that carried it. Reports made after the
   * tracker connection ended (the page's last beacon) still count within it. @default 600_000
   */
  sessionTtlMs: number;
}

const noop: LogFn = () => undefined;
const silentLogger: TrackerLogger = { debug: noop, info: noop, warn: noop };

export const DEFAULT_TRACKER_OPTIONS: Readonly<TrackerOptions> = Object.freeze({
  announceIntervalMs: DEFAULT_ANNOUNCE_INTERVAL_MS,
  peerTimeoutMs: DEFAULT_PEER_TIMEOUT_MS,
  sweepIntervalMs: DEFAULT_SWEEP_INTERVAL_MS,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxOffersPerAnnounce: DEFAULT_MAX_OFFERS_PER_ANNOUNCE,
  maxNumwant: DEFAULT_MAX_NUMWANT,
  maxSwarms: DEFAULT_MAX_SWARMS,
  maxPeersPerSwarm: DEFAULT_MAX_PEERS_PER_SWARM,
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
  maxSwarmsPerConnection: DEFAULT_MAX_SWARMS_PER_CONNECTION,
  maxScrapeInfoHashes: DEFAULT_MAX_SCRAPE_INFO_HASHES,
  rateLimitBurst: DEFAULT_RATE_LIMIT_BURST,
  rateLimitPerSec: DEFAULT_RATE_LIMIT_PER_SEC,
  floodCloseDrops: DEFAULT_FLOOD_CLOSE_DROPS,
  floodWindowMs: DEFAULT_FLOOD_WINDOW_MS,
  maxUnreadBytes: DEFAULT_MAX_UNREAD_BYTES,
  topSwarmsInStats: DEFAULT_TOP_SWARMS_IN_STATS,
  trustProxy: false,
  logger: silentLogger,
  joinTokenSecret: undefined,
  allowedOrigins: undefined,
  allowedInfoHashes: undefined,
  redisUrl: undefined,
  redisKeyPrefix: "nearcast:",
  serverSecret: undefined,
  sessionTtlMs: DEFAULT_SESSION_TTL_MS,
});

type NumericKey = {
  [K in keyof TrackerOptions]: TrackerOptions[K] extends number ? K : never;
}[keyof TrackerOptions];

/** Merges a partial config over the defaults and rejects values that cannot work. */
export function resolveTrackerOptions(partial: Partial<TrackerOptions> = {}): TrackerOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const options: TrackerOptions = { ...DEFAULT_TRACKER_OPTIONS, ...defined };
  for (const key of Object.keys(DEFAULT_TRACKER_OPTIONS) as (keyof TrackerOptions)[]) {
    if (typeof DEFAULT_TRACKER_OPTIONS[key] !== "number") continue;
    const value = options[key as NumericKey];
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`tracker option ${key} must be a positive finite number, got ${String(value)}`);
    }
  }
  if (options.peerTimeoutMs <= options.announceIntervalMs) {
    throw new RangeError(
      `tracker option peerTimeoutMs (${options.peerTimeoutMs}) must exceed announceIntervalMs ` +
        `(${options.announceIntervalMs}), or peers expire between their announces`,
    );
  }
  if (options.sweepIntervalMs > options.peerTimeoutMs) {
    throw new RangeError(
      `tracker option sweepIntervalMs (${options.sweepIntervalMs}) must not exceed peerTimeoutMs ` +
        `(${options.peerTimeoutMs}), or expired peers linger for more than a timeout`,
    );
  }
  if (options.maxConnectionsPerIp > options.maxConnections) {
    throw new RangeError("tracker option maxConnectionsPerIp must not exceed maxConnections");
  }
  if (options.redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(options.redisUrl)) {
    throw new RangeError(
      `tracker option redisUrl must be a redis:// or rediss:// URL, got "${options.redisUrl}"`,
    );
  }
  if (!/^[A-Za-z0-9:._-]{0,64}$/.test(options.redisKeyPrefix)) {
    throw new RangeError("tracker option redisKeyPrefix must be up to 64 chars of letters, digits, ':._-'");
  }
  if (options.rateLimitBurst < 1) {
    throw new RangeError("tracker option rateLimitBurst must be at least 1 message");
  }
  checkAccessOptions(options);
  return options;
}

function checkAccessOptions(options: AccessOptions & { serverSecret: string | undefined }): void {
  if (options.joinTokenSecret !== undefined) checkSecret(options.joinTokenSecret);
  if (options.serverSecret !== undefined) checkServerSecret(options.serverSecret);
  for (const origin of options.allowedOrigins ?? []) {
    if (normalizeOrigin(origin) === undefined) {
      throw new RangeError(
        `tracker option allowedOrigins: "${origin}" is not an origin such as https://site.example`,
      );
    }
  }
  for (const hash of options.allowedInfoHashes ?? []) {
    if (!/^[0-9a-fA-F]{40}$/.test(hash)) {
      throw new RangeError(`tracker option allowedInfoHashes: "${hash}" is not 40 hex characters`);
    }
  }
}
