// Signed join tokens for the tracker: HMAC-SHA256 over a small JSON claim of which streams or
// info-hashes the bearer may join, and until when. Minted by the embedding site's backend (or
// `nearcast-server token`), passed by the page as `?token=` on the tracker URL, checked at the
// WebSocket upgrade and on every announce.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { hexToBinaryId } from "./binary-id.js";
import type { BinaryId } from "./binary-id.js";
import { decodeTokenBody, encodeTokenBody } from "./token-body.js";

/** Format marker: bump when the claim layout changes. */
const TOKEN_PREFIX = "nc1";
/** A secret shorter than this is guessable offline from one token. */
export const MIN_TOKEN_SECRET_BYTES = 16;
/** Tokens longer than this are refused unread (a URL parameter, and every byte is hashed). */
export const MAX_TOKEN_CHARS = 4096;
/** Scope entries per token. */
export const MAX_TOKEN_SCOPE_ENTRIES = 64;
/** Longest stream key (the manifest URL without per-viewer query parameters, or the page's `streamId`). */
export const MAX_STREAM_KEY_CHARS = 2048;
/** Longest validity a token may claim: one that never expires cannot be revoked. */
export const MAX_TOKEN_TTL_SEC = 30 * 24 * 3600;

export interface MintJoinTokenOptions {
  /** Shared with the tracker (`--tracker-token-secret-file` / `NEARCAST_TRACKER_TOKEN_SECRET`); ≥ 16 bytes. */
  secret: string;
  /**
   * Stream keys the bearer may join: the SDK's stream id (`streamId`, by default the manifest URL
   * without per-viewer query parameters such as CDN tokens). Every rendition of the stream is
   * covered, and a key without a query also covers the query-selected streams behind its path.
   */
  streams?: readonly string[];
  /** Info-hashes (40 hex chars) the bearer may join, for any WebTorrent client. */
  infoHashes?: readonly string[];
  /** Validity in seconds from `nowMs`, 1 s to 30 days. */
  ttlSec: number;
  /** @default Date.now() */
  nowMs?: number;
}

/** What a valid token allows. */
export interface JoinGrant {
  streams: readonly string[];
  infoHashes: ReadonlySet<BinaryId>;
  expiresAtMs: number;
}

export type TokenRefusal = "token_missing" | "token_invalid" | "token_expired";
export type TokenCheck = { ok: true; grant: JoinGrant } | { ok: false; reason: TokenRefusal };

/**
 * Mints a join token: `nc1.<claim, base64url JSON>.<HMAC-SHA256, base64url>`.
 * @throws RangeError for a short secret, an empty or oversized scope, a malformed info-hash or a TTL
 *   outside 1 s – 30 days.
 */
export function mintJoinToken(options: MintJoinTokenOptions): string {
  checkSecret(options.secret);
  const streams = [...(options.streams ?? [])];
  const infoHashes = (options.infoHashes ?? []).map((h) => h.toLowerCase());
  if (streams.length + infoHashes.length === 0)
    throw new RangeError("a join token needs a stream or info-hash");
  if (streams.length + infoHashes.length > MAX_TOKEN_SCOPE_ENTRIES) {
    throw new RangeError(`a join token holds at most ${MAX_TOKEN_SCOPE_ENTRIES} streams and info-hashes`);
  }
  for (const stream of streams) {
    if (typeof stream !== "string" || stream.length === 0 || stream.length > MAX_STREAM_KEY_CHARS) {
      throw new RangeError(`stream keys must be 1-${MAX_STREAM_KEY_CHARS} characters`);
    }
  }
  for (const hash of infoHashes) {
    if (!/^[0-9a-f]{40}$/.test(hash))
      throw new RangeError(`info-hash must be 40 hex characters, got "${hash}"`);
  }
  if (!Number.isInteger(options.ttlSec) || options.ttlSec < 1 || options.ttlSec > MAX_TOKEN_TTL_SEC) {
    throw new RangeError(`ttlSec must be an integer from 1 to ${MAX_TOKEN_TTL_SEC}`);
  }
  const exp = Math.floor((options.nowMs ?? Date.now()) / 1000) + options.ttlSec;
  const claim = encodeTokenBody({ exp, s: streams, h: infoHashes });
  const body = `${TOKEN_PREFIX}.${claim}`;
  return `${body}.${sign(options.secret, body)}`;
}

/** Checks a token's signature, shape and expiry. Never throws: any defect is `token_invalid`. */
export function verifyJoinToken(
  token: string | undefined,
  secret: string,
  nowMs: number = Date.now(),
): TokenCheck {
  if (token === undefined || token === "") return { ok: false, reason: "token_missing" };
  if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "token_invalid" };
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return { ok: false, reason: "token_invalid" };
  const [prefix, claimText = "", signature = ""] = parts;
  const expected = Buffer.from(sign(secret, `${prefix}.${claimText}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "token_invalid" };
  }
  const grant = parseClaim(claimText);
  if (grant === undefined) return { ok: false, reason: "token_invalid" };
  if (grant.expiresAtMs <= nowMs) return { ok: false, reason: "token_expired" };
  return { ok: true, grant };
}

/**
 * Whether `grant` covers the swarm `infoHash`: listed outright, or made (SHA-1, as the SDK does) from
 * a `swarmKey` of the form `<granted stream>|<rendition>` or `<granted stream>?<query>|<rendition>`
 * (the SDK keeps content-selecting query parameters in its stream key, so a grant for a path covers
 * every query-selected video behind it). Without a grant every swarm is covered.
 */
export function grantCovers(
  grant: JoinGrant | undefined,
  infoHash: BinaryId,
  swarmKey: string | undefined,
): boolean {
  if (grant === undefined || grant.infoHashes.has(infoHash)) return true;
  if (swarmKey === undefined || grant.streams.length === 0) return false;
  const granted = (stream: string) =>
    swarmKey.startsWith(`${stream}|`) ||
    (!stream.includes("?") && swarmKey.startsWith(`${stream}?`) && swarmKey.indexOf("|") > stream.length);
  if (!grant.streams.some(granted)) return false;
  return createHash("sha1").update(swarmKey, "utf8").digest().toString("latin1") === infoHash;
}

export function checkSecret(secret: string): void {
  if (typeof secret !== "string" || Buffer.byteLength(secret) < MIN_TOKEN_SECRET_BYTES) {
    throw new RangeError(`the join token secret must be at least ${MIN_TOKEN_SECRET_BYTES} bytes`);
  }
}

function sign(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("base64url");
}

function parseClaim(text: string): JoinGrant | undefined {
  const claim = decodeTokenBody(text);
  if (claim === undefined) return undefined;
  const { exp, s, h } = claim;
  if (typeof exp !== "number" || !Number.isFinite(exp) || !Array.isArray(s) || !Array.isArray(h))
    return undefined;
  if (
    !s.every((x) => typeof x === "string") ||
    !h.every((x) => typeof x === "string" && /^[0-9a-f]{40}$/.test(x))
  ) {
    return undefined;
  }
  return {
    streams: s as string[],
    infoHashes: new Set((h as string[]).map(hexToBinaryId)),
    expiresAtMs: exp * 1000,
  };
}
