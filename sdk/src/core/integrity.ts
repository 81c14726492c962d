// Segment integrity: SHA-256 digests published by the origin, and the check that bytes from peers
// match them (or an embedder's own validation hook) before the player sees them.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import type { SegmentRequest } from "./types.js";

/** A SHA-256 digest in the form the playlist tag carries it: 64 hexadecimal characters. */
const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * The digest in a `#EXT-X-NEARCAST-SHA256` / `#EXT-X-NEARCAST-MAP-SHA256` tag value, lower-cased, or
 * undefined (with the reason) when the value is not 64 hex characters. Quotes around the value and
 * surrounding white space are tolerated.
 */
export function parseSha256Hex(value: unknown): { sha256: string } | { problem: string } {
  if (typeof value !== "string") return { problem: "no value" };
  const text = value.trim().replace(/^"(.*)"$/, "$1");
  if (text.length !== 64) return { problem: `${text.length} characters, SHA-256 needs 64 hex characters` };
  if (!SHA256_HEX.test(text)) return { problem: "not hexadecimal" };
  return { sha256: text.toLowerCase() };
}

/**
 * SHA-256 of `data` as lower-case hex. Uses WebCrypto (`crypto.subtle`: the browser's, or Node's
 * `node:crypto` webcrypto, which is `globalThis.crypto` in Node ≥ 20); on pages without it (plain
 * http on a non-localhost address is not a secure context) it falls back to @noble/hashes.
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  const digest = subtle
    ? new Uint8Array(await subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>))
    : nobleSha256(data);
  return hexOf(digest);
}

/** `bytes` as lower-case hex, two characters a byte. */
export function hexOf(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/**
 * An embedder's check of a segment's bytes, for origins that publish no digests. Resolve (or return)
 * true to accept the bytes, false to reject them; a throw or rejection counts as a rejection. Called
 * only for segments with bytes from peers, before the player sees them.
 */
export type SegmentValidator = (segment: SegmentRequest, data: Uint8Array) => boolean | Promise<boolean>;

/** Why a segment failed verification, or undefined when it passed (or nothing could check it). */
export async function verificationProblem(
  request: SegmentRequest,
  data: Uint8Array,
  validator: SegmentValidator | undefined,
): Promise<string | undefined> {
  if (request.sha256 !== undefined) {
    const actual = await sha256Hex(data);
    return actual === request.sha256 ? undefined : `SHA-256 ${actual} != published ${request.sha256}`;
  }
  if (!validator) return undefined;
  try {
    return (await validator(request, data)) === true ? undefined : "validateSegment rejected the bytes";
  } catch (error) {
    return `validateSegment threw: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** True when bytes from peers for this segment will be checked before delivery. */
export function isVerifiable(request: SegmentRequest, validator: SegmentValidator | undefined): boolean {
  return request.sha256 !== undefined || validator !== undefined;
}
