// Which URLs a digest request may make the service fetch, by the SDK's own identity rules
// (docs/integrity.md): a stream key is the manifest URL without per-viewer query parameters, a
// playlist is known by scheme, host, path and content query, a segment by path, content query and
// byte range. Pure: strings in, keys and URLs out.
import { contentQuery, defaultSegmentUrlKey, defaultStreamKey } from "nearcast";

/** `[start, end)` in bytes. */
export type Range = readonly [start: number, end: number];

/** An http(s) URL without credentials, or undefined. Never throws. */
export function parseHttpUrl(text: string, base?: string | URL): URL | undefined {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  // userinfo would be sent to the origin as Basic credentials chosen by the asker.
  if (url.username !== "" || url.password !== "") return undefined;
  url.hash = "";
  return url;
}

/**
 * A manifest or media playlist's key: scheme, host, port, path and the query without per-viewer
 * parameters — the SDK's stream-key rule, on a parsed (normalised) URL so both sides compare alike.
 */
export function resourceKey(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${contentQuery(url.search)}`;
}

/** A segment's key within its playlist: the SDK's URL key (path + content query) and byte range. */
export function segmentBindingKey(url: URL, range: Range | undefined): string {
  return `${defaultSegmentUrlKey(url.href)} ${range ? `${range[0]}-${range[1]}` : "-"}`;
}

/**
 * Whether the asker's manifest URL is the stream its swarm key names: the SDK's default stream key
 * of that URL followed by `|` and a rendition key. A page-chosen `streamId` never matches (its
 * playlists need an operator-allowed origin instead).
 */
export function manifestMatchesSwarm(manifestUrl: string, swarmKey: string): boolean {
  const streamKey = defaultStreamKey(manifestUrl);
  return swarmKey.length > streamKey.length + 1 && swarmKey.startsWith(`${streamKey}|`);
}

/**
 * The URL to fetch a listed segment from: the host the playlist lists it on (never one the asker
 * chose: a digest of another server's bytes would be served to the whole swarm as the origin's) with
 * the asker's path and query, which carry its CDN token and match the listed entry by key.
 */
export function segmentFetchUrl(listed: URL, asked: URL): URL {
  const url = new URL(listed.href);
  url.pathname = asked.pathname;
  url.search = asked.search;
  return url;
}
