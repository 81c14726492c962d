// `nearcast-server token …`: mints a tracker join token from the shell, for sites whose backend is
// not Node (a Node backend imports `mintJoinToken` from nearcast-server instead). Pure: argv, env and
// a file reader in; a token or a usage error out.
import { parseArgs } from "node:util";
import { mintJoinToken } from "../net/join-token.js";
import { FLAG_ENV, nonEmpty } from "./env.js";

const SECRET_FILE_ENV = FLAG_ENV["tracker-token-secret-file"]!;
const SECRET_ENV = "NEARCAST_TRACKER_TOKEN_SECRET";

export const TOKEN_USAGE = `Usage: nearcast-server token --stream <stream key> [--info-hash <hex>] [--ttl <seconds>]

Prints a signed tracker join token. The page passes it as ?token= on the tracker URL.
  --stream <key>            stream the bearer may join (repeatable): the SDK's streamId, by default
                            the full manifest URL (https://cdn.example.com/live/master.m3u8) without
                            per-viewer query parameters (tokens); covers every rendition and, for a
                            key without a query, its ?v=... variants
  --info-hash <hex>         info-hash (40 hex) the bearer may join (repeatable), for any client
  --ttl <seconds>           validity, 1-2592000 (default 3600)
  --tracker-token-secret-file <path>
                            file holding the secret, as the server's flag; without it, the server's
                            environment: NEARCAST_TRACKER_TOKEN_SECRET_FILE (a file), else
                            NEARCAST_TRACKER_TOKEN_SECRET (the secret itself)

Example: NEARCAST_TRACKER_TOKEN_SECRET_FILE=/etc/nearcast/token-secret \\
           nearcast-server token --stream https://cdn.example.com/live/master.m3u8 --ttl 14400
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
    // The same sources, in the same order, as the server's own secret (parse-args.ts, main.ts): the
    // flag's file, else NEARCAST_TRACKER_TOKEN_SECRET_FILE, else NEARCAST_TRACKER_TOKEN_SECRET; so the
    // environment of the server's unit (or its flag) mints tokens that server accepts.
    const file = values["tracker-token-secret-file"] ?? nonEmpty(env[SECRET_FILE_ENV]);
    let secret: string | undefined;
    if (file !== undefined) {
      try {
        secret = readSecretFile(file).trim();
      } catch (error) {
        return { kind: "error", message: `cannot read the secret file ${file}: ${(error as Error).message}` };
      }
      if (!secret) return { kind: "error", message: `the secret file ${file} is empty` };
    } else secret = nonEmpty(env[SECRET_ENV]?.trim());
    if (!secret) {
      return {
        kind: "error",
        message: `no secret: give --tracker-token-secret-file <path>, or set ${SECRET_FILE_ENV} or ${SECRET_ENV} (the server's own setting)`,
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
