// The stream catalog: every stream the origin serves, read from disk once at start-up. Requests are
// answered from these maps only; a URL naming anything not in them is a 404.
import { promises as fs } from "node:fs";
import path from "node:path";
import { isValidName } from "./catalog-naming.js";
import { buildRendition, rewriteMasterPlaylist, synthesizeMasterPlaylist } from "./catalog-rendition.js";
import { CatalogError } from "./catalog-types.js";
import type { Catalog, CatalogRendition, CatalogStream, HlsDirSpec } from "./catalog-types.js";
import { isMasterPlaylist, parseMasterPlaylist, PlaylistParseError } from "./playlist-parser.js";

export interface LoadCatalogOptions {
  /** Folder of stream subfolders; undefined = only `hlsDirs` (the demo media is not installed). */
  mediaDir: string | undefined;
  hlsDirs?: readonly HlsDirSpec[];
  /** Called for things the origin skips but can live without (e.g. I-frame playlists). */
  warn?: (message: string) => void;
}

export async function loadCatalog(options: LoadCatalogOptions): Promise<Catalog> {
  const warn = options.warn ?? (() => undefined);
  const streams = new Map<string, CatalogStream>();
  if (options.mediaDir !== undefined) {
    const mediaDir = path.resolve(options.mediaDir);
    for (const name of await listStreamFolders(mediaDir)) {
      streams.set(name, await loadStreamFolder(name, path.join(mediaDir, name), warn));
    }
    if (streams.size === 0) {
      throw new CatalogError(
        `no HLS stream (a subfolder with master.m3u8) found in media folder ${mediaDir}`,
      );
    }
  }
  for (const spec of options.hlsDirs ?? []) {
    const dir = path.resolve(spec.path);
    const name = spec.name ?? path.basename(dir);
    if (!isValidName(name)) {
      throw new CatalogError(`--hls-dir ${spec.path}: "${name}" is not a valid stream name (use name=path)`);
    }
    if (streams.has(name)) {
      throw new CatalogError(`--hls-dir ${spec.path}: stream name "${name}" is already used (use name=path)`);
    }
    streams.set(name, await loadStreamFolder(name, dir, warn));
  }
  return { streams };
}

async function listStreamFolders(mediaDir: string): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(mediaDir, { withFileTypes: true });
  } catch {
    throw new CatalogError(`media folder not found or not readable: ${mediaDir}`);
  }
  const names: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || !isValidName(entry.name)) continue;
    if (await isFile(path.join(mediaDir, entry.name, "master.m3u8"))) names.push(entry.name);
  }
  return names;
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/** Loads one stream folder: its `master.m3u8`, or its only master playlist, or its only media playlist. */
export async function loadStreamFolder(
  name: string,
  dir: string,
  warn: (message: string) => void = () => undefined,
): Promise<CatalogStream> {
  try {
    const playlistPath = await findTopPlaylist(dir);
    const text = await fs.readFile(playlistPath, "utf8");
    if (!isMasterPlaylist(text)) {
      const rendition = await buildRendition("main", dir, playlistPath);
      return makeStream(name, dir, synthesizeMasterPlaylist(rendition), [rendition]);
    }
    const master = parseMasterPlaylist(text, playlistPath);
    if (master.iFrameLineIndexes.length > 0) warn(`${playlistPath}: I-frame playlists are not served`);
    const { renditions, masterPlaylist } = await rewriteMasterPlaylist(master, dir, playlistPath);
    return makeStream(name, dir, masterPlaylist, renditions);
  } catch (error) {
    if (error instanceof CatalogError) throw error;
    if (error instanceof PlaylistParseError) throw new CatalogError(error.message);
    throw new CatalogError(`cannot load stream "${name}" from ${dir}: ${(error as Error).message}`);
  }
}

function makeStream(
  name: string,
  dir: string,
  masterPlaylist: string,
  renditions: readonly CatalogRendition[],
): CatalogStream {
  return {
    name,
    dir,
    masterPlaylist,
    renditions: new Map(renditions.map((rendition) => [rendition.name, rendition])),
    targetDurationSec: Math.max(...renditions.map((rendition) => rendition.targetDurationSec)),
  };
}

async function findTopPlaylist(dir: string): Promise<string> {
  let files: string[];
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    files = entries
      .filter((entry) => entry.isFile() && entry.name.endsWith(".m3u8"))
      .map((entry) => entry.name);
  } catch {
    throw new CatalogError(`HLS folder not found or not readable: ${dir}`);
  }
  if (files.includes("master.m3u8")) return path.join(dir, "master.m3u8");
  if (files.length === 1 && files[0] !== undefined) return path.join(dir, files[0]);
  const masters: string[] = [];
  for (const file of files) {
    if (isMasterPlaylist(await fs.readFile(path.join(dir, file), "utf8"))) masters.push(file);
  }
  if (masters.length === 1 && masters[0] !== undefined) return path.join(dir, masters[0]);
  throw new CatalogError(
    files.length === 0
      ? `no .m3u8 playlist in HLS folder ${dir}`
      : `HLS folder ${dir} has ${files.length} playlists and ${masters.length} master playlists; ` +
          "expected master.m3u8, one master playlist or a single media playlist",
  );
}
