// `nearcast-server digests <dir> [--check]`: publish Nearcast's SHA-256 segment digests in every media
// playlist under an HLS folder on disk (a VOD packager's output), in place. Running it again after the
// media changed rewrites the digests; running it twice changes nothing. `--check` only reports
// playlists whose digests are missing or stale (exit 1), for CI of a media pipeline. Any error (bad
// arguments, no folder, no playlist, a missing or outside file) exits 2, so a `--check` in CI tells
// "the digests need a refresh" from "the command could not run".
import { promises as fs } from "node:fs";
import path from "node:path";
import {
  digestOfRange,
  MAP_DIGEST_TAG,
  SEGMENT_DIGEST_TAG,
  withDigests,
} from "../origin/playlist-digests.js";

export const DIGESTS_USAGE = `Usage: nearcast-server digests <dir> [--check]

Adds #EXT-X-NEARCAST-SHA256 (before each segment URI) and #EXT-X-NEARCAST-MAP-SHA256 (after each
EXT-X-MAP) to every media playlist (*.m3u8 with #EXTINF) under <dir>, in place. Segment URIs must be
relative paths to files inside <dir>; byte ranges (EXT-X-BYTERANGE) are hashed range by range.
  --check   change nothing; exit 1 if any playlist's digests are missing or out of date

Exit codes: 0 done (or, with --check, up to date); 1 digests missing or stale (--check only);
2 an error: bad arguments, not a folder, no media playlist, a URI that is not a file in <dir>.
`;

/** A problem the user must fix (bad argument, URI outside the folder, missing file); names the path. */
export class DigestsError extends Error {
  override name = "DigestsError";
}

export interface PlaylistDigestResult {
  playlist: string;
  segments: number;
  initSegments: number;
  changed: boolean;
}

/** Digest every media playlist under `dir`; with `check`, write nothing. */
export async function digestFolder(dir: string, check = false): Promise<PlaylistDigestResult[]> {
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new DigestsError(`not a folder: ${root}`);
  const results: PlaylistDigestResult[] = [];
  for (const playlist of await findPlaylists(root)) {
    const text = await fs.readFile(playlist, "utf8");
    if (!/^#EXTINF:/m.test(text)) continue;
    const files = new Map<string, Uint8Array>();
    for (const uri of referencedUris(text)) files.set(uri, await readInside(root, playlist, uri));
    let updated: string;
    try {
      updated = withDigests(text, (uri, range) =>
        digestOfRange(files.get(uri)!, range, `${playlist}: ${uri}`),
      );
    } catch (error) {
      throw new DigestsError(`${playlist}: ${(error as Error).message}`);
    }
    const changed = updated !== text;
    if (changed && !check) await fs.writeFile(playlist, updated);
    results.push({
      playlist,
      segments: countLines(updated, `${SEGMENT_DIGEST_TAG}:`),
      initSegments: countLines(updated, `${MAP_DIGEST_TAG}:`),
      changed,
    });
  }
  return results;
}

async function findPlaylists(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findPlaylists(full)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith(".m3u8")) found.push(full);
  }
  return found.sort();
}

/** Segment URIs and EXT-X-MAP URIs of a media playlist. */
function referencedUris(text: string): Set<string> {
  const uris = new Set<string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const map = /^#EXT-X-MAP:.*URI="([^"]*)"/.exec(line);
    if (map) uris.add(map[1]!);
    else if (line !== "" && !line.startsWith("#")) uris.add(line);
  }
  return uris;
}

async function readInside(root: string, playlist: string, uri: string): Promise<Uint8Array> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith("/")) {
    throw new DigestsError(
      `${playlist}: URI "${uri}" is not a relative path (only local files can be hashed)`,
    );
  }
  const file = path.resolve(path.dirname(playlist), decodeURIComponent(uri.split(/[?#]/)[0]!));
  if (file !== root && !file.startsWith(root + path.sep)) {
    throw new DigestsError(`${playlist}: URI "${uri}" points outside ${root}`);
  }
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch {
    throw new DigestsError(`${playlist}: media file missing: ${file}`);
  }
}

function countLines(text: string, prefix: string): number {
  return text.split("\n").filter((line) => line.startsWith(prefix)).length;
}

/** The subcommand's entry: prints one line per playlist; returns the exit code (see DIGESTS_USAGE). */
export async function runDigestsCommand(
  args: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    out(DIGESTS_USAGE);
    return 0;
  }
  const check = args.includes("--check");
  const rest = args.filter((arg) => arg !== "--check");
  if (rest.length !== 1 || rest[0]!.startsWith("-")) {
    err(`error: digests needs exactly one folder\n${DIGESTS_USAGE}`);
    return 2;
  }
  try {
    const results = await digestFolder(rest[0]!, check);
    if (results.length === 0) {
      err(`error: no media playlist (*.m3u8 with #EXTINF) under ${path.resolve(rest[0]!)}`);
      return 2;
    }
    for (const r of results) {
      const what = check
        ? r.changed
          ? "missing or stale digests"
          : "up to date"
        : r.changed
          ? "updated"
          : "unchanged";
      out(`${r.playlist}: ${r.segments} segments, ${r.initSegments} init segments — ${what}`);
    }
    return check && results.some((r) => r.changed) ? 1 : 0;
  } catch (error) {
    err(`error: ${(error as Error).message}`);
    return 2;
  }
}
