import { ConfigError } from "./errors.js";
import type { SegmentValidator } from "./integrity.js";
import type { HttpRequestSetup } from "./types.js";

/**
 * Everything a page can tune. Every key has a documented default; pass a partial object and the
 * rest is filled in by {@link mergeConfig}. Units are in the names.
 */
export interface NearcastConfig {
  /**
   * Stream identity shared by all viewers of the same content. Viewers with the same `streamId`
   * (and rendition) exchange segments.
   * @default the manifest URL without fragment and without per-viewer query parameters (CDN tokens,
   * signatures, CMCD; see `PER_VIEWER_QUERY_PARAMS`): other parameters can select content
   * (`index.m3u8?v=A`) and are kept
   */
  streamId: string | undefined;
  /**
   * WebSocket tracker URLs (ws:// or wss://) that introduce viewers of the same stream.
   * With none, Nearcast delivers over HTTP only.
   * @default []
   */
  trackerUrls: string[];
  /** Fetch segments from peers at all. @default true */
  p2pEnabled: boolean;
  /** Serve segments to peers. @default true */
  uploadEnabled: boolean;
  /**
   * Serve segments to peers even on a metered connection (`navigator.connection.type` is
   * "cellular", or `saveData` is on). Off by default: the viewer pays for those bytes.
   * @default false
   */
  uploadOnMeteredConnection: boolean;
  /** Upload cap across all peers, bytes per second; 0 = no cap. @default 0 */
  maxUploadBytesPerSec: number;
  /**
   * Most peer connections this viewer seeks per swarm. In a swarm of more than 100 viewers it accepts
   * up to 2 more from viewers that lack peers (p2p/connect-rules.ts `peerLimit`). @default 10
   */
  maxPeers: number;
  /** Memory budget for segments kept to serve peers, bytes. @default 64 MiB */
  storeMaxBytes: number;
  /** Segments that ended this long before the playhead are evicted first. @default 30 */
  storeKeepBehindSec: number;
  /**
   * Headroom kept before a segment's playback deadline when waiting for peers: Nearcast gives up
   * on peers and uses HTTP once `bufferedAhead − expectedHttpTime < httpSafetyMarginMs`.
   * @default 2500
   */
  httpSafetyMarginMs: number;
  /** A peer transfer with no progress for this long is abandoned (resumed over HTTP). @default 1500 */
  p2pStallTimeoutMs: number;
  /** Optional region hint sent to the tracker so it can prefer nearby peers. @default undefined */
  region: string | undefined;
  /**
   * Passed to every RTCPeerConnection. The default public STUN servers let viewers behind ordinary
   * home NATs connect; viewers behind symmetric NATs (many mobile and corporate networks) also need
   * TURN: use `iceConfigUrl` so the server hands out short-lived TURN credentials.
   * @default { iceServers: [{ urls: ["stun:stun.l.google.com:19302", "stun:stun1.l.google.com:19302"] }] }
   */
  rtcConfiguration: RTCConfiguration;
  /**
   * Where to fetch the ICE servers (STUN/TURN) from: an http(s) URL or an absolute path answering
   * `{ iceServers: RTCIceServer[], ttlSec?: number }` (the demo server's `GET /api/ice`). Fetched
   * when P2P starts and again at half the TTL; its `iceServers` replace `rtcConfiguration.iceServers`.
   * If it fails, `rtcConfiguration` is used and a `warning` event says why.
   * @default undefined (use `rtcConfiguration` only)
   */
  iceConfigUrl: string | undefined;
  /** Where to POST stats reports; undefined = no reporting. @default undefined */
  statsUrl: string | undefined;
  /** How often stats reports are sent. @default 10000 */
  statsIntervalMs: number;
  /**
   * Headers added to every HTTP request Nearcast makes for a segment (first request, retries and
   * `Range` resumes), e.g. `{ Authorization: "Bearer …" }`. hls.js `xhrSetup` / `fetchSetup` are
   * honoured as well; this is for pages that configure Nearcast rather than hls.js.
   * @default {}
   */
  httpHeaders: Record<string, string>;
  /**
   * `credentials` of Nearcast's segment requests (Fetch standard): `"include"` sends cookies to a
   * cross-origin CDN, as `xhr.withCredentials = true` does for hls.js. An hls.js `xhrSetup` that sets
   * `withCredentials` turns it on too.
   * @default "same-origin"
   */
  httpCredentials: RequestCredentials;
  /**
   * Last word on every HTTP request Nearcast makes: called after `httpHeaders`/`httpCredentials` and
   * the hls.js hooks, with the request's URL, headers and credentials and the segment it is for;
   * returns the request to make (rewrite the URL, add a fresh token…). May be async. Errors it throws
   * fail that load (hls.js then retries per its fragment load policy).
   * @default undefined
   */
  httpRequestSetup: HttpRequestSetup | undefined;
  /**
   * Check a segment's bytes from peers yourself when the origin publishes no SHA-256 digests
   * (`#EXT-X-NEARCAST-SHA256`, see the README): `(segment, data) => boolean | Promise<boolean>`.
   * Called before the player sees a segment that has bytes from peers; false, a throw or a rejection
   * discards those bytes, bans the peers that sent them for the session and fetches the segment over
   * HTTP. Ignored for segments the origin publishes a digest for (the digest is checked instead).
   * @default undefined (without digests, bytes from peers are then not checked)
   */
  validateSegment: SegmentValidator | undefined;
  /**
   * The part of a segment's URL that names its bytes, for multi-CDN or tokenised paths:
   * `(absoluteUrl) => string`. Two viewers trade a segment only when this key, the byte range, the
   * published digest (if any) and the segment's EXT-X-PROGRAM-DATE-TIME (if any) agree.
   * @default the URL's path and its query without per-viewer parameters, no host or fragment
   * (`https://cdn-a/x/seg1.ts?v=2&token=1` → `/x/seg1.ts?v=2`)
   */
  segmentUrlKey: ((url: string) => string) | undefined;
  /**
   * Hand the player bytes from peers that nothing could verify. By default every segment with bytes
   * from peers climbs the trust ladder (README "Trust"): the published SHA-256, `validateSegment`,
   * the digest service of the tracker's server, CDN spot checks; a segment none of them vouches for
   * (the service has no digest and the origin answers no Range, or neither answered in time) is
   * fetched again over HTTP and its peer bytes thrown away. `true` delivers such bytes instead, with
   * a `warning` event once per stream: a peer could then feed the player anything for that segment.
   * Unverified copies are never passed on to other peers either way.
   * @default false
   */
  allowUnverifiedPeers: boolean;
}

/**
 * Public STUN servers used when the page configures none: free, no credentials, and enough for
 * viewers behind endpoint-independent ("cone") NATs. A STUN server only sees the viewer's address.
 */
export const DEFAULT_STUN_URLS: readonly string[] = Object.freeze([
  "stun:stun.l.google.com:19302",
  "stun:stun1.l.google.com:19302",
]);

export const DEFAULT_CONFIG: Readonly<NearcastConfig> = Object.freeze({
  streamId: undefined,
  trackerUrls: [],
  p2pEnabled: true,
  uploadEnabled: true,
  uploadOnMeteredConnection: false,
  maxUploadBytesPerSec: 0,
  maxPeers: 10,
  storeMaxBytes: 64 * 1024 * 1024,
  storeKeepBehindSec: 30,
  httpSafetyMarginMs: 2500,
  p2pStallTimeoutMs: 1500,
  region: undefined,
  rtcConfiguration: { iceServers: [{ urls: [...DEFAULT_STUN_URLS] }] },
  iceConfigUrl: undefined,
  statsUrl: undefined,
  statsIntervalMs: 10_000,
  httpHeaders: Object.freeze({}) as Record<string, string>,
  httpCredentials: "same-origin",
  httpRequestSetup: undefined,
  validateSegment: undefined,
  segmentUrlKey: undefined,
  allowUnverifiedPeers: false,
});

const CREDENTIALS: readonly RequestCredentials[] = ["omit", "same-origin", "include"];
/** RFC 9110 §5.1 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type NumberRule = { min: number; max: number; integer?: boolean };

const NUMBER_RULES: Partial<Record<keyof NearcastConfig, NumberRule>> = {
  maxUploadBytesPerSec: { min: 0, max: Number.MAX_SAFE_INTEGER },
  maxPeers: { min: 0, max: 100, integer: true },
  storeMaxBytes: { min: 1024 * 1024, max: 4 * 1024 * 1024 * 1024 },
  storeKeepBehindSec: { min: 0, max: 3600 },
  httpSafetyMarginMs: { min: 0, max: 60_000 },
  p2pStallTimeoutMs: { min: 100, max: 60_000 },
  statsIntervalMs: { min: 1000, max: 3_600_000 },
};

const BOOLEAN_KEYS: (keyof NearcastConfig)[] = [
  "p2pEnabled",
  "uploadEnabled",
  "uploadOnMeteredConnection",
  "allowUnverifiedPeers",
];
const OPTIONAL_STRING_KEYS: (keyof NearcastConfig)[] = ["streamId", "region", "statsUrl", "iceConfigUrl"];

/**
 * Merge a page's partial config over the defaults and reject what cannot work, with a message
 * that names the key. Unknown keys are rejected too: a typo silently ignored is worse.
 */
export function mergeConfig(user: Partial<NearcastConfig> = {}): NearcastConfig {
  if (typeof user !== "object" || user === null) throw new ConfigError("config must be an object");
  for (const key of Object.keys(user)) {
    if (!(key in DEFAULT_CONFIG)) throw new ConfigError(`unknown config key "${key}"`);
  }
  const defined = Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined));
  const config: NearcastConfig = {
    ...DEFAULT_CONFIG,
    ...defined,
    trackerUrls: [...(user.trackerUrls ?? [])],
    httpHeaders: copyHeaders(user.httpHeaders),
  };

  for (const [key, rule] of Object.entries(NUMBER_RULES) as [keyof NearcastConfig, NumberRule][]) {
    const value = config[key];
    if (typeof value !== "number" || !Number.isFinite(value) || value < rule.min || value > rule.max) {
      throw new ConfigError(
        `${key} must be a number from ${rule.min} to ${rule.max}, got ${describeValue(value)}`,
      );
    }
    if (rule.integer && !Number.isInteger(value)) throw new ConfigError(`${key} must be an integer`);
  }
  for (const key of BOOLEAN_KEYS) {
    if (typeof config[key] !== "boolean") throw new ConfigError(`${key} must be true or false`);
  }
  for (const key of OPTIONAL_STRING_KEYS) {
    const value = config[key];
    if (value !== undefined && (typeof value !== "string" || value.length === 0 || value.length > 2048)) {
      throw new ConfigError(`${key} must be a non-empty string of at most 2048 characters`);
    }
  }
  if (config.region !== undefined && config.region.length > 32) {
    throw new ConfigError("region must be at most 32 characters");
  }
  for (const url of config.trackerUrls) {
    if (typeof url !== "string" || !/^wss?:\/\/./i.test(url)) {
      throw new ConfigError(`trackerUrls entries must be ws:// or wss:// URLs, got ${JSON.stringify(url)}`);
    }
  }
  if (config.statsUrl !== undefined && !/^(https?:\/\/|\/)/i.test(config.statsUrl)) {
    throw new ConfigError(`statsUrl must be an http(s) URL or an absolute path, got "${config.statsUrl}"`);
  }
  if (config.iceConfigUrl !== undefined && !/^(https?:\/\/|\/)/i.test(config.iceConfigUrl)) {
    throw new ConfigError(
      `iceConfigUrl must be an http(s) URL or an absolute path, got "${config.iceConfigUrl}"`,
    );
  }
  validateHttpOptions(config);
  for (const key of ["validateSegment", "segmentUrlKey"] as const) {
    if (config[key] !== undefined && typeof config[key] !== "function") {
      throw new ConfigError(`${key} must be a function`);
    }
  }
  if (typeof config.rtcConfiguration !== "object" || config.rtcConfiguration === null) {
    throw new ConfigError("rtcConfiguration must be an RTCConfiguration object");
  }
  return config;
}

function copyHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new ConfigError("httpHeaders must be an object of header names to string values");
  }
  return { ...(headers as Record<string, string>) };
}

function validateHttpOptions(config: NearcastConfig): void {
  for (const [name, value] of Object.entries(config.httpHeaders)) {
    if (!HEADER_NAME.test(name)) throw new ConfigError(`httpHeaders: "${name}" is not a valid header name`);
    if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      throw new ConfigError(`httpHeaders.${name} must be a string without line breaks`);
    }
  }
  if (!CREDENTIALS.includes(config.httpCredentials)) {
    throw new ConfigError(`httpCredentials must be one of ${CREDENTIALS.join(", ")}`);
  }
  if (config.httpRequestSetup !== undefined && typeof config.httpRequestSetup !== "function") {
    throw new ConfigError("httpRequestSetup must be a function");
  }
}

/** A wrong value as an error message shows it: a string quoted, so "1500" does not read as 1500. */
function describeValue(value: unknown): string {
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : String(value);
}
