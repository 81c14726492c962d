// Shaka's view of a segment request (its stream, segment reference, URI and Range header) as the
// core's player-agnostic SegmentRequest, with the same identity rules as the hls.js adapter:
// swarm = stream + rendition, segment id = URL key + byte range (engine/segment-identity.ts).
import type { ByteRange, SegmentRequest } from "../core/types.js";
import { defaultSegmentUrlKey, segmentId } from "../engine/segment-identity.js";
import type { ShakaRequestContext, ShakaStream } from "./shaka-types.js";

/**
 * A rendition key that is the same for every viewer of one manifest: type, the manifest's own id
 * for it, bitrate, size, codecs and language — attributes, not Shaka's internal numeric id.
 * Undefined for text streams (left to Shaka's own HTTP plugin, like WebVTT with hls.js).
 */
export function shakaRenditionKey(stream: ShakaStream): string | undefined {
  if (stream.type !== "video" && stream.type !== "audio") return undefined;
  const size = stream.type === "video" ? `-${stream.width ?? 0}x${stream.height ?? 0}` : "";
  return (
    `${stream.type === "video" ? "v" : "a"}${stream.bandwidth ?? 0}${size}-${stream.codecs}` +
    `-${stream.originalId ?? ""}-${stream.language}`
  );
}

/**
 * The byte range of an RFC 9110 `Range: bytes=a-b` header as [a, b+1), or undefined for none. A
 * header Nearcast cannot read (several ranges, a suffix range) throws: such a request is left to
 * Shaka's own plugin by the caller.
 */
export function rangeFromHeader(value: string | undefined): ByteRange | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d*)$/.exec(value.trim());
  if (!match) throw new RangeError(`unsupported Range header: ${value}`);
  const start = Number(match[1]);
  return match[2] ? { start, end: Number(match[2]) + 1 } : { start };
}

export interface ShakaSegmentInput {
  streamKey: string;
  uri: string;
  /** The request's `Range` header (Shaka sets it for byte-range segments). */
  rangeHeader: string | undefined;
  context: ShakaRequestContext;
  /** Shaka's enum values for an init and a media segment. */
  initType: number;
  mediaType: number;
  live: boolean;
  /** Where the playhead is, for init segments (which have no time of their own). */
  positionSec: number;
  segmentUrlKey?: (url: string) => string;
}

/**
 * Map one Shaka segment request to a core request, or undefined for what stays with Shaka's own
 * HTTP plugin: text streams, requests with no stream, anything but init and media segments, and
 * ranges Nearcast cannot express. A range open to the end is kept only for init segments
 * (`bytes=0-`-style requests for a whole file are sent without a Range by Shaka).
 */
export function toShakaSegmentRequest(input: ShakaSegmentInput): SegmentRequest | undefined {
  const { context } = input;
  const stream = context.stream;
  if (!stream) return undefined;
  const isInit = context.type === input.initType;
  if (!isInit && (context.type !== input.mediaType || !context.segment)) return undefined;
  const rendition = shakaRenditionKey(stream);
  if (!rendition) return undefined;
  let byteRange: ByteRange | undefined;
  try {
    byteRange = rangeFromHeader(input.rangeHeader);
  } catch {
    return undefined;
  }
  if (byteRange && byteRange.end === undefined && byteRange.start > 0) return undefined;
  const range: [number, number] | undefined =
    byteRange?.end !== undefined ? [byteRange.start, byteRange.end] : undefined;
  const urlKey = (input.segmentUrlKey ?? defaultSegmentUrlKey)(input.uri);
  const startTimeSec = context.segment ? context.segment.getStartTime() : input.positionSec;
  const endTimeSec = context.segment ? context.segment.getEndTime() : input.positionSec;
  return {
    id: segmentId(isInit ? "init" : "media", urlKey, range, undefined),
    swarmKey: `${input.streamKey}|${rendition}`,
    track: `${input.streamKey}|${stream.type}`,
    url: input.uri,
    byteRange: range ? { start: range[0], end: range[1] } : undefined,
    startTimeSec,
    durationSec: Math.max(0, endTimeSec - startTimeSec),
    live: input.live,
  };
}
