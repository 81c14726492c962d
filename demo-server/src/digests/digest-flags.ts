// The digest service's command-line flags (each also an environment variable, see cli/env.ts),
// turned into its options; `parseCliArgs` calls this with its flag reader.
import { integer, list, pathValue } from "../cli/values.js";
import { normalizeOrigin } from "../net/access-policy.js";
import { parseAllowEntry } from "./address-guard.js";
import type { DigestServiceOptions } from "./digest-options.js";

/** The flags, as node:util parseArgs declares them. */
export const DIGEST_FLAGS = {
  "digests-min-swarm": { type: "string" },
  "digests-allow-private": { type: "string" },
  "digests-allowed-origins": { type: "string" },
  "digests-origin-headers-file": { type: "string" },
} as const;

export type DigestFlag = keyof typeof DIGEST_FLAGS;

/**
 * The options the flags set (absent flags leave the defaults). `read` returns the flag's value with
 * the name to blame (`--flag` or its variable). @throws CliUsageError naming the flag.
 */
export function digestFlags(
  read: (flag: DigestFlag) => [name: string, value: string] | undefined,
  cwd: string,
): Partial<DigestServiceOptions> {
  const options: Partial<DigestServiceOptions> = {};
  const minSwarm = read("digests-min-swarm");
  if (minSwarm !== undefined)
    options.minSwarmSize = integer(minSwarm[0], minSwarm[1], { min: 0, max: 1_000_000 });
  const allowPrivate = list(read("digests-allow-private"), isAllowEntry);
  if (allowPrivate !== undefined) options.allowPrivate = allowPrivate;
  const origins = list(read("digests-allowed-origins"), (origin) => normalizeOrigin(origin) !== undefined);
  if (origins !== undefined) options.allowedOrigins = origins.map((origin) => normalizeOrigin(origin)!);
  const headersFile = read("digests-origin-headers-file");
  if (headersFile !== undefined) options.originHeadersFile = pathValue(headersFile[0], headersFile[1], cwd);
  return options;
}

function isAllowEntry(entry: string): boolean {
  try {
    parseAllowEntry(entry);
    return true;
  } catch {
    return false;
  }
}
