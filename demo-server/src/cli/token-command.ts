// `nearcast-server token …`: mints a tracker join token from the shell, for sites whose backend is
// not Node (a Node backend imports `mintJoinToken` from nearcast-server instead). Pure: argv, env and
// a file reader in; a token or a usage error out.
import { parseArgs } from "node:util";
import { mintJoinToken } from "../net/join-token.js";

export const TOKEN_USAGE = `Usage: nearcast-server token --stream <stream key> [--info-hash <hex>] [--ttl <seconds>]

Prints a signed tracker join token. The page passes it as ?token= on the tracker URL.
  --stream <key>            stream the bearer may join (repeatable): the SDK's streamId, by default
                            the manifest URL without per-viewer query parameters (tokens); covers
                            every rendition and, for a key without a query, its ?v=... variants
  --info-hash <hex>         info-hash (40 hex) the bearer may join (repeatable), for any client
  --ttl <seconds>           validity, 1-2592000 (default 3600)
  --tracker-token-secret-file <path>
                            file holding the secret (default: env NEARCAST_TRACKER_TOKEN_SECRET)
`;

export type TokenCommandResult = { kind: "token"; token: string } | { kind: "error"; message: string };

export function runTokenCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  readSecretFile: (path: string) => string,
  nowMs: number = Date.now(),
): TokenCommandResult {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        stream: { type: "string", multiple: true },
        "info-hash": { type: "string", multiple: true },
        ttl: { type: "string" },
        "tracker-token-secret-file": { type: "string" },
      },
    });
    const file = values["tracker-token-secret-file"];
    const secret =
      file !== undefined ? readSecretFile(file).trim() : env["NEARCAST_TRACKER_TOKEN_SECRET"]?.trim();
    if (!secret) {
      return {
        kind: "error",
        message: "no secret: set NEARCAST_TRACKER_TOKEN_SECRET or --tracker-token-secret-file",
      };
    }
    const ttlText = values.ttl ?? "3600";
    const ttlSec = /^\d{1,8}$/.test(ttlText) ? Number(ttlText) : NaN;
    const token = mintJoinToken({
      secret,
      streams: values.stream ?? [],
      infoHashes: values["info-hash"] ?? [],
      ttlSec,
      nowMs,
    });
    return { kind: "token", token };
  } catch (error) {
    return {
      kind: "error",
      message: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error),
    };
  }
}
