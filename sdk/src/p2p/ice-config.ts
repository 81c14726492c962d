import type { Logger } from "../core/logger.js";

/**
 * What an ICE config endpoint answers (the demo server's `GET /api/ice`):
 * `{ iceServers: RTCIceServer[], ttlSec?: number }`. TURN entries carry short-lived credentials
 * (coturn's shared-secret REST scheme), so the answer is fetched again before `ttlSec` runs out.
 */
export interface IceConfigResponse {
  iceServers: RTCIceServer[];
  /** Seconds the credentials stay valid. @default 3600 when absent */
  ttlSec?: number;
}

export interface IceConfigSourceOptions {
  /** `iceConfigUrl` from the config: absolute http(s) URL, or a path on the page's origin. */
  url: string;
  /** The configured `rtcConfiguration`; used as is until (and whenever) the endpoint fails. */
  fallback: RTCConfiguration;
  fetchImpl?: typeof fetch;
  log: Logger;
  onWarning(message: string): void;
}

/** Bounds on an answer: anything beyond is a broken or hostile endpoint. */
const MAX_RESPONSE_BYTES = 16 * 1024;
const MAX_ICE_SERVERS = 16;
const MAX_URLS_PER_SERVER = 8;
const MAX_STRING_LENGTH = 512;
/** An endpoint that names no TTL gets this one (coturn deployments commonly use 1 h to 24 h). */
const DEFAULT_TTL_SEC = 3600;
/** Fetch again at this fraction of the TTL, so connections made late in it still get valid credentials. */
const REFRESH_AT_TTL_FRACTION = 0.5;
/** Shortest refresh interval, whatever the endpoint says: it must not be fetched in a loop. */
const MIN_REFRESH_MS = 30_000;
/** After a failure, the fallback is used and the endpoint is tried again after this long. */
const RETRY_AFTER_FAILURE_MS = 30_000;
/** An ICE config that has not arrived by then is not waited for: connections use the fallback. */
const FETCH_TIMEOUT_MS = 5000;

/**
 * Hands every new RTCPeerConnection the operator's current ICE servers, fetched from `iceConfigUrl`
 * so pages need not hard-code STUN/TURN (or TURN credentials, which expire). Fetched once up front,
 * refreshed at half the TTL; on any failure the configured `rtcConfiguration` is used and a `warning`
 * says why. The fetched `iceServers` replace the configured ones; other keys
 * (`iceTransportPolicy`…) come from the configured `rtcConfiguration`.
 */
export class IceConfigSource {
  private current: RTCConfiguration | undefined;
  private validUntilMs = 0;
  private inFlight: Promise<RTCConfiguration> | undefined;
  private readonly lifetime = new AbortController();

  constructor(private readonly options: IceConfigSourceOptions) {
    void this.get();
  }

  /** The configuration for a connection made now. Never rejects. */
  get(): Promise<RTCConfiguration> {
    if (this.current && Date.now() < this.validUntilMs) return Promise.resolve(this.current);
    this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Stops any fetch in flight. Idempotent. */
  destroy(): void {
    this.lifetime.abort();
  }

  private async refresh(): Promise<RTCConfiguration> {
    const { url, fallback, log } = this.options;
    try {
      const answer = parseIceConfigResponse(await this.fetchText(url));
      const ttlMs = (answer.ttlSec ?? DEFAULT_TTL_SEC) * 1000;
      this.current = { ...fallback, iceServers: answer.iceServers };
      this.validUntilMs = Date.now() + Math.max(MIN_REFRESH_MS, ttlMs * REFRESH_AT_TTL_FRACTION);
      log("ICE config from %s: %d servers, ttl %d s", url, answer.iceServers.length, ttlMs / 1000);
    } catch (error) {
      if (this.lifetime.signal.aborted) return this.current ?? fallback;
      this.options.onWarning(`ICE config from ${url} unusable, using rtcConfiguration: ${String(error)}`);
      // Keep credentials fetched earlier while they may still be valid; otherwise the fallback.
      this.current ??= fallback;
      this.validUntilMs = Date.now() + RETRY_AFTER_FAILURE_MS;
    }
    return this.current;
  }

  private async fetchText(url: string): Promise<string> {
    const fetchImpl = this.options.fetchImpl ?? globalThis.fetch;
    const signal = AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]);
    const response = await fetchImpl(url, { signal, cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new Error(`answer over ${MAX_RESPONSE_BYTES} bytes`);
    return text;
  }
}

/**
 * Validate an ICE config endpoint's answer (untrusted input). Throws an `Error` naming the first
 * problem. URLs must be `stun:`, `stuns:`, `turn:` or `turns:` (RFC 7064 / RFC 7065); TURN entries
 * need a string `username` and `credential` (W3C webrtc-pc §4.2.1).
 */
export function parseIceConfigResponse(text: string): IceConfigResponse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("not JSON");
  }
  if (typeof value !== "object" || value === null) throw new Error("not an object");
  const { iceServers, ttlSec } = value as Record<string, unknown>;
  if (!Array.isArray(iceServers) || iceServers.length > MAX_ICE_SERVERS) {
    throw new Error(`iceServers must be an array of at most ${MAX_ICE_SERVERS}`);
  }
  if (ttlSec !== undefined && (typeof ttlSec !== "number" || !(ttlSec > 0) || ttlSec > 7 * 86400)) {
    throw new Error("ttlSec must be a number of seconds up to 7 days");
  }
  return { iceServers: iceServers.map(parseIceServer), ...(ttlSec !== undefined ? { ttlSec } : {}) };
}

function parseIceServer(entry: unknown, index: number): RTCIceServer {
  if (typeof entry !== "object" || entry === null) throw new Error(`iceServers[${index}] not an object`);
  const { urls, username, credential } = entry as Record<string, unknown>;
  const list = typeof urls === "string" ? [urls] : urls;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_URLS_PER_SERVER) {
    throw new Error(`iceServers[${index}].urls must name 1 to ${MAX_URLS_PER_SERVER} URLs`);
  }
  for (const url of list) {
    if (typeof url !== "string" || url.length > MAX_STRING_LENGTH || !/^(stuns?|turns?):[^\s]+$/.test(url)) {
      throw new Error(`iceServers[${index}].urls has an invalid URL ${JSON.stringify(url)}`);
    }
  }
  const server: RTCIceServer = { urls: list as string[] };
  if (list.some((url) => /^turns?:/.test(url as string))) {
    if (!isShortString(username) || !isShortString(credential)) {
      throw new Error(`iceServers[${index}] is TURN without a username and credential`);
    }
    server.username = username;
    server.credential = credential;
  }
  return server;
}

function isShortString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_STRING_LENGTH;
}
