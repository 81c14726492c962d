// Flag values checked and converted: integers within limits, paths, --hls-dir specs, lists, Redis
// URLs and the ICE server flags. Each throws a CliUsageError naming the flag (or variable) to blame.
import path from "node:path";
import { isValidName } from "../origin/catalog-naming.js";
import type { HlsDirSpec } from "../origin/catalog-types.js";
import { DEFAULT_ICE_OPTIONS, iceOptionsProblem, type IceOptions } from "../ice/ice-options.js";
import { FLAG_OF_ENV, urlList } from "./env.js";
import { CliUsageError, EXPECTED_VALUES } from "./errors.js";

export function iceFlags(
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

/** A comma-separated list whose every entry passes `valid`; undefined when absent or empty. */
export function list(
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

export function integer(flag: string, text: string, limits: { min: number; max: number }): number {
  const value = /^\d{1,12}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < limits.min || value > limits.max) {
    throw new CliUsageError(
      flag,
      `${flag} must be an integer ${limits.min}-${limits.max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

export function redisUrl(found: [string, string] | undefined): string | undefined {
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

export function pathValue(flag: string, text: string, cwd: string): string {
  if (text.trim() === "") throw new CliUsageError(flag, `${flag} must be a folder path, got ""`);
  return path.resolve(cwd, text);
}

export function hlsDir(value: string, cwd: string): HlsDirSpec {
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
