// Command-line flags of the demo server. parseCliArgs is pure (argv, env, cwd in; options or a typed
// error out) so every flag rule is unit-tested without spawning a process.
import path from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SERVER_OPTIONS, LIMITS } from "./config.js";
import type { ServerOptions } from "./config.js";
import { isValidName } from "./origin/catalog-naming.js";
import type { HlsDirSpec } from "./origin/catalog-types.js";

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
  | "publishDigests"
>;

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
  --no-digests              do not publish SHA-256 segment digests in playlists, only to measure
                            what verification costs [NEARCAST_DIGESTS=0]
  -h, --help                show this help

Environment: LOG_LEVEL (pino level, default info; logs go to stderr as JSON lines).
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
  digests: "NEARCAST_DIGESTS",
};

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
      publishDigests: values["no-digests"] === true ? false : envBoolean(env, "NEARCAST_DIGESTS", true),
    },
  };
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
