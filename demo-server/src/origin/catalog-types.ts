// Data model of the stream catalog (see catalog.ts), shared by the loader and the request handlers.

/** A fatal start-up problem with the media: the message names the path. */
export class CatalogError extends Error {
  override name = "CatalogError";
}

export interface CatalogFile {
  /** Name the file is served under (last path segment of its URL). */
  key: string;
  filePath: string;
  sizeBytes: number;
  /** Lower-case extension with the dot, e.g. `.ts`, `.m4s`, `.mp4`. */
  extension: string;
  /** SHA-256 of the whole file, hex, published in playlists (`#EXT-X-NEARCAST-SHA256`). */
  sha256?: string;
}

export interface CatalogSegment extends CatalogFile {
  index: number;
  durationSec: number;
  /** The source playlist has an `EXT-X-DISCONTINUITY` before this segment. */
  discontinuity: boolean;
}

export interface CatalogRendition {
  name: string;
  playlistPath: string;
  targetDurationSec: number;
  version: number | undefined;
  independentSegments: boolean;
  init: CatalogFile | undefined;
  segments: readonly CatalogSegment[];
  segmentsByKey: ReadonlyMap<string, CatalogSegment>;
  totalDurationSec: number;
  /**
   * The source media playlist with segment/init URIs rewritten to their keys and a SHA-256 digest tag
   * for every segment and init segment (see playlist-digests.ts).
   */
  vodPlaylist: string;
  /** Other files the VOD playlist names: AES keys (`EXT-X-KEY` URIs). */
  extraFiles?: ReadonlyMap<string, CatalogFile>;
  /**
   * Why this rendition is served as VOD only (byte ranges into shared files, encryption keys: the
   * simulated live origin renames segments per sequence number, which neither survives).
   */
  vodOnlyReason?: string;
}

export interface CatalogStream {
  name: string;
  dir: string;
  /** Master playlist with variant URIs rewritten to `<rendition>/index.m3u8`. */
  masterPlaylist: string;
  renditions: ReadonlyMap<string, CatalogRendition>;
  /** Largest target duration of any rendition; the live clock's unit of pre-roll. */
  targetDurationSec: number;
}

export interface Catalog {
  streams: ReadonlyMap<string, CatalogStream>;
}

/** An extra HLS folder to serve (`--hls-dir [name=]path`). */
export interface HlsDirSpec {
  /** Stream name; default: the folder's base name. */
  name?: string;
  path: string;
}
