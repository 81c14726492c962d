// Viewer sessions: what the tracker hands a viewer it admitted, and what the viewer's stats reports
// and digest requests show to prove it. A session is signed by the server (ServerKeys), so any
// instance sharing the secret checks it without shared state. It names the tracker connection, the
// peer_id announced on it and the swarms joined there, so a report can be held to the swarms its
// sender really joined and its P2P bytes to the peers it really traded with.
import { timingSafeEqual } from "node:crypto";
import type { ServerKeys } from "./server-keys.js";
import { decodeTokenBody, encodeTokenBody } from "./token-body.js";

/** Format marker: bump when the claim layout changes. */
const SESSION_PREFIX = "ns1";
/** Longer tokens are refused unread (every byte is hashed). */
export const MAX_SESSION_CHARS = 2048;
/** Swarms listed in one session: the tracker's `maxSwarmsPerConnection` is 20; older ones drop off. */
export const MAX_SESSION_SWARMS = 32;
/**
 * Hex characters of an info-hash kept in a session: 64 bits, so a session of 32 swarms stays a few
 * hundred bytes; matching a listed swarm by chance takes 2^64 tries.
 */
export const SESSION_SWARM_HEX_CHARS = 16;

export interface SessionClaims {
  /** The tracker connection that minted it (random, 16 base64url characters). */
  sessionId: string;
  /** The peer_id announced on that connection, 40 hex characters. */
  peerId: string;
  /** Swarms the connection announced, as info-hash prefixes (see {@link sessionCovers}); newest last. */
  swarms: readonly string[];
  /** Fingerprint of the connection's address (`ServerKeys.addressFingerprint`). */
  from: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/** `ns1.<claims, base64url JSON>.<HMAC-SHA256, base64url>`. */
export function mintSession(keys: ServerKeys, claims: SessionClaims): string {
  const body = encodeTokenBody({
    i: claims.sessionId,
    p: claims.peerId,
    s: claims.swarms.slice(-MAX_SESSION_SWARMS).map(swarmPrefix),
    f: claims.from,
    iat: claims.issuedAtMs,
    exp: claims.expiresAtMs,
  });
  const signed = `${SESSION_PREFIX}.${body}`;
  return `${signed}.${keys.signSession(signed)}`;
}

/** The claims of a well-signed, unexpired session; undefined for anything else. Never throws. */
export function verifySession(
  keys: ServerKeys,
  token: unknown,
  nowMs: number = Date.now(),
): SessionClaims | undefined {
  if (typeof token !== "string" || token.length > MAX_SESSION_CHARS) return undefined;
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== SESSION_PREFIX) return undefined;
  const [prefix, body = "", signature = ""] = parts;
  const expected = Buffer.from(keys.signSession(`${prefix}.${body}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = parseClaims(body);
  return claims !== undefined && claims.expiresAtMs > nowMs ? claims : undefined;
}

/** Whether the session lists the swarm `infoHashHex` (40 hex characters) among those it joined. */
export function sessionCovers(claims: SessionClaims, infoHashHex: string): boolean {
  return claims.swarms.includes(swarmPrefix(infoHashHex));
}

function swarmPrefix(infoHashHex: string): string {
  return infoHashHex.slice(0, SESSION_SWARM_HEX_CHARS).toLowerCase();
}

function parseClaims(body: string): SessionClaims | undefined {
  const data = decodeTokenBody(body);
  if (data === undefined) return undefined;
  const { i, p, s, f, iat, exp } = data;
  if (typeof i !== "string" || typeof p !== "string" || !/^[0-9a-f]{40}$/.test(p)) return undefined;
  if (typeof f !== "string" || !Array.isArray(s) || !s.every((x) => typeof x === "string")) return undefined;
  if (typeof iat !== "number" || typeof exp !== "number") return undefined;
  return { sessionId: i, peerId: p, swarms: s as string[], from: f, issuedAtMs: iat, expiresAtMs: exp };
}
