// Nearcast's segment digests in a media playlist (the format is documented in docs/integrity.md, "The
// digest format"): before each media segment URI, `#EXT-X-NEARCAST-SHA256:<64 hex>` = SHA-256 of that
// segment's bytes (its EXT-X-BYTERANGE, if any); right after each EXT-X-MAP,
// `#EXT-X-NEARCAST-MAP-SHA256:<64 hex>` = SHA-256 of the init segment (its BYTERANGE, if any).
// hls.js keeps unknown tags in the next fragment's `tagList`, which is where the SDK reads them.
import { createHash } from "node:crypto";
import { parseAttributeList, splitLines } from "./playlist-parser.js";

export const SEGMENT_DIGEST_TAG = "#EXT-X-NEARCAST-SHA256";
export const MAP_DIGEST_TAG = "#EXT-X-NEARCAST-MAP-SHA256";

/** A byte range of a resource: `length` bytes from `offset`. */
export interface ResourceRange {
  offset: number;
  length: number;
}

/** SHA-256 of one resource (or a range of it), hex; undefined to publish none for it. */
export type DigestSource = (uri: string, range: ResourceRange | undefined) => string | undefined;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The digest of `range` of `bytes` (all of it without a range); throws when the range is past the end. */
export function digestOfRange(bytes: Uint8Array, range: ResourceRange | undefined, what: string): string {
  if (!range) return sha256Hex(bytes);
  if (range.offset + range.length > bytes.byteLength) {
    throw new Error(
      `${what}: byte range ${range.length}@${range.offset} is past the end (${bytes.byteLength} bytes)`,
    );
  }
  return sha256Hex(bytes.subarray(range.offset, range.offset + range.length));
}

/**
 * The media playlist with a digest tag for every media segment and init segment that `digestOf`
 * knows, and any digest tags it already had removed (so running it twice changes nothing).
 * EXT-X-BYTERANGE without an offset continues after the previous range of the same URI
 * (RFC 8216 §4.3.2.2). Throws for a malformed EXT-X-BYTERANGE.
 */
export function withDigests(text: string, digestOf: DigestSource): string {
  const out: string[] = [];
  let pendingRange: { length: number; offset: number | undefined } | undefined;
  const rangeEnds = new Map<string, number>();
  for (const rawLine of splitLines(text)) {
    const line = rawLine.trim();
    if (line.startsWith(`${SEGMENT_DIGEST_TAG}:`) || line.startsWith(`${MAP_DIGEST_TAG}:`)) continue;
    if (line.startsWith("#EXT-X-BYTERANGE:")) pendingRange = parseByteRange(line.slice(17));
    if (line.startsWith("#EXT-X-MAP:")) {
      out.push(rawLine);
      const attributes = parseAttributeList(line.slice(11));
      const uri = attributes.get("URI");
      const byteRange = attributes.get("BYTERANGE");
      const parsed = byteRange === undefined ? undefined : parseByteRange(byteRange);
      const range = parsed ? { length: parsed.length, offset: parsed.offset ?? 0 } : undefined;
      const digest = uri === undefined ? undefined : digestOf(uri, range);
      if (digest !== undefined) out.push(`${MAP_DIGEST_TAG}:${digest}`);
      continue;
    }
    if (line !== "" && !line.startsWith("#")) {
      let range: ResourceRange | undefined;
      if (pendingRange) {
        const offset = pendingRange.offset ?? rangeEnds.get(line) ?? 0;
        range = { offset, length: pendingRange.length };
        rangeEnds.set(line, offset + pendingRange.length);
        pendingRange = undefined;
      }
      const digest = digestOf(line, range);
      if (digest !== undefined) out.push(`${SEGMENT_DIGEST_TAG}:${digest}`);
    }
    out.push(rawLine);
  }
  return `${out.join("\n")}\n`;
}

function parseByteRange(value: string): { length: number; offset: number | undefined } {
  const match = /^\s*"?(\d+)(?:@(\d+))?"?\s*$/.exec(value);
  if (!match) throw new Error(`malformed byte range "${value}"`);
  return { length: Number(match[1]), offset: match[2] === undefined ? undefined : Number(match[2]) };
}
