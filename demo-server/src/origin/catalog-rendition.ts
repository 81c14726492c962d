// Loads media playlists into catalog renditions and rewrites playlists into the origin's URL scheme:
// variants become `<rendition>/index.m3u8`, segments and init segments their keys (file names), so a
// served playlist resolves against `/streams/<stream>/vod/<rendition>/` whatever the folder layout was.
import { promises as fs } from "node:fs";
import path from "node:path";
import {
  extensionOf,
  fileKeyFromUri,
  renditionNameFromUri,
  resolveUriInside,
  uniqueName,
} from "./catalog-naming.js";
import { CatalogError } from "./catalog-types.js";
import type { CatalogFile, CatalogRendition, CatalogSegment } from "./catalog-types.js";
import { digestOfRange, sha256Hex, withDigests } from "./playlist-digests.js";
import { parseMediaPlaylist, replaceUriAttribute } from "./playlist-parser.js";
import type { ParsedMasterPlaylist } from "./playlist-parser.js";

const VARIANT_PLAYLIST_NAME = "index.m3u8";

export async function buildRendition(
  name: string,
  rootDir: string,
  playlistPath: string,
): Promise<CatalogRendition> {
  const text = await readText(playlistPath);
  const parsed = parseMediaPlaylist(text, playlistPath);
  const playlistDir = path.dirname(playlistPath);
  const usedKeys = new Set<string>([VARIANT_PLAYLIST_NAME]);
  const lines = [...parsed.lines];

  // One key per file: byte-range playlists name the same file many times (and may share it with
  // the init segment); each file is served once under one key.
  const keyByPath = new Map<string, string>();
  const keyFor = (uri: string, fallback: string, filePath: string): string => {
    let key = keyByPath.get(filePath);
    if (key === undefined)
      keyByPath.set(filePath, (key = uniqueKey(fileKeyFromUri(uri, fallback), usedKeys)));
    return key;
  };

  let init: CatalogFile | undefined;
  if (parsed.init !== undefined) {
    const extension = extensionOf(parsed.init.uri) || ".mp4";
    const filePath = resolveFile(rootDir, playlistDir, parsed.init.uri, playlistPath);
    const key = keyFor(parsed.init.uri, `init${extension}`, filePath);
    init = {
      key,
      filePath,
      extension,
      sizeBytes: await fileSize(filePath),
      sha256: await fileDigest(filePath),
    };
    lines[parsed.init.lineIndex] = replaceUriAttribute(lines[parsed.init.lineIndex] ?? "", key);
  }

  const segments: CatalogSegment[] = [];
  for (const [index, segment] of parsed.segments.entries()) {
    const extension = extensionOf(segment.uri);
    const filePath = resolveFile(rootDir, playlistDir, segment.uri, playlistPath);
    const key = keyFor(segment.uri, `seg-${index}${extension}`, filePath);
    const sizeBytes = await fileSize(filePath);
    const sha256 = await fileDigest(filePath);
    segments.push({ index, key, filePath, extension, sizeBytes, sha256, ...pick(segment) });
    lines[segment.lineIndex] = key;
  }

  const extraFiles = new Map<string, CatalogFile>();
  for (const [index, keyRef] of parsed.keys.entries()) {
    const extension = extensionOf(keyRef.uri) || ".key";
    const filePath = resolveFile(rootDir, playlistDir, keyRef.uri, playlistPath);
    const key = keyFor(keyRef.uri, `key-${index}${extension}`, filePath);
    extraFiles.set(key, { key, filePath, extension, sizeBytes: await fileSize(filePath) });
    lines[keyRef.lineIndex] = replaceUriAttribute(lines[keyRef.lineIndex] ?? "", key);
  }
  const vodOnlyReason = parsed.byteRanges
    ? "byte-range segments are served as VOD only"
    : parsed.keys.length > 0
      ? "encrypted segments are served as VOD only"
      : undefined;

  const maxDurationSec = Math.max(...segments.map((segment) => segment.durationSec));
  const byKey = new Map(segments.map((segment) => [segment.key, segment]));
  const files = new Map<string, CatalogFile>(byKey);
  if (init) files.set(init.key, init);
  // Byte-range playlists need the bytes of each range: read those files once more, here at start-up.
  const rangeBytes = new Map<string, Uint8Array>();
  for (const file of files.values()) {
    if (parsed.lines.some((line) => line.includes("BYTERANGE")))
      rangeBytes.set(file.key, await fs.readFile(file.filePath));
  }
  let vodPlaylist: string;
  try {
    vodPlaylist = withDigests(`${lines.join("\n")}\n`, (uri, range) => {
      const file = files.get(uri);
      if (!file) return undefined;
      const bytes = rangeBytes.get(uri);
      return range && bytes ? digestOfRange(bytes, range, `${playlistPath}: ${uri}`) : file.sha256;
    });
  } catch (error) {
    throw new CatalogError(`${playlistPath}: ${(error as Error).message}`);
  }
  return {
    name,
    playlistPath,
    // A target duration below the longest segment is a broken source; serve a valid one instead.
    targetDurationSec: Math.max(parsed.targetDurationSec, Math.round(maxDurationSec)),
    version: parsed.version,
    independentSegments: parsed.independentSegments,
    init,
    segments,
    // The first segment of a shared file stands for the file.
    segmentsByKey: new Map(segments.toReversed().map((segment) => [segment.key, segment])),
    extraFiles,
    ...(vodOnlyReason ? { vodOnlyReason } : {}),
    totalDurationSec: segments.reduce((sum, segment) => sum + segment.durationSec, 0),
    vodPlaylist,
  };
}

function pick(segment: { durationSec: number; discontinuity: boolean }) {
  return { durationSec: segment.durationSec, discontinuity: segment.discontinuity };
}

function uniqueKey(key: string, used: Set<string>): string {
  if (!used.has(key)) {
    used.add(key);
    return key;
  }
  const extension = path.posix.extname(key);
  const base = key.slice(0, key.length - extension.length);
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base}-${suffix}${extension}`;
    if (!used.has(candidate)) {
      used.add(candidate);
      return candidate;
    }
  }
}

/** Rewrites a master playlist's variants to `<rendition>/index.m3u8` and loads each rendition once. */
export async function rewriteMasterPlaylist(
  master: ParsedMasterPlaylist,
  rootDir: string,
  masterPath: string,
): Promise<{ masterPlaylist: string; renditions: CatalogRendition[] }> {
  const lines: (string | undefined)[] = [...master.lines];
  for (const index of master.iFrameLineIndexes) lines[index] = undefined;
  const byPath = new Map<string, CatalogRendition>();
  const usedNames = new Set<string>();
  for (const variant of master.variants) {
    const playlistPath = resolveFile(rootDir, path.dirname(masterPath), variant.uri, masterPath);
    let rendition = byPath.get(playlistPath);
    if (rendition === undefined) {
      const name = uniqueName(renditionNameFromUri(variant.uri, `r${byPath.size}`), usedNames);
      rendition = await buildRendition(name, rootDir, playlistPath);
      byPath.set(playlistPath, rendition);
    }
    const uri = `${rendition.name}/${VARIANT_PLAYLIST_NAME}`;
    const line = lines[variant.lineIndex] ?? "";
    lines[variant.lineIndex] = variant.kind === "media" ? replaceUriAttribute(line, uri) : uri;
  }
  const kept = lines.filter((line): line is string => line !== undefined);
  return { masterPlaylist: `${kept.join("\n")}\n`, renditions: [...byPath.values()] };
}

/** A one-variant master for a folder that only has a media playlist; BANDWIDTH is the peak segment rate. */
export function synthesizeMasterPlaylist(rendition: CatalogRendition): string {
  const peakBitsPerSec = Math.max(
    ...rendition.segments.map((segment) => (segment.sizeBytes * 8) / segment.durationSec),
  );
  return [
    "#EXTM3U",
    `#EXT-X-STREAM-INF:BANDWIDTH=${Math.ceil(peakBitsPerSec)}`,
    `${rendition.name}/${VARIANT_PLAYLIST_NAME}`,
    "",
  ].join("\n");
}

function resolveFile(rootDir: string, baseDir: string, uri: string, playlistPath: string): string {
  const resolved = resolveUriInside(rootDir, baseDir, uri);
  if (resolved === undefined) {
    throw new CatalogError(`${playlistPath}: URI "${uri}" is not a relative path inside ${rootDir}`);
  }
  return resolved;
}

async function readText(filePath: string): Promise<string> {
  try {
    return await fs.readFile(filePath, "utf8");
  } catch {
    throw new CatalogError(`cannot read playlist ${filePath}`);
  }
}

async function fileDigest(filePath: string): Promise<string> {
  return sha256Hex(await fs.readFile(filePath));
}

async function fileSize(filePath: string): Promise<number> {
  try {
    const stats = await fs.stat(filePath);
    if (stats.isFile()) return stats.size;
  } catch {
    // reported below
  }
  throw new CatalogError(`media file missing: ${filePath}`);
}
