// Command-line flags of the demo server. parseCliArgs is pure (argv, env, cwd in; options or a typed
// error out) so every flag rule is unit-tested without spawning a process. The help text is in
// usage.ts, value checks in values.ts, environment variables in env.ts, usage errors in errors.ts.
import { parseArgs } from "node:util";
import { DEFAULT_SERVER_OPTIONS, LIMITS } from "../config.js";
import type { ServerOptions } from "../config.js";
import { DEFAULT_ICE_OPTIONS, TURN_TTL_LIMITS } from "../ice/ice-options.js";
import { normalizeOrigin } from "../net/access-policy.js";
import { envBoolean, FLAG_ENV, nonEmpty } from "./env.js";
import { CliUsageError, fromParseArgsError } from "./errors.js";
import { hlsDir, iceFlags, integer, list, pathValue, redisUrl } from "./values.js";
import { DIGEST_FLAGS, digestFlags } from "./digest-flags.js";

export type CliOptions = Pick<
  ServerOptions,
  | "port"
  | "host"
  | "mediaDir"
  | "hlsDirs"
  | "liveWindowSegments"
  | "cdnLatencyMs"
  | "cdnBandwidthKbps"
  | "trustProxy"
  | "origin"
  | "ice"
  | "trackerAccess"
  | "redisUrl"
  | "publishDigests"
  | "serverSecret"
  | "adminSecret"
  | "turnOpen"
  | "acceptAnonymousReports"
  | "maxHttpConnectionsPerIp"
  | "maxResponsesInFlightPerIp"
  | "writeStallTimeoutMs"
  | "digests"
> & {
  /** `--tracker-token-secret-file`: main() reads the secret from it (parsing stays pure). */
  trackerTokenSecretFile?: string;
  /** `--server-secret-file`, read by main() likewise. */
  serverSecretFile?: string;
  /** `--admin-secret-file`, read by main() likewise. */
  adminSecretFile?: string;
};

export type CliParseResult =
  { kind: "options"; options: CliOptions } | { kind: "help" } | { kind: "error"; error: CliUsageError };

/** Every flag of `nearcast-server` (node:util parseArgs declarations); docs/production.md lists each. */
export const CLI_FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  "media-dir": { type: "string" },
  "hls-dir": { type: "string", multiple: true },
  "live-window": { type: "string" },
  "cdn-latency-ms": { type: "string" },
  "cdn-bandwidth-kbps": { type: "string" },
  "trust-proxy": { type: "boolean" },
  "no-origin": { type: "boolean" },
  "stun-url": { type: "string", multiple: true },
  "turn-url": { type: "string", multiple: true },
  "turn-ttl-sec": { type: "string" },
  "tracker-token-secret-file": { type: "string" },
  "tracker-allowed-origins": { type: "string" },
  "tracker-allowed-info-hashes": { type: "string" },
  redis: { type: "string" },
  "no-digests": { type: "boolean" },
  "server-secret-file": { type: "string" },
  "admin-secret-file": { type: "string" },
  "turn-open": { type: "boolean" },
  "accept-anonymous-reports": { type: "boolean" },
  "max-http-connections-per-ip": { type: "string" },
  "max-responses-in-flight-per-ip": { type: "string" },
  "write-stall-timeout-ms": { type: "string" },
  ...DIGEST_FLAGS,
  help: { type: "boolean", short: "h" },
} as const;

export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  cwd: string = process.cwd(),
): CliParseResult {
  try {
    return parse(argv, env, cwd);
  } catch (error) {
    if (error instanceof CliUsageError) return { kind: "error", error };
    return { kind: "error", error: fromParseArgsError(error) };
  }
}

function parse(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): CliParseResult {
  const { values } = parseArgs({
    args: [...argv],
    options: CLI_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { kind: "help" };

  /** The flag's value, else its environment variable's (empty = unset), with the name to blame. */
  const read = (flag: keyof typeof FLAG_ENV & keyof typeof values): [string, string] | undefined => {
    const value = values[flag];
    if (typeof value === "string") return [`--${flag}`, value];
    const envName = FLAG_ENV[flag];
    const fromEnv = envName === undefined ? undefined : env[envName];
    return envName !== undefined && fromEnv !== undefined && fromEnv !== "" ? [envName, fromEnv] : undefined;
  };
  const readInteger = (
    flag: keyof typeof FLAG_ENV & keyof typeof values,
    limits: { min: number; max: number },
    fallback: number,
  ): number => {
    const found = read(flag);
    return found === undefined ? fallback : integer(found[0], found[1], limits);
  };

  const host = read("host")?.[1] ?? DEFAULT_SERVER_OPTIONS.host;
  if (host.trim() === "")
    throw new CliUsageError("--host", `--host must be an address such as 127.0.0.1, got ""`);
  const mediaDir = read("media-dir");
  const secretFile = read("tracker-token-secret-file");
  const serverSecretFile = read("server-secret-file");
  const adminSecretFile = read("admin-secret-file");

  return {
    kind: "options",
    options: {
      port: readInteger("port", LIMITS.port, DEFAULT_SERVER_OPTIONS.port),
      host,
      // Unset = the demo media if installed (a checkout); startServer decides, as it reads the disk.
      mediaDir: mediaDir !== undefined ? pathValue(mediaDir[0], mediaDir[1], cwd) : undefined,
      hlsDirs: (values["hls-dir"] ?? []).map((value) => hlsDir(value, cwd)),
      liveWindowSegments: readInteger(
        "live-window",
        LIMITS.liveWindowSegments,
        DEFAULT_SERVER_OPTIONS.liveWindowSegments,
      ),
      cdnLatencyMs: readInteger("cdn-latency-ms", LIMITS.cdnLatencyMs, 0),
      cdnBandwidthKbps: readInteger("cdn-bandwidth-kbps", LIMITS.cdnBandwidthKbps, 0),
      trustProxy: values["trust-proxy"] === true || envBoolean(env, "NEARCAST_TRUST_PROXY", false),
      origin: values["no-origin"] === true ? false : envBoolean(env, "NEARCAST_ORIGIN", true),
      ice: iceFlags(
        values,
        env,
        readInteger("turn-ttl-sec", TURN_TTL_LIMITS, DEFAULT_ICE_OPTIONS.turnTtlSec),
      ),
      trackerAccess: {
        joinTokenSecret: nonEmpty(env["NEARCAST_TRACKER_TOKEN_SECRET"]),
        allowedOrigins: list(
          read("tracker-allowed-origins"),
          (origin) => normalizeOrigin(origin) !== undefined,
        ),
        allowedInfoHashes: list(read("tracker-allowed-info-hashes"), (hash) =>
          /^[0-9a-fA-F]{40}$/.test(hash),
        ),
      },
      ...(secretFile !== undefined
        ? { trackerTokenSecretFile: pathValue(secretFile[0], secretFile[1], cwd) }
        : {}),
      redisUrl: redisUrl(read("redis")),
      publishDigests: values["no-digests"] === true ? false : envBoolean(env, "NEARCAST_DIGESTS", true),
      // Secrets come from files or the environment, never the command line (`ps` shows it to everyone).
      serverSecret: nonEmpty(env["NEARCAST_SERVER_SECRET"]),
      adminSecret: nonEmpty(env["NEARCAST_ADMIN_SECRET"]),
      ...(serverSecretFile !== undefined
        ? { serverSecretFile: pathValue(serverSecretFile[0], serverSecretFile[1], cwd) }
        : {}),
      ...(adminSecretFile !== undefined
        ? { adminSecretFile: pathValue(adminSecretFile[0], adminSecretFile[1], cwd) }
        : {}),
      turnOpen: values["turn-open"] === true || envBoolean(env, "NEARCAST_TURN_OPEN", false),
      acceptAnonymousReports:
        values["accept-anonymous-reports"] === true ||
        envBoolean(env, "NEARCAST_ACCEPT_ANONYMOUS_REPORTS", false),
      maxHttpConnectionsPerIp: readInteger(
        "max-http-connections-per-ip",
        LIMITS.maxHttpConnectionsPerIp,
        DEFAULT_SERVER_OPTIONS.maxHttpConnectionsPerIp,
      ),
      maxResponsesInFlightPerIp: readInteger(
        "max-responses-in-flight-per-ip",
        LIMITS.maxResponsesInFlightPerIp,
        DEFAULT_SERVER_OPTIONS.maxResponsesInFlightPerIp,
      ),
      writeStallTimeoutMs: readInteger(
        "write-stall-timeout-ms",
        LIMITS.writeStallTimeoutMs,
        DEFAULT_SERVER_OPTIONS.writeStallTimeoutMs,
      ),
      digests: digestFlags(read, cwd),
    },
  };
}
