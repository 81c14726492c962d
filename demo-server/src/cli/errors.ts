// Usage errors of the command line: the error type, what each flag expects, and node:util parseArgs
// errors reworded into one line naming the flag.
import { LIMITS } from "../config.js";
import { TURN_TTL_LIMITS } from "../ice/ice-options.js";

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

/** What each flag expects, for "needs a value" messages. */
export const EXPECTED_VALUES: Readonly<Record<string, string>> = {
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
  "--server-secret-file": "a file holding the server secret",
  "--admin-secret-file": "a file holding the operator's admin secret",
  "--digests-min-swarm": "an integer 0-1000000 (0 = digest service off)",
  "--digests-allow-private": "comma-separated IPs or CIDRs, each optionally with :port",
  "--digests-allowed-origins": "comma-separated origins such as https://cdn.example",
  "--digests-origin-headers-file": "a JSON file of headers per origin",
};

/** Turns node:util parseArgs errors into one-line messages naming the flag. */
export function fromParseArgsError(error: unknown): CliUsageError {
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
