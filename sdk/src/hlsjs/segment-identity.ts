// What makes two viewers' segments "the same": the segment's URL key, its byte range and the digest
// the origin published for it — never the media sequence number alone, which repeats across encoder
// restarts, differs per session under server-side ad insertion, and says nothing about which of two
// videos behind one path it belongs to.
import { parseSha256Hex } from "../core/integrity.js";
import { infoHashOf, toHex } from "../p2p/ids.js";

/** Playlist tag carrying the SHA-256 of the next media segment (its EXT-X-BYTERANGE, if any). */
export const SEGMENT_DIGEST_TAG = "EXT-X-NEARCAST-SHA256";
/** Playlist tag carrying the SHA-256 of the init segment (EXT-X-MAP) in effect for the next segment. */
export const MAP_DIGEST_TAG = "EXT-X-NEARCAST-MAP-SHA256";

/** hls.js keeps unknown playlist tags of a fragment as `[name, value]` in `frag.tagList`. */
export type TagList = readonly (readonly string[])[];

/**
 * The default URL key: the path without host, query or fragment. CDN tokens and cache busters in the
 * query differ per viewer; the host differs between CDNs of one origin.
 */
export function defaultSegmentUrlKey(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    const cut = url.search(/[?#]/);
    return cut === -1 ? url : url.slice(0, cut);
  }
}

/**
 * A segment id for the wire: `s` (media) or `i` (init) + 24 hex characters of SHA-1 over the URL
 * key, the byte range and the published digest. Fixed length, so any URL fits the protocol's id limit.
 */
export function segmentId(
  kind: "media" | "init",
  urlKey: string,
  range: readonly [number, number] | undefined,
  sha256: string | undefined,
): string {
  const material = `${urlKey}\n${range ? `${range[0]}-${range[1]}` : "-"}\n${sha256 ?? ""}`;
  return `${kind === "init" ? "i" : "s"}${toHex(infoHashOf(material)).slice(0, 24)}`;
}

/**
 * The digest a tag list publishes under `tag`, or undefined when there is none. A malformed value or
 * two different values are reported through `warn` and ignored (the segment then has no digest).
 */
export function digestFromTags(
  tags: TagList | undefined,
  tag: string,
  warn: (message: string) => void,
): string | undefined {
  let found: string | undefined;
  for (const entry of tags ?? []) {
    if (entry[0] !== tag) continue;
    const parsed = parseSha256Hex(entry[1]);
    if ("problem" in parsed) {
      warn(`#${tag} ignored: ${parsed.problem}`);
      return undefined;
    }
    if (found !== undefined && found !== parsed.sha256) {
      warn(`#${tag} ignored: two different digests for one segment`);
      return undefined;
    }
    found = parsed.sha256;
  }
  return found;
}
