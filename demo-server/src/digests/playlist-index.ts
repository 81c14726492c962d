// What the digest service reads from playlists: a master's variant URIs (which media playlists belong
// to a stream) and a media playlist's segments and init segments with their byte ranges and dates
// (which URLs may be fetched, and what identifies their bytes). Lenient about tags it does not need
// — players ignore unknown tags too — and bounded in what it keeps.
import { parseAttributeList, splitLines } from "../origin/playlist-parser.js";
import type { Range } from "./url-binding.js";

export interface IndexedEntry {
  kind: "media" | "init";
  /** The URI as written (relative to the playlist's URL after redirects). */
  uri: string;
  /** `[start, end)` from `EXT-X-BYTERANGE` (offset per RFC 8216 §4.3.2.2) or the MAP's `BYTERANGE`. */
  range: Range | undefined;
  /** `EXT-X-PROGRAM-DATE-TIME` as written before this segment (the SDK binds it into the segment id). */
  programDateTime: string | undefined;
}

export interface MediaPlaylistIndex {
  targetDurationSec: number;
  /** `EXT-X-ENDLIST` or `EXT-X-PLAYLIST-TYPE:VOD`: the list will not change, nothing to follow. */
  ended: boolean;
  entries: IndexedEntry[];
}

/** Thrown for text that is not an HLS playlist of the expected kind. */
export class PlaylistIndexError extends Error {
  override name = "PlaylistIndexError";
}

export function isMasterPlaylist(lines: readonly string[]): boolean {
  return lines.some((line) => line.startsWith("#EXT-X-STREAM-INF:"));
}

/**
 * The URIs of a master playlist's media playlists: `EXT-X-STREAM-INF` variants and `EXT-X-MEDIA`
 * renditions with a URI (alternate audio, subtitles). @throws PlaylistIndexError without `#EXTM3U`.
 */
export function masterPlaylistUris(text: string): string[] {
  const lines = headerChecked(text);
  const uris: string[] = [];
  let variantPending = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith("#EXT-X-STREAM-INF:")) variantPending = true;
    else if (line.startsWith("#EXT-X-MEDIA:")) {
      const uri = parseAttributeList(line.slice("#EXT-X-MEDIA:".length)).get("URI");
      if (uri) uris.push(uri);
    } else if (line !== "" && !line.startsWith("#") && variantPending) {
      uris.push(line);
      variantPending = false;
    }
  }
  return uris;
}

/**
 * The segments and init segments of a media playlist, at most `maxEntries` (the newest kept: at a
 * live edge they are the ones asked about). @throws PlaylistIndexError without `#EXTM3U`, for a
 * master playlist or a malformed byte range.
 */
export function indexMediaPlaylist(text: string, maxEntries: number): MediaPlaylistIndex {
  const lines = headerChecked(text);
  if (isMasterPlaylist(lines)) throw new PlaylistIndexError("a master playlist, not a media playlist");
  const index: MediaPlaylistIndex = { targetDurationSec: 0, ended: false, entries: [] };
  const rangeEnds = new Map<string, number>();
  let pendingRange: { length: number; offset: number | undefined } | undefined;
  let programDateTime: string | undefined;
  let sawSegmentTag = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "") continue;
    if (!line.startsWith("#")) {
      if (!sawSegmentTag) continue;
      let range: Range | undefined;
      if (pendingRange) {
        const offset = pendingRange.offset ?? rangeEnds.get(line) ?? 0;
        range = [offset, offset + pendingRange.length];
        rangeEnds.set(line, range[1]);
      }
      index.entries.push({ kind: "media", uri: line, range, programDateTime });
      pendingRange = undefined;
      programDateTime = undefined;
      sawSegmentTag = false;
      continue;
    }
    const colon = line.indexOf(":");
    const tag = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1);
    if (tag === "#EXTINF") sawSegmentTag = true;
    else if (tag === "#EXT-X-TARGETDURATION") index.targetDurationSec = Math.max(0, Number(value) || 0);
    else if (tag === "#EXT-X-ENDLIST" || (tag === "#EXT-X-PLAYLIST-TYPE" && value.trim() === "VOD"))
      index.ended = true;
    else if (tag === "#EXT-X-PROGRAM-DATE-TIME") programDateTime = value.trim();
    else if (tag === "#EXT-X-BYTERANGE") pendingRange = parseByteRange(value);
    else if (tag === "#EXT-X-MAP") {
      const attributes = parseAttributeList(value);
      const uri = attributes.get("URI");
      const byteRange = attributes.get("BYTERANGE");
      const parsed = byteRange === undefined ? undefined : parseByteRange(byteRange);
      const offset = parsed?.offset ?? 0;
      const range: Range | undefined = parsed ? [offset, offset + parsed.length] : undefined;
      if (uri) index.entries.push({ kind: "init", uri, range, programDateTime: undefined });
    }
  }
  if (index.entries.length > maxEntries) index.entries.splice(0, index.entries.length - maxEntries);
  return index;
}

function headerChecked(text: string): string[] {
  const lines = splitLines(text);
  if (lines[0]?.trim() !== "#EXTM3U") throw new PlaylistIndexError("missing #EXTM3U header");
  return lines;
}

function parseByteRange(value: string): { length: number; offset: number | undefined } {
  const match = /^\s*"?(\d{1,15})(?:@(\d{1,15}))?"?\s*$/.exec(value);
  if (!match) throw new PlaylistIndexError(`malformed byte range "${value}"`);
  return { length: Number(match[1]), offset: match[2] === undefined ? undefined : Number(match[2]) };
}
