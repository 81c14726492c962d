// Simulated live: a VOD rendition looped forever on a wall-clock timeline. Pure functions of
// (rendition, now, options), so the sliding window can be tested without HTTP or real time.
//
// Timeline: media sequence number (msn) m plays source segment `m mod n` of loop `floor(m / n)`. It
// starts at liveStartMs + loop × loopDuration + (durations of the segments before it in the loop) and,
// like a real live encoder's output, is listed once it has completely "happened" (its end ≤ now).
// Every loop after the first begins with EXT-X-DISCONTINUITY (timestamps jump back), and
// EXT-X-DISCONTINUITY-SEQUENCE counts the discontinuity tags that slid out of the window, so a
// segment's discontinuity number is the same in every playlist that lists it.
import { MAP_DIGEST_TAG, SEGMENT_DIGEST_TAG } from "./playlist-digests.js";
import type { CatalogFile, CatalogRendition, CatalogSegment, CatalogStream } from "./catalog-types.js";

export interface LiveTimelineOptions {
  /** Wall-clock time (epoch ms) at which media sequence 0 started. See {@link liveStartMsFor}. */
  liveStartMs: number;
  /** Number of segments listed in the live playlist. */
  windowSegments: number;
  /**
   * How many segments behind the window start a segment is still served: a viewer that loaded the
   * playlist just before it slid (or a peer resuming over HTTP) must not get a 404 for it.
   * @default windowSegments
   */
  graceSegments?: number;
}

export interface LiveWindow {
  /** Media sequence of the first listed segment. */
  firstMsn: number;
  /** Number of listed segments (0 only before liveStartMs). */
  count: number;
  /** Discontinuity tags on segments before firstMsn. */
  discontinuitySequence: number;
}

export type LiveResource =
  | { kind: "init"; file: CatalogFile }
  | { kind: "segment"; msn: number; segment: CatalogSegment }
  | { kind: "not-found"; reason: "unknown" | "future" | "expired" };

const EPSILON_SEC = 1e-6;
const LIVE_SEGMENT_PATTERN = /^seg-live-(0|[1-9][0-9]{0,14})(\.[a-z0-9]+)$/;

/**
 * Start of the live timeline for a server started at serverStartMs: `windowSegments` target durations
 * earlier, so the first viewer already finds a full window instead of a one-segment playlist.
 */
export function liveStartMsFor(stream: CatalogStream, serverStartMs: number, windowSegments: number): number {
  return serverStartMs - windowSegments * stream.targetDurationSec * 1000;
}

const prefixCache = new WeakMap<CatalogRendition, number[]>();

/** prefix[i] = start of source segment i within a loop (seconds); prefix[n] = loop duration. */
function prefixSums(rendition: CatalogRendition): number[] {
  let prefix = prefixCache.get(rendition);
  if (prefix === undefined) {
    prefix = [0];
    for (const segment of rendition.segments)
      prefix.push((prefix[prefix.length - 1] ?? 0) + segment.durationSec);
    prefixCache.set(rendition, prefix);
  }
  return prefix;
}

function sourceSegment(rendition: CatalogRendition, msn: number): CatalogSegment {
  const segment = rendition.segments[msn % rendition.segments.length];
  if (segment === undefined) throw new Error(`rendition ${rendition.name} has no segments`);
  return segment;
}

/** Number of segments completely produced by `nowMs` (msn 0 … count-1). */
export function producedSegmentCount(
  rendition: CatalogRendition,
  nowMs: number,
  liveStartMs: number,
): number {
  const elapsedSec = (nowMs - liveStartMs) / 1000;
  if (elapsedSec <= 0) return 0;
  const prefix = prefixSums(rendition);
  const n = rendition.segments.length;
  const loopSec = prefix[n] ?? 0;
  const loops = Math.floor(elapsedSec / loopSec);
  const intoLoopSec = elapsedSec - loops * loopSec;
  // Binary search for the number of whole segments that fit in intoLoopSec.
  let low = 0;
  let high = n;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((prefix[mid] ?? Infinity) <= intoLoopSec + EPSILON_SEC) low = mid;
    else high = mid - 1;
  }
  return loops * n + low;
}

/** Seconds from liveStartMs to the start of segment msn. */
export function segmentStartSec(rendition: CatalogRendition, msn: number): number {
  const prefix = prefixSums(rendition);
  const n = rendition.segments.length;
  return Math.floor(msn / n) * (prefix[n] ?? 0) + (prefix[msn % n] ?? 0);
}

export function hasDiscontinuityBefore(rendition: CatalogRendition, msn: number): boolean {
  return msn > 0 && (msn % rendition.segments.length === 0 || sourceSegment(rendition, msn).discontinuity);
}

/** Number of discontinuity tags on segments with media sequence < msn. */
export function discontinuitiesBefore(rendition: CatalogRendition, msn: number): number {
  if (msn <= 0) return 0;
  const n = rendition.segments.length;
  let count = Math.ceil(msn / n) - 1; // loop starts n, 2n, … below msn
  for (const segment of rendition.segments) {
    if (segment.index > 0 && segment.discontinuity && msn > segment.index) {
      count += Math.ceil((msn - segment.index) / n);
    }
  }
  return count;
}

export function computeLiveWindow(
  rendition: CatalogRendition,
  nowMs: number,
  options: LiveTimelineOptions,
): LiveWindow {
  const produced = producedSegmentCount(rendition, nowMs, options.liveStartMs);
  const firstMsn = Math.max(0, produced - options.windowSegments);
  return {
    firstMsn,
    count: produced - firstMsn,
    discontinuitySequence: discontinuitiesBefore(rendition, firstMsn),
  };
}

export function liveSegmentName(rendition: CatalogRendition, msn: number): string {
  return `seg-live-${msn}${sourceSegment(rendition, msn).extension}`;
}

export function liveInitName(init: CatalogFile): string {
  return `init${init.extension}`;
}

/** The live media playlist of `rendition` at `nowMs`; URIs are relative to the playlist's URL. */
export function buildLivePlaylist(
  rendition: CatalogRendition,
  nowMs: number,
  options: LiveTimelineOptions,
): string {
  const window = computeLiveWindow(rendition, nowMs, options);
  const version = Math.max(rendition.version ?? 0, rendition.init === undefined ? 3 : 6);
  const lines = [
    "#EXTM3U",
    `#EXT-X-VERSION:${version}`,
    `#EXT-X-TARGETDURATION:${rendition.targetDurationSec}`,
    `#EXT-X-MEDIA-SEQUENCE:${window.firstMsn}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${window.discontinuitySequence}`,
  ];
  if (rendition.independentSegments) lines.push("#EXT-X-INDEPENDENT-SEGMENTS");
  if (rendition.init !== undefined) {
    lines.push(`#EXT-X-MAP:URI="${liveInitName(rendition.init)}"`);
    if (rendition.init.sha256) lines.push(`${MAP_DIGEST_TAG}:${rendition.init.sha256}`);
  }
  for (let msn = window.firstMsn; msn < window.firstMsn + window.count; msn++) {
    if (hasDiscontinuityBefore(rendition, msn)) lines.push("#EXT-X-DISCONTINUITY");
    const startMs = options.liveStartMs + segmentStartSec(rendition, msn) * 1000;
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(Math.round(startMs)).toISOString()}`);
    const segment = sourceSegment(rendition, msn);
    lines.push(`#EXTINF:${segment.durationSec.toFixed(6)},`);
    if (segment.sha256) lines.push(`${SEGMENT_DIGEST_TAG}:${segment.sha256}`);
    lines.push(liveSegmentName(rendition, msn));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Maps a live file name to what it serves. A segment is served from the moment it is listed until it
 * is `graceSegments` behind the window start; earlier it is "future", later "expired" (both 404).
 */
export function resolveLiveResource(
  rendition: CatalogRendition,
  fileName: string,
  nowMs: number,
  options: LiveTimelineOptions,
): LiveResource {
  if (rendition.init !== undefined && fileName === liveInitName(rendition.init)) {
    return { kind: "init", file: rendition.init };
  }
  const match = LIVE_SEGMENT_PATTERN.exec(fileName);
  if (match === null) return { kind: "not-found", reason: "unknown" };
  const msn = Number(match[1]);
  const segment = sourceSegment(rendition, msn);
  if (match[2] !== segment.extension) return { kind: "not-found", reason: "unknown" };
  const produced = producedSegmentCount(rendition, nowMs, options.liveStartMs);
  if (msn >= produced) return { kind: "not-found", reason: "future" };
  const graceSegments = options.graceSegments ?? options.windowSegments;
  if (msn < produced - options.windowSegments - graceSegments)
    return { kind: "not-found", reason: "expired" };
  return { kind: "segment", msn, segment };
}
