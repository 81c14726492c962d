// Pure HLS playlist parsing: text in, plain data out. Only what the demo origin needs to serve a stream
// (variants, segment list, init segment) and to rewrite URIs into its own URL scheme; everything it
// does not understand is kept as an opaque line so a served VOD playlist stays the author's playlist.

/** Thrown for a playlist the origin cannot serve; the message names the playlist when known. */
export class PlaylistParseError extends Error {
  override name = "PlaylistParseError";
}

export type AttributeList = ReadonlyMap<string, string>;

/** A URI reference inside a playlist and where it sits, so a rewrite can replace exactly that text. */
export interface UriRef {
  uri: string;
  /** Index into `lines` of the line holding the URI (a URI line, or a tag with a URI="…" attribute). */
  lineIndex: number;
}

export interface MasterVariant extends UriRef {
  /** `EXT-X-STREAM-INF` attributes, or the `EXT-X-MEDIA` attributes for an alternate rendition. */
  attributes: AttributeList;
  kind: "stream-inf" | "media";
}

export interface ParsedMasterPlaylist {
  lines: string[];
  variants: MasterVariant[];
  /** Line indexes of `EXT-X-I-FRAME-STREAM-INF` tags, which the origin does not serve. */
  iFrameLineIndexes: number[];
}

export interface ParsedSegment extends UriRef {
  durationSec: number;
  /** An `EXT-X-DISCONTINUITY` precedes this segment. */
  discontinuity: boolean;
}

export interface ParsedMediaPlaylist {
  lines: string[];
  version: number | undefined;
  targetDurationSec: number;
  mediaSequence: number;
  independentSegments: boolean;
  endList: boolean;
  init: UriRef | undefined;
  segments: ParsedSegment[];
  /** `EXT-X-BYTERANGE` segments or an `EXT-X-MAP` with `BYTERANGE`: several entries may share a file. */
  byteRanges: boolean;
  /** `EXT-X-KEY` tags with a key URI (METHOD other than NONE), in order. */
  keys: UriRef[];
}

export function splitLines(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
  return lines;
}

/** Parses an attribute list (`KEY=value,KEY2="quoted, with commas"`). Quotes are removed. */
export function parseAttributeList(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /\s*([A-Z0-9-]+)=("[^"]*"|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < text.length && (match = pattern.exec(text)) !== null) {
    const [, key = "", raw = ""] = match;
    attributes.set(key, raw.startsWith('"') ? raw.slice(1, -1) : raw.trim());
  }
  return attributes;
}

export function isMasterPlaylist(text: string): boolean {
  return /^#EXT-X-STREAM-INF:/m.test(text);
}

function tagValue(line: string, tag: string): string | undefined {
  return line.startsWith(`${tag}:`) ? line.slice(tag.length + 1) : undefined;
}

function requireHeader(lines: string[], where: string): void {
  if (lines[0]?.trim() !== "#EXTM3U") throw new PlaylistParseError(`${where}: missing #EXTM3U header`);
}

export function parseMasterPlaylist(text: string, where = "master playlist"): ParsedMasterPlaylist {
  const lines = splitLines(text);
  requireHeader(lines, where);
  const variants: MasterVariant[] = [];
  const iFrameLineIndexes: number[] = [];
  let pending: AttributeList | undefined;
  lines.forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line === "") return;
    const streamInf = tagValue(line, "#EXT-X-STREAM-INF");
    const media = tagValue(line, "#EXT-X-MEDIA");
    if (streamInf !== undefined) {
      pending = parseAttributeList(streamInf);
    } else if (media !== undefined) {
      const attributes = parseAttributeList(media);
      const uri = attributes.get("URI");
      if (uri !== undefined) variants.push({ uri, lineIndex, attributes, kind: "media" });
    } else if (line.startsWith("#EXT-X-I-FRAME-STREAM-INF:")) {
      iFrameLineIndexes.push(lineIndex);
    } else if (!line.startsWith("#") && pending !== undefined) {
      variants.push({ uri: line, lineIndex, attributes: pending, kind: "stream-inf" });
      pending = undefined;
    }
  });
  if (!variants.some((variant) => variant.kind === "stream-inf")) {
    throw new PlaylistParseError(`${where}: no #EXT-X-STREAM-INF variant`);
  }
  return { lines, variants, iFrameLineIndexes };
}

function parseNumber(value: string, what: string, where: string): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new PlaylistParseError(`${where}: invalid ${what} "${value}"`);
  }
  return number;
}

export function parseMediaPlaylist(text: string, where = "media playlist"): ParsedMediaPlaylist {
  const lines = splitLines(text);
  requireHeader(lines, where);
  const playlist: ParsedMediaPlaylist = {
    lines,
    version: undefined,
    targetDurationSec: 0,
    mediaSequence: 0,
    independentSegments: false,
    endList: false,
    init: undefined,
    segments: [],
    byteRanges: false,
    keys: [],
  };
  let duration: number | undefined;
  let discontinuity = false;
  lines.forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line === "") return;
    if (!line.startsWith("#")) {
      if (duration === undefined) throw new PlaylistParseError(`${where}: segment "${line}" has no #EXTINF`);
      playlist.segments.push({ uri: line, lineIndex, durationSec: duration, discontinuity });
      duration = undefined;
      discontinuity = false;
      return;
    }
    const [tag = "", value = ""] = splitTag(line);
    switch (tag) {
      case "#EXTINF":
        duration = parseNumber(value.split(",")[0] ?? "", "#EXTINF duration", where);
        if (duration <= 0) throw new PlaylistParseError(`${where}: #EXTINF duration must be > 0`);
        break;
      case "#EXT-X-VERSION":
        playlist.version = parseNumber(value, "#EXT-X-VERSION", where);
        break;
      case "#EXT-X-TARGETDURATION":
        playlist.targetDurationSec = parseNumber(value, "#EXT-X-TARGETDURATION", where);
        break;
      case "#EXT-X-MEDIA-SEQUENCE":
        playlist.mediaSequence = parseNumber(value, "#EXT-X-MEDIA-SEQUENCE", where);
        break;
      case "#EXT-X-INDEPENDENT-SEGMENTS":
        playlist.independentSegments = true;
        break;
      case "#EXT-X-ENDLIST":
        playlist.endList = true;
        break;
      case "#EXT-X-DISCONTINUITY":
        discontinuity = true;
        break;
      case "#EXT-X-MAP":
        playlist.init = parseMap(value, lineIndex, playlist, where);
        break;
      case "#EXT-X-BYTERANGE":
        // The file is served whole with HTTP Range support; the player asks for the range.
        playlist.byteRanges = true;
        break;
      case "#EXT-X-KEY": {
        const attributes = parseAttributeList(value);
        if (attributes.get("METHOD") === "NONE") break;
        const uri = attributes.get("URI");
        if (uri === undefined || uri === "") throw new PlaylistParseError(`${where}: #EXT-X-KEY without URI`);
        playlist.keys.push({ uri, lineIndex });
        break;
      }
    }
  });
  if (playlist.segments.length === 0) throw new PlaylistParseError(`${where}: no segments`);
  return playlist;
}

function splitTag(line: string): [string, string] {
  const colon = line.indexOf(":");
  return colon === -1 ? [line, ""] : [line.slice(0, colon), line.slice(colon + 1)];
}

function parseMap(value: string, lineIndex: number, playlist: ParsedMediaPlaylist, where: string): UriRef {
  const attributes = parseAttributeList(value);
  const uri = attributes.get("URI");
  if (uri === undefined || uri === "") throw new PlaylistParseError(`${where}: #EXT-X-MAP without URI`);
  if (attributes.has("BYTERANGE")) playlist.byteRanges = true;
  if (playlist.init !== undefined && playlist.init.uri !== uri) {
    throw new PlaylistParseError(`${where}: more than one #EXT-X-MAP is not supported`);
  }
  return { uri, lineIndex };
}

/** Replaces the `URI="…"` attribute of a tag line. */
export function replaceUriAttribute(line: string, uri: string): string {
  return line.replace(/URI="[^"]*"/, `URI="${uri}"`);
}
