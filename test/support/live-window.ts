// Turns a VOD media playlist into a live one on a wall clock: the shapes the demo origin cannot
// express (a live stream that ends, per-viewer tokens, an init-segment change at a discontinuity,
// AES keys) need the segment entries kept exactly as the author wrote them. Pure: (playlist, now).
//
// msn m is source entry m mod n of loop floor(m / n); it is listed once it has completely happened.
// Every loop after the first starts with EXT-X-DISCONTINUITY; EXT-X-MAP / EXT-X-KEY in effect at the
// window start are repeated at its top, as RFC 8216 §6.2.1 requires of a server.

export interface SourceEntry {
  durationSec: number;
  /** The segment's own tags (EXTINF, BYTERANGE, …) and URI line, as written. */
  lines: string[];
  discontinuity: boolean;
  /** The EXT-X-MAP / EXT-X-KEY lines in effect for this entry ("" = none). */
  map: string;
  key: string;
}

export interface SourcePlaylist {
  targetDurationSec: number;
  version: number;
  entries: SourceEntry[];
}

export interface LiveOptions {
  /** Epoch ms at which msn 0 started. */
  startMs: number;
  windowSegments: number;
  /**
   * Ended live: the stream is `loops` passes over the source; when all but `finalBatch` segments
   * exist, the next refresh lists the rest together with EXT-X-ENDLIST. Undefined = loops forever.
   */
  ending?: { loops: number; finalBatch: number };
}

export function parseSourcePlaylist(text: string): SourcePlaylist {
  const entries: SourceEntry[] = [];
  let targetDurationSec = 0;
  let version = 3;
  let pending: string[] = [];
  let duration = 0;
  let discontinuity = false;
  let map = "";
  let key = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line === "#EXTM3U") continue;
    if (line.startsWith("#EXT-X-TARGETDURATION:")) targetDurationSec = Number(line.split(":")[1]);
    else if (line.startsWith("#EXT-X-VERSION:")) version = Number(line.split(":")[1]);
    else if (line.startsWith("#EXT-X-MAP:")) map = line;
    else if (line.startsWith("#EXT-X-KEY:")) key = line;
    else if (line === "#EXT-X-DISCONTINUITY") discontinuity = true;
    else if (line.startsWith("#EXTINF:")) {
      duration = Number(line.slice(8).split(",")[0]);
      pending.push(line);
    } else if (line.startsWith("#EXT-X-BYTERANGE:")) pending.push(line);
    else if (!line.startsWith("#")) {
      entries.push({ durationSec: duration, lines: [...pending, line], discontinuity, map, key });
      pending = [];
      discontinuity = false;
    }
  }
  if (entries.length === 0) throw new Error("source playlist has no segments");
  return { targetDurationSec, version, entries };
}

/** Segments (msn 0 … count−1) completely produced by `nowMs`. */
export function producedCount(source: SourcePlaylist, nowMs: number, startMs: number): number {
  const loopSec = source.entries.reduce((sum, e) => sum + e.durationSec, 0);
  let elapsed = (nowMs - startMs) / 1000;
  if (elapsed <= 0) return 0;
  const loops = Math.floor(elapsed / loopSec);
  elapsed -= loops * loopSec;
  let count = loops * source.entries.length;
  for (const entry of source.entries) {
    if (elapsed + 1e-9 < entry.durationSec) break;
    elapsed -= entry.durationSec;
    count++;
  }
  return count;
}

function isDiscontinuity(source: SourcePlaylist, msn: number): boolean {
  const n = source.entries.length;
  return (msn > 0 && msn % n === 0) || (source.entries[msn % n]?.discontinuity ?? false);
}

/** The live media playlist at `nowMs`. */
export function livePlaylist(source: SourcePlaylist, nowMs: number, options: LiveOptions): string {
  const n = source.entries.length;
  let last = producedCount(source, nowMs, options.startMs);
  let ended = false;
  if (options.ending) {
    const total = options.ending.loops * n;
    if (last >= total - options.ending.finalBatch) {
      last = total;
      ended = true;
    }
  }
  const first = Math.max(
    0,
    last - (ended ? options.windowSegments + options.ending!.finalBatch : options.windowSegments),
  );
  // The first listed segment's discontinuity sequence number (RFC 8216 §4.3.3.3): every
  // discontinuity up to and including it. Its own EXT-X-DISCONTINUITY tag is not repeated below.
  let discontinuitySequence = 0;
  for (let msn = 0; msn <= first; msn++) if (isDiscontinuity(source, msn)) discontinuitySequence++;
  const out = [
    "#EXTM3U",
    `#EXT-X-VERSION:${Math.max(source.version, 6)}`,
    `#EXT-X-TARGETDURATION:${source.targetDurationSec}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitySequence}`,
  ];
  let map = "";
  let key = "";
  for (let msn = first; msn < last; msn++) {
    const entry = source.entries[msn % n]!;
    if (msn > first && isDiscontinuity(source, msn)) out.push("#EXT-X-DISCONTINUITY");
    if (entry.key !== key) out.push((key = entry.key) || "#EXT-X-KEY:METHOD=NONE");
    if (entry.map !== map && entry.map) out.push((map = entry.map));
    out.push(...entry.lines);
  }
  if (ended) out.push("#EXT-X-ENDLIST");
  return `${out.join("\n")}\n`;
}
