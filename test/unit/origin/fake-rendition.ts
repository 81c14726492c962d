// In-memory catalog entries for the pure live-playlist tests: no files needed.
import type {
  CatalogRendition,
  CatalogSegment,
  CatalogStream,
} from "../../../demo-server/src/origin/catalog-types.js";

export interface FakeRenditionOptions {
  /** Segment durations in seconds; default five segments of 2 s. */
  durationsSec?: number[];
  /** Source indexes preceded by EXT-X-DISCONTINUITY in the VOD playlist. */
  discontinuities?: number[];
  extension?: string;
  withInit?: boolean;
}

export function fakeRendition(options: FakeRenditionOptions = {}): CatalogRendition {
  const durations = options.durationsSec ?? [2, 2, 2, 2, 2];
  const extension = options.extension ?? ".ts";
  const segments: CatalogSegment[] = durations.map((durationSec, index) => ({
    index,
    key: `seg-${String(index).padStart(5, "0")}${extension}`,
    filePath: `/media/fake/seg-${index}${extension}`,
    sizeBytes: 1000 + index,
    extension,
    durationSec,
    discontinuity: options.discontinuities?.includes(index) ?? false,
  }));
  return {
    name: "360p",
    playlistPath: "/media/fake/index.m3u8",
    targetDurationSec: Math.max(...durations.map((duration) => Math.round(duration))),
    version: options.withInit === true ? 7 : 3,
    independentSegments: true,
    init:
      options.withInit === true
        ? { key: "init.mp4", filePath: "/media/fake/init.mp4", sizeBytes: 800, extension: ".mp4" }
        : undefined,
    segments,
    segmentsByKey: new Map(segments.map((segment) => [segment.key, segment])),
    totalDurationSec: durations.reduce((sum, duration) => sum + duration, 0),
    vodPlaylist: "#EXTM3U\n",
  };
}

export function fakeStream(rendition: CatalogRendition): CatalogStream {
  return {
    name: "fake",
    dir: "/media/fake",
    masterPlaylist: "#EXTM3U\n",
    renditions: new Map([[rendition.name, rendition]]),
    targetDurationSec: rendition.targetDurationSec,
  };
}

/** Media sequence numbers listed in a playlist, in order. */
export function listedMsns(playlist: string): number[] {
  return [...playlist.matchAll(/^seg-live-(\d+)\.\w+$/gm)].map((match) => Number(match[1]));
}

/** The msn of each segment preceded by EXT-X-DISCONTINUITY. */
export function discontinuityMsns(playlist: string): number[] {
  const lines = playlist.split("\n");
  const result: number[] = [];
  lines.forEach((line, index) => {
    if (line !== "#EXT-X-DISCONTINUITY") return;
    const uri = lines.slice(index + 1).find((next) => next.startsWith("seg-live-"));
    if (uri !== undefined) result.push(Number(/seg-live-(\d+)/.exec(uri)?.[1]));
  });
  return result;
}

export function tagValue(playlist: string, tag: string): string | undefined {
  return new RegExp(`^${tag}:(.*)$`, "m").exec(playlist)?.[1];
}
