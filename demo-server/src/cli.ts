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

Nearcast demo server: demo player, WebSocket tracker (/tracker), demo HLS origin (VOD + simulated
live) with a byte counter and CDN emulation.

Flags:
  --port <n>                TCP port, 0 = any free port (env PORT; default ${DEFAULT_SERVER_OPTIONS.port})
  --host <address>          bind address (default ${DEFAULT_SERVER_OPTIONS.host})
  --media-dir <path>        folder of streams, one subfolder with master.m3u8 each
                            (default demo-server/media)
  --hls-dir [name=]<path>   extra HLS folder to serve as stream <name> (default: folder name);
                            needs a master playlist or a single media playlist; repeatable
  --live-window <n>         segments in a live playlist, ${LIMITS.liveWindowSegments.min}-${LIMITS.liveWindowSegments.max} (default ${DEFAULT_SERVER_OPTIONS.liveWindowSegments})
  --cdn-latency-ms <n>      delay before the first byte of each media response (default 0 = off)
  --cdn-bandwidth-kbps <n>  bandwidth cap per media request in kbit/s (default 0 = unlimited)
  --trust-proxy             take client addresses from X-Forwarded-For (behind your own proxy only)
  -h, --help                show this help
`;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  "media-dir": { type: "string" },
  "hls-dir": { type: "string", multiple: true },
  "live-window": { type: "string" },
  "cdn-latency-ms": { type: "string" },
  "cdn-bandwidth-kbps": { type: "string" },
  "trust-proxy": { type: "boolean" },
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

  const port =
    values.port !== undefined
      ? integer("--port", values.port, LIMITS.port)
      : env["PORT"] !== undefined && env["PORT"] !== ""
        ? integer("PORT", env["PORT"], LIMITS.port)
        : DEFAULT_SERVER_OPTIONS.port;
  const host = values.host ?? DEFAULT_SERVER_OPTIONS.host;
  if (host.trim() === "")
    throw new CliUsageError("--host", `--host must be an address such as 127.0.0.1, got ""`);

  return {
    kind: "options",
    options: {
      port,
      host,
      mediaDir:
        values["media-dir"] !== undefined
          ? pathValue("--media-dir", values["media-dir"], cwd)
          : DEFAULT_SERVER_OPTIONS.mediaDir,
      hlsDirs: (values["hls-dir"] ?? []).map((value) => hlsDir(value, cwd)),
      liveWindowSegments: optionalInteger(
        "--live-window",
        values["live-window"],
        LIMITS.liveWindowSegments,
        DEFAULT_SERVER_OPTIONS.liveWindowSegments,
      ),
      cdnLatencyMs: optionalInteger("--cdn-latency-ms", values["cdn-latency-ms"], LIMITS.cdnLatencyMs, 0),
      cdnBandwidthKbps: optionalInteger(
        "--cdn-bandwidth-kbps",
        values["cdn-bandwidth-kbps"],
        LIMITS.cdnBandwidthKbps,
        0,
      ),
      trustProxy: values["trust-proxy"] === true,
    },
  };
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

function optionalInteger(
  flag: string,
  text: string | undefined,
  limits: { min: number; max: number },
  fallback: number,
): number {
  return text === undefined ? fallback : integer(flag, text, limits);
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
