import type { SegmentRequest } from "../core/types.js";
import {
  defaultSegmentUrlKey,
  digestFromTags,
  MAP_DIGEST_TAG,
  SEGMENT_DIGEST_TAG,
  segmentId,
  type TagList,
} from "../engine/segment-identity.js";

/** The parts of hls.js objects the mapping reads, so it can be tested with plain objects. */
export interface FragLike {
  type: string;
  sn: number | "initSegment";
  level: number;
  start: number;
  duration: number;
  url: string;
  /** Declared EXT-X-BYTERANGE as [start, end) (empty without one). */
  byteRange?: [number, number] | [];
  /** EXT-X-PROGRAM-DATE-TIME as written before this segment's URI (hls.js: null when it had none). */
  rawProgramDateTime?: string | null;
  /** Unknown playlist tags before the segment's URI, as hls.js keeps them. */
  tagList?: TagList;
  initSegment?: Pick<FragLike, "url" | "byteRange"> | null;
}
export interface DetailsLike {
  live: boolean;
  fragments?: readonly Pick<FragLike, "tagList" | "initSegment">[];
}
export interface LevelLike {
  bitrate: number;
  width: number;
  height: number;
  codecSet?: string;
  details?: DetailsLike;
}
export interface AudioTrackLike {
  groupId?: string;
  name: string;
  lang?: string;
  details?: DetailsLike;
}

/** How segment identity is derived: the URL-key hook and where digest warnings go. */
export interface IdentityOptions {
  segmentUrlKey?: (url: string) => string;
  warn?: (message: string) => void;
}
export interface HlsLike {
  levels: LevelLike[];
  audioTracks: AudioTrackLike[];
}

/**
 * A rendition key that is the same for every viewer of the stream: from the level's attributes,
 * not its URL, so redundant CDN hosts of one rendition share a swarm.
 */
export function renditionKey(hls: HlsLike, frag: Pick<FragLike, "type" | "level">): string | undefined {
  if (frag.type === "main") {
    const level = hls.levels[frag.level];
    return level ? `v${level.bitrate}-${level.width}x${level.height}-${level.codecSet ?? ""}` : undefined;
  }
  if (frag.type === "audio") {
    const track = hls.audioTracks[frag.level];
    return track ? `a-${track.groupId ?? ""}-${track.name}-${track.lang ?? ""}` : undefined;
  }
  return undefined;
}

/** The swarm of a level ("main") or audio track ("audio"), or undefined if hls.js does not know it. */
export function swarmKeyOf(hls: HlsLike, streamKey: string, type: string, level: number): string | undefined {
  const rendition = renditionKey(hls, { type, level });
  return rendition ? `${streamKey}|${rendition}` : undefined;
}

/** The player track a level ("main") or audio track ("audio") plays in (see `SegmentRequest.track`). */
export function trackKeyOf(streamKey: string, type: string): string {
  return `${streamKey}|${type}`;
}

/**
 * Map an hls.js fragment load to a core segment request, or undefined for loads Nearcast leaves to
 * hls.js's own loader (subtitles, unknown levels, LL-HLS parts, byte ranges hls.js widened for
 * AES-128 when a digest covers the declared range).
 *
 * The id binds the URL key (`segmentUrlKey`, default: path and content-naming query, see
 * `defaultSegmentUrlKey`), the byte range, the origin's published digest and, for media segments,
 * the EXT-X-PROGRAM-DATE-TIME written for it, so viewers trade a segment only when they would load
 * the same bytes — also across an encoder restart that reuses file names, when the origin dates its
 * segments.
 */
export function toSegmentRequest(
  hls: HlsLike,
  streamKey: string,
  frag: FragLike,
  url: string,
  rangeStart?: number,
  rangeEnd?: number,
  identity: IdentityOptions = {},
): SegmentRequest | undefined {
  const swarmKey = swarmKeyOf(hls, streamKey, frag.type, frag.level);
  if (!swarmKey) return undefined;
  const details =
    frag.type === "main" ? hls.levels[frag.level]?.details : hls.audioTracks[frag.level]?.details;
  const warn = identity.warn ?? (() => {});
  const hasRange = rangeStart !== undefined && rangeEnd !== undefined && rangeEnd > rangeStart;
  const declared = frag.byteRange?.length === 2 ? frag.byteRange : undefined;
  // A declared empty range (EXT-X-BYTERANGE:0@n) has no bytes to share.
  if (declared && declared[1] <= declared[0]) return undefined;
  const isInit = frag.sn === "initSegment";
  const sha256 = isInit
    ? initDigest(details, frag, warn)
    : digestFromTags(frag.tagList, SEGMENT_DIGEST_TAG, warn);
  const range: [number, number] | undefined = hasRange ? [rangeStart, rangeEnd] : undefined;
  if (sha256 !== undefined && !sameRange(range, declared)) return undefined;
  const urlKey = (identity.segmentUrlKey ?? defaultSegmentUrlKey)(url);
  return {
    id: segmentId(
      isInit ? "init" : "media",
      urlKey,
      range,
      sha256,
      isInit ? undefined : (frag.rawProgramDateTime?.trim() ?? undefined),
    ),
    swarmKey,
    track: trackKeyOf(streamKey, frag.type),
    url,
    byteRange: range ? { start: range[0], end: range[1] } : undefined,
    startTimeSec: frag.start,
    durationSec: frag.duration,
    live: details?.live ?? false,
    ...(sha256 !== undefined ? { sha256 } : {}),
  };
}

/** The MAP digest published next to the EXT-X-MAP that some fragment of this playlist uses. */
function initDigest(details: DetailsLike | undefined, init: FragLike, warn: (m: string) => void) {
  const fragments = details?.fragments ?? [];
  for (let i = fragments.length - 1; i >= 0; i--) {
    const fragment = fragments[i]!;
    const map = fragment.initSegment;
    if (!map || map.url !== init.url || !sameRange(map.byteRange, init.byteRange)) continue;
    const digest = digestFromTags(fragment.tagList, MAP_DIGEST_TAG, warn);
    if (digest !== undefined) return digest;
  }
  return undefined;
}

function sameRange(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a?.length === 2 ? a : undefined;
  const y = b?.length === 2 ? b : undefined;
  return x === y || (x !== undefined && y !== undefined && x[0] === y[0] && x[1] === y[1]);
}
