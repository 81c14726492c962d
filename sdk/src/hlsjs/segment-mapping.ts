import type { SegmentRequest } from "../core/types.js";
import { infoHashOf, toHex } from "../p2p/ids.js";

/** The parts of hls.js objects the mapping reads, so it can be tested with plain objects. */
export interface FragLike {
  type: string;
  sn: number | "initSegment";
  level: number;
  start: number;
  duration: number;
  url: string;
}
export interface LevelLike {
  bitrate: number;
  width: number;
  height: number;
  codecSet?: string;
  details?: { live: boolean };
}
export interface AudioTrackLike {
  groupId?: string;
  name: string;
  lang?: string;
  details?: { live: boolean };
}
export interface HlsLike {
  levels: LevelLike[];
  audioTracks: AudioTrackLike[];
}

/** The URL without query or fragment: CDN tokens and cache busters differ per viewer. */
export function stripQuery(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
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

/**
 * Map an hls.js fragment load to a core segment request, or undefined for loads Nearcast leaves to
 * hls.js's own loader (subtitles, unknown levels).
 */
export function toSegmentRequest(
  hls: HlsLike,
  streamKey: string,
  frag: FragLike,
  url: string,
  rangeStart?: number,
  rangeEnd?: number,
): SegmentRequest | undefined {
  const swarmKey = swarmKeyOf(hls, streamKey, frag.type, frag.level);
  if (!swarmKey) return undefined;
  const details =
    frag.type === "main" ? hls.levels[frag.level]?.details : hls.audioTracks[frag.level]?.details;
  const hasRange = rangeStart !== undefined && rangeEnd !== undefined && rangeEnd > rangeStart;
  const rangeSuffix = hasRange ? `@${rangeStart}-${rangeEnd}` : "";
  // Init segments are shared by every segment of a rendition: name them by URL (hashed, so the id
  // stays within the wire protocol's 128-byte limit whatever the URL's length).
  const base = frag.sn === "initSegment" ? `init:${toHex(infoHashOf(stripQuery(url)))}` : `${frag.sn}`;
  return {
    id: base + rangeSuffix,
    swarmKey,
    url,
    byteRange: hasRange ? { start: rangeStart, end: rangeEnd } : undefined,
    startTimeSec: frag.start,
    durationSec: frag.duration,
    live: details?.live ?? false,
  };
}
