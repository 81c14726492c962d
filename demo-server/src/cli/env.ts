// The environment side of the command line: which variable stands in for each flag, and how
// booleans and comma-separated URL lists are read from variables.
import { CliUsageError } from "./errors.js";

/**
 * The environment variable read for each flag when the flag is absent. Booleans take 1/true/yes/on
 * or 0/false/no/off.
 */
export const FLAG_ENV: Readonly<Record<string, string>> = {
  port: "PORT",
  host: "NEARCAST_HOST",
  "trust-proxy": "NEARCAST_TRUST_PROXY",
  origin: "NEARCAST_ORIGIN",
  "media-dir": "NEARCAST_MEDIA_DIR",
  "live-window": "NEARCAST_LIVE_WINDOW",
  "cdn-latency-ms": "NEARCAST_CDN_LATENCY_MS",
  "cdn-bandwidth-kbps": "NEARCAST_CDN_BANDWIDTH_KBPS",
  "stun-url": "NEARCAST_STUN_URLS",
  "turn-url": "NEARCAST_TURN_URLS",
  "turn-ttl-sec": "NEARCAST_TURN_TTL_SEC",
  "tracker-token-secret-file": "NEARCAST_TRACKER_TOKEN_SECRET_FILE",
  "tracker-allowed-origins": "NEARCAST_TRACKER_ALLOWED_ORIGINS",
  "tracker-allowed-info-hashes": "NEARCAST_TRACKER_ALLOWED_INFO_HASHES",
  redis: "NEARCAST_REDIS_URL",
  digests: "NEARCAST_DIGESTS",
  "server-secret-file": "NEARCAST_SERVER_SECRET_FILE",
  "admin-secret-file": "NEARCAST_ADMIN_SECRET_FILE",
  "turn-open": "NEARCAST_TURN_OPEN",
  "accept-anonymous-reports": "NEARCAST_ACCEPT_ANONYMOUS_REPORTS",
  "max-http-connections-per-ip": "NEARCAST_MAX_HTTP_CONNECTIONS_PER_IP",
  "max-responses-in-flight-per-ip": "NEARCAST_MAX_RESPONSES_IN_FLIGHT_PER_IP",
  "write-stall-timeout-ms": "NEARCAST_WRITE_STALL_TIMEOUT_MS",
  "digests-min-swarm": "NEARCAST_DIGESTS_MIN_SWARM",
  "digests-allow-private": "NEARCAST_DIGESTS_ALLOW_PRIVATE",
  "digests-allowed-origins": "NEARCAST_DIGESTS_ALLOWED_ORIGINS",
  "digests-origin-headers-file": "NEARCAST_DIGESTS_ORIGIN_HEADERS_FILE",
};

/** Flag name (without --) by its environment variable, to name the expected value in errors. */
export const FLAG_OF_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FLAG_ENV).map(([flag, name]) => [name, flag]),
);

/** A repeatable URL flag, else its comma-separated environment variable, else undefined. */
export function urlList(
  values: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
  envName: string,
): string[] | undefined {
  if (values !== undefined) return [...values];
  const text = env[envName]?.trim();
  return text ? text.split(",").map((url) => url.trim()) : undefined;
}

export function envBoolean(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: boolean,
): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === "") return fallback;
  if (["1", "true", "yes", "on"].includes(text)) return true;
  if (["0", "false", "no", "off"].includes(text)) return false;
  throw new CliUsageError(
    name,
    `${name} must be 1/true/yes/on or 0/false/no/off, got ${JSON.stringify(env[name])}`,
  );
}

export function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}
