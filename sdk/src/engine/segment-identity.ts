// What makes two viewers' segments "the same": the segment's URL key, its byte range, the digest the
// origin published for it and its program date-time — never the media sequence number alone, which
// repeats across encoder restarts, differs per session under server-side ad insertion, and says
// nothing about which of two videos behind one path it belongs to.
import { parseSha256Hex } from "../core/integrity.js";
import { infoHashOf, toHex } from "../p2p/ids.js";

/** Playlist tag carrying the SHA-256 of the next media segment (its EXT-X-BYTERANGE, if any). */
export const SEGMENT_DIGEST_TAG = "EXT-X-NEARCAST-SHA256";
/** Playlist tag carrying the SHA-256 of the init segment (EXT-X-MAP) in effect for the next segment. */
export const MAP_DIGEST_TAG = "EXT-X-NEARCAST-MAP-SHA256";

/** hls.js keeps unknown playlist tags of a fragment as `[name, value]` in `frag.tagList`. */
export type TagList = readonly (readonly string[])[];

/**
 * Query parameter names (lower case) whose values differ per viewer or request: CDN tokens and
 * signatures (Akamai, CloudFront, generic), hls.js's CMCD query, the `_` cache buster, and the
 * session parameters HLS interstitials add to asset URLs (`_HLS_primary_id`, `_HLS_start_offset`).
 * Dropped from identities with {@link PER_VIEWER_QUERY_PREFIXES}; other parameters may select
 * content and stay.
 */
export const PER_VIEWER_QUERY_PARAMS: ReadonlySet<string> = new Set(
  "token access_token auth auth_token authorization __token__ hdnts hdnea hmac sig signature policy key-pair-id expires exp cmcd _ _hls_primary_id _hls_start_offset".split(
    " ",
  ),
);
/** Name prefixes of per-viewer parameters: S3/GCS pre-signed URLs, Wowza SecureToken. */
export const PER_VIEWER_QUERY_PREFIXES: readonly string[] = ["x-amz-", "x-goog-", "wowzatoken"];

/** Whether a query parameter, by its raw (maybe percent-encoded) name, is per-viewer. */
export function isPerViewerParam(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    // malformed escape: compare it raw
  }
  name = name.toLowerCase();
  return PER_VIEWER_QUERY_PARAMS.has(name) || PER_VIEWER_QUERY_PREFIXES.some((p) => name.startsWith(p));
}

/** A query (`?` optional) without per-viewer parameters and empty pieces: "" or `?…`, order kept. */
export function contentQuery(search: string): string {
  const kept = search
    .replace(/^\?/, "")
    .split("&")
    .filter((piece) => piece !== "" && !isPerViewerParam(piece.split("=", 1)[0]!));
  return kept.length > 0 ? `?${kept.join("&")}` : "";
}

function splitUrl(url: string): [base: string, search: string] {
  const [base = "", search = ""] = url.split("#", 1)[0]!.split(/(?=\?)/);
  return [base, search];
}

/**
 * Default segment URL key: path + {@link contentQuery}, no host (CDNs of one origin share) or
 * fragment, so `seg1.ts?v=A` and `seg1.ts?v=B` differ and `?token=` does not split. Never throws.
 */
export function defaultSegmentUrlKey(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${contentQuery(parsed.search)}`;
  } catch {
    const [base, search] = splitUrl(url);
    return `${base}${contentQuery(search)}`;
  }
}

/** Default stream key: the manifest URL's scheme, host, path + {@link contentQuery}. Never throws. */
export function defaultStreamKey(manifestUrl: string): string {
  const [base, search] = splitUrl(manifestUrl);
  return `${base}${contentQuery(search)}`;
}

/**
 * A segment id for the wire: `s` (media) or `i` (init) + 24 hex characters of SHA-1 over the URL
 * key, the byte range, the published digest and the segment's EXT-X-PROGRAM-DATE-TIME as written in
 * the playlist (RFC 8216 §4.3.2.6; omitted when the segment has no tag of its own). Fixed length, so
 * any URL fits the protocol's id limit.
 */
export function segmentId(
  kind: "media" | "init",
  urlKey: string,
  range: readonly [number, number] | undefined,
  sha256: string | undefined,
  programDateTime?: string,
): string {
  let material = `${urlKey}\n${range ? `${range[0]}-${range[1]}` : "-"}\n${sha256 ?? ""}`;
  if (programDateTime) material += `\n${programDateTime}`;
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
