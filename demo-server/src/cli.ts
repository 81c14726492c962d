// Command-line flags of the demo server. parseCliArgs is pure (argv, env, cwd in; options or a typed
// error out) so every flag rule is unit-tested without spawning a process.
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SERVER_OPTIONS, LIMITS } from "./config.js";
import type { ServerOptions } from "./config.js";
import { isValidName } from "./origin/catalog-naming.js";
import type { HlsDirSpec } from "./origin/catalog-types.js";
import {
  DEFAULT_ICE_OPTIONS,
  iceOptionsProblem,
  TURN_TTL_LIMITS,
  type IceOptions,
} from "./ice/ice-options.js";
import { normalizeOrigin } from "./tracker/access-policy.js";

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
> & {
  /** `--tracker-token-secret-file`: main() reads the secret from it (parsing stays pure). */
  trackerTokenSecretFile?: string;
};

/** A flag the user got wrong; `flag` names it (`--port`, or `PORT` for the environment variable). */
export class CliUsageError extends Error {
  override name = "CliUsageError";
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(message);
  }
}

export type CliParseResult =
  { kind: "options"; options: CliOptions } | { kind: "help" } | { kind: "error"; error: CliUsageError };

export const USAGE = `Usage: nearcast-server [flags]
       nearcast-server digests <dir> [--check]   publish SHA-256 segment digests in an HLS folder

Nearcast server: WebSocket tracker (/tracker), viewer stats API, /metrics and dashboard, demo player,
and a demo HLS origin (VOD + simulated live) with a byte counter and CDN emulation.

Flags (each also read from the environment variable in brackets; a flag wins over its variable):
  --port <n>                TCP port, 0 = any free port [PORT] (default ${DEFAULT_SERVER_OPTIONS.port})
  --host <address>          bind address [NEARCAST_HOST] (default ${DEFAULT_SERVER_OPTIONS.host})
  --trust-proxy             take client addresses from X-Forwarded-For (behind your own proxy only)
                            [NEARCAST_TRUST_PROXY=1]
  --no-origin               do not serve the demo origin (/streams, /api/origin): production, where
                            your CDN serves the media [NEARCAST_ORIGIN=0]
  --media-dir <path>        folder of streams, one subfolder with master.m3u8 each
                            [NEARCAST_MEDIA_DIR] (default: the package's demo media)
  --hls-dir [name=]<path>   extra HLS folder to serve as stream <name> (default: folder name);
                            needs a master playlist or a single media playlist; repeatable
  --live-window <n>         segments in a live playlist, ${LIMITS.liveWindowSegments.min}-${LIMITS.liveWindowSegments.max} [NEARCAST_LIVE_WINDOW] (default ${DEFAULT_SERVER_OPTIONS.liveWindowSegments})
  --cdn-latency-ms <n>      delay before the first byte of each media response
                            [NEARCAST_CDN_LATENCY_MS] (default 0 = off)
  --cdn-bandwidth-kbps <n>  bandwidth cap per media request in kbit/s
                            [NEARCAST_CDN_BANDWIDTH_KBPS] (default 0 = unlimited)

ICE servers handed to viewers at GET /api/ice (SDK option iceConfigUrl):
  --stun-url <url>          STUN server, repeatable; replaces the default public STUN servers
                            (${DEFAULT_ICE_OPTIONS.stunUrls.join(", ")}); "none" for none
                            [NEARCAST_STUN_URLS, comma-separated]
  --turn-url <url>          TURN server (coturn), repeatable, e.g. turn:turn.example.com:3478?transport=udp
                            [NEARCAST_TURN_URLS, comma-separated]; needs NEARCAST_TURN_SECRET (coturn's
                            --static-auth-secret), from the environment only. TURN is off without it:
                            it relays the P2P traffic of the viewers it serves through your server
  --turn-ttl-sec <n>        lifetime of each TURN credential, ${TURN_TTL_LIMITS.min}-${TURN_TTL_LIMITS.max}
                            [NEARCAST_TURN_TTL_SEC] (default ${DEFAULT_ICE_OPTIONS.turnTtlSec})

Tracker access control (all off by default = an open tracker):
  --tracker-token-secret-file <path>
                            require a signed join token (?token= on the tracker URL); the HMAC
                            secret (>= 16 bytes) is read from this file
                            [NEARCAST_TRACKER_TOKEN_SECRET_FILE, or NEARCAST_TRACKER_TOKEN_SECRET
                            holding the secret itself]
  --tracker-allowed-origins <list>
                            comma-separated page origins (https://site.example) allowed to open the
                            tracker WebSocket [NEARCAST_TRACKER_ALLOWED_ORIGINS]
  --tracker-allowed-info-hashes <list>
                            comma-separated info-hashes (40 hex) that may be announced; others are
                            refused [NEARCAST_TRACKER_ALLOWED_INFO_HASHES]
  --redis <url>             share tracker swarms and viewer stats with every instance on this Redis
                            (redis://host:port) [NEARCAST_REDIS_URL] (default: one process, no Redis)
  --no-digests              do not publish SHA-256 segment digests in playlists, only to measure
                            what verification costs [NEARCAST_DIGESTS=0]
  -h, --help                show this help

Environment: LOG_LEVEL (pino level, default info; logs go to stderr as JSON lines).

Mint a join token (the secret from NEARCAST_TRACKER_TOKEN_SECRET or --tracker-token-secret-file):
  nearcast-server token --stream <stream key> [--info-hash <hex>] [--ttl <seconds, default 3600>]
`;

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
};

/** Flag name (without --) by its environment variable, to name the expected value in errors. */
const FLAG_OF_ENV: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FLAG_ENV).map(([flag, name]) => [name, flag]),
);

const FLAGS = {
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
  help: { type: "boolean", short: "h" },
} as const;

/** What each flag expects, for "needs a value" messages. */
const EXPECTED_VALUES: Readonly<Record<string, string>> = {
  "--port": `an integer ${LIMITS.port.min}-${LIMITS.port.max}`,
  "--host": "an address such as 127.0.0.1",
  "--media-dir": "a folder path",
  "--hls-dir": "[name=]<folder path>",
  "--live-window": `an integer ${LIMITS.liveWindowSegments.min}-${LIMITS.liveWindowSegments.max}`,
  "--cdn-latency-ms": `an integer ${LIMITS.cdnLatencyMs.min}-${LIMITS.cdnLatencyMs.max}`,
  "--cdn-bandwidth-kbps": `an integer ${LIMITS.cdnBandwidthKbps.min}-${LIMITS.cdnBandwidthKbps.max}`,
  "--stun-url": "stun:host:port, or none",
  "--turn-url": "turn:host:port[?transport=udp|tcp]",
  "--turn-ttl-sec": `an integer ${TURN_TTL_LIMITS.min}-${TURN_TTL_LIMITS.max}`,
  "--tracker-token-secret-file": "a file holding the join-token secret",
  "--tracker-allowed-origins": "comma-separated origins such as https://site.example",
  "--tracker-allowed-info-hashes": "comma-separated 40-hex-character info-hashes",
  "--redis": "a URL such as redis://127.0.0.1:6379",
};

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
  const { values } = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false });
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

  return {
    kind: "options",
    options: {
      port: readInteger("port", LIMITS.port, DEFAULT_SERVER_OPTIONS.port),
      host,
      mediaDir:
        mediaDir !== undefined ? pathValue(mediaDir[0], mediaDir[1], cwd) : DEFAULT_SERVER_OPTIONS.mediaDir,
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
    },
  };
}

/** A repeatable URL flag, else its comma-separated environment variable, else undefined. */
function urlList(
  values: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>>,
  envName: string,
): string[] | undefined {
  if (values !== undefined) return [...values];
  const text = env[envName]?.trim();
  return text ? text.split(",").map((url) => url.trim()) : undefined;
}

function iceFlags(
  values: { "stun-url"?: string[]; "turn-url"?: string[] },
  env: Readonly<Record<string, string | undefined>>,
  turnTtlSec: number,
): IceOptions {
  const stun = urlList(values["stun-url"], env, "NEARCAST_STUN_URLS");
  const ice: IceOptions = {
    stunUrls: stun === undefined ? [...DEFAULT_ICE_OPTIONS.stunUrls] : stun.filter((url) => url !== "none"),
    turnUrls: urlList(values["turn-url"], env, "NEARCAST_TURN_URLS") ?? [],
    // From the environment only: a secret on the command line shows in `ps` to every local user.
    turnSecret: env["NEARCAST_TURN_SECRET"] || undefined,
    turnTtlSec,
  };
  const problem = iceOptionsProblem(ice);
  if (problem) {
    throw new CliUsageError(/TURN URL|secret/.test(problem) ? "--turn-url" : "--stun-url", problem);
  }
  return ice;
}

function envBoolean(
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

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === "" ? undefined : text.trim();
}

/** A comma-separated list whose every entry passes `valid`; undefined when absent or empty. */
function list(
  found: [flag: string, text: string] | undefined,
  valid: (entry: string) => boolean,
): string[] | undefined {
  if (found === undefined) return undefined;
  const [flag, text] = found;
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length === 0) return undefined;
  const bad = entries.find((entry) => !valid(entry));
  if (bad !== undefined) {
    throw new CliUsageError(
      flag,
      `${flag}: ${JSON.stringify(bad)} is not valid; expected ${EXPECTED_VALUES[flag] ?? EXPECTED_VALUES[`--${FLAG_OF_ENV[flag] ?? ""}`] ?? "a list"}`,
    );
  }
  return entries;
}

function integer(flag: string, text: string, limits: { min: number; max: number }): number {
  const value = /^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < limits.min || value > limits.max) {
    throw new CliUsageError(
      flag,
      `${flag} must be an integer ${limits.min}-${limits.max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function redisUrl(found: [string, string] | undefined): string | undefined {
  if (found === undefined) return undefined;
  const [name, text] = found;
  if (!REDIS_URL.test(text)) {
    throw new CliUsageError(
      name,
      `${name} must be a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(text)}`,
    );
  }
  return text;
}

const REDIS_URL = /^rediss?:\/\/\S+$/;

function pathValue(flag: string, text: string, cwd: string): string {
  if (text.trim() === "") throw new CliUsageError(flag, `${flag} must be a folder path, got ""`);
  return path.resolve(cwd, text);
}

function hlsDir(value: string, cwd: string): HlsDirSpec {
  const match = /^([^=/\\]+)=(.*)$/.exec(value);
  if (match === null) return { path: pathValue("--hls-dir", value, cwd) };
  const [, name = "", folder = ""] = match;
  if (!isValidName(name)) {
    throw new CliUsageError(
      "--hls-dir",
      `--hls-dir name must be letters, digits, ".", "_" or "-" (not starting with "." or "-"), got ${JSON.stringify(name)}`,
    );
  }
  return { name, path: pathValue("--hls-dir", folder, cwd) };
}

/** Turns node:util parseArgs errors into one-line messages naming the flag. */
function fromParseArgsError(error: unknown): CliUsageError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  // Quoted forms: '--port <value>', '-h, --help', '--verbose': keep the long flag name.
  const flag =
    quoted
      .split(/[\s,]+/)
      .filter((token) => token.startsWith("-"))
      .pop() ?? quoted;
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new CliUsageError(flag, `unknown flag ${flag} (run with --help to list the flags)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new CliUsageError(
        flag,
        message.includes("does not take")
          ? `${flag} takes no value`
          : `${flag} needs a value: ${EXPECTED_VALUES[flag] ?? "a value"}`,
      );
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new CliUsageError(quoted, `unexpected argument ${JSON.stringify(quoted)}; flags start with --`);
    default:
      return new CliUsageError("", message.split("\n")[0] ?? message);
  }
}
