// Where a media URL of the demo origin sits: `/streams/<stream>/<mode>/<rendition>/<file>`. The
// bench uses it to tell the origin's bytes for segments some player has already played from bytes
// fetched ahead of every player when the run ends.

export interface MediaKey {
  /** `<stream>/<rendition>`, as the origin's counters are keyed. */
  rendition: string;
  /** The file's sequence number (`seg-00012.ts` → 12, `seg-live-812.ts` → 812); null for init.mp4. */
  sequence: number | null;
}

/** The trailing number of a media file name, or null if it has none. */
export function sequenceOf(fileName: string): number | null {
  const match = /(\d+)\.[A-Za-z0-9]+$/.exec(fileName);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** null for anything that is not an origin media URL. */
export function mediaKeyOf(url: string): MediaKey | null {
  let pathname: string;
  try {
    pathname = new URL(url, "http://localhost").pathname;
  } catch {
    return null;
  }
  const parts = pathname.split("/");
  if (parts.length !== 6 || parts[1] !== "streams") return null;
  const [, , stream, , rendition, file] = parts;
  if (!stream || !rendition || !file) return null;
  return { rendition: `${stream}/${rendition}`, sequence: sequenceOf(file) };
}
