import { MAX_LABEL_CHARS } from "./constants.js";

/** Where a reported streamId belongs. */
export interface StreamIdentity {
  /**
   * Aggregation key. Reports of one demo-origin stream and mode share a key whatever host the player
   * used (`localhost`, `127.0.0.1`…), since the origin counts them as one; any other id is its own key.
   */
  key: string;
  /** Short human name: `demo/live` for an origin stream, else the URL path (or the id) shortened. */
  name: string;
  /** The origin stream whose byte counter measures this stream, if any. */
  originStream: string | undefined;
}

/** The key and label of the overflow bucket for streams beyond MAX_STREAMS (and in metrics). */
export const OTHER_STREAM = "other";

const ORIGIN_PATH = /^\/streams\/([^/]+)\/(live|vod)\//;

/**
 * Maps a report's streamId (normally the manifest URL without per-viewer query parameters) to its stream. `isOriginStream`
 * says whether a name is in the origin's catalog: a path that merely looks like an origin URL is not
 * compared with the origin's counters.
 */
export function identifyStream(streamId: string, isOriginStream: (name: string) => boolean): StreamIdentity {
  const path = urlPathOf(streamId);
  if (path !== undefined) {
    const match = ORIGIN_PATH.exec(path);
    const origin = match?.[1] !== undefined ? safeDecode(match[1]) : undefined;
    if (match !== null && origin !== undefined && isOriginStream(origin)) {
      const name = `${origin}/${match[2] ?? ""}`;
      return { key: `origin:${name}`, name: shorten(name), originStream: origin };
    }
  }
  return { key: `id:${streamId}`, name: shorten(path ?? streamId), originStream: undefined };
}

/** The path of an absolute http(s) URL, else undefined (the page may use any string as streamId). */
function urlPathOf(streamId: string): string | undefined {
  if (!/^https?:\/\//i.test(streamId)) return undefined;
  try {
    return new URL(streamId).pathname;
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Keeps the end of a long name: the last path segments say the most (`…/channel-7/master.m3u8`). */
export function shorten(name: string, maxChars = MAX_LABEL_CHARS): string {
  const clean = name === OTHER_STREAM ? `${name}~` : name;
  return clean.length <= maxChars ? clean : `…${clean.slice(clean.length - maxChars + 1)}`;
}
