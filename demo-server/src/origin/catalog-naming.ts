// Pure naming rules of the catalog. Every name that later appears in a URL (stream, rendition, segment
// key) is checked here once, at start-up, so request handling only ever looks names up in maps and never
// builds a file path from URL text.
import path from "node:path";

/** Stream, rendition and segment names: safe in a URL path segment and in a file name, never `.`/`..`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Turns arbitrary text into a valid name (`fallback` when nothing usable is left). */
export function sanitizeName(text: string, fallback: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 128);
  return isValidName(cleaned) ? cleaned : fallback;
}

/** Returns `name`, or `name-2`, `name-3`… if already taken; records the result in `used`. */
export function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let suffix = 2; used.has(candidate); suffix++) candidate = `${name}-${suffix}`;
  used.add(candidate);
  return candidate;
}

/** Strips a query string or fragment from a playlist URI. */
function uriPath(uri: string): string {
  return uri.replace(/[?#].*$/, "");
}

/**
 * Rendition name for a variant URI: the folder holding the media playlist (`360p/index.m3u8` → `360p`),
 * else the playlist's file name without extension (`stream_1.m3u8` → `stream_1`).
 */
export function renditionNameFromUri(uri: string, fallback: string): string {
  const parts = uriPath(uri)
    .split("/")
    .filter((part) => part !== "" && part !== ".");
  const folder = parts.length >= 2 ? parts[parts.length - 2] : undefined;
  const file = parts[parts.length - 1] ?? "";
  const base = folder !== undefined && folder !== ".." ? folder : file.replace(/\.[^.]*$/, "");
  return sanitizeName(safeDecode(base) ?? base, fallback);
}

/** Name a segment or init segment is served under: its file name when valid, else `fallback`. */
export function fileKeyFromUri(uri: string, fallback: string): string {
  const file = uriPath(uri).split("/").pop() ?? "";
  const decoded = safeDecode(file);
  return decoded !== undefined && isValidName(decoded) && decoded !== "index.m3u8" ? decoded : fallback;
}

/** File extension of a URI path, lower-case with the dot (`.ts`), or "" when there is none. */
export function extensionOf(uri: string): string {
  return path.posix.extname(uriPath(uri)).toLowerCase();
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a playlist URI to a file inside `rootDir`. Returns undefined for absolute URLs, absolute
 * paths, undecodable text and anything that would leave `rootDir` (`../`), so a playlist cannot make the
 * origin serve files outside the folder it was given.
 */
export function resolveUriInside(rootDir: string, playlistDir: string, uri: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri) || uri.startsWith("/") || uri.startsWith("\\")) return undefined;
  const decoded = safeDecode(uriPath(uri));
  if (decoded === undefined || decoded === "" || decoded.includes("\0")) return undefined;
  const resolved = path.resolve(playlistDir, decoded);
  const relative = path.relative(rootDir, resolved);
  const escapes = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (relative === "" || escapes) return undefined;
  return resolved;
}
