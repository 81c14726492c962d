// The stream the simulated viewers watch: the demo stream's real renditions (segment sizes and
// durations read from demo-server/media), played as the demo origin plays them live: the VOD
// looped forever, a segment listed once it has completely "happened", a sliding window of
// `windowSegments`, and the first viewer finding a full window (demo-server/src/origin/live-playlist.ts).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface SimRendition {
  name: string;
  /** Per source segment: size in bytes and duration in seconds. */
  segments: { bytes: number; durationSec: number }[];
  targetDurationSec: number;
  /** Mean bit rate, bits per second. */
  bitrateBps: number;
}

const MEDIA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../demo-server/media/demo");

/** Read one rendition of the demo stream from disk (its playlist and the files' sizes). */
export function loadRendition(name: string, mediaDir = MEDIA_DIR): SimRendition {
  if (!/^[a-z0-9_-]{1,32}$/i.test(name)) throw new Error(`bad rendition name "${name}"`);
  const dir = path.join(mediaDir, name);
  const text = readFileSync(path.join(dir, "index.m3u8"), "utf8");
  const segments: SimRendition["segments"] = [];
  let duration: number | undefined;
  let target = 0;
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith("#EXT-X-TARGETDURATION:")) target = Number(t.slice(22));
    else if (t.startsWith("#EXTINF:")) duration = Number.parseFloat(t.slice(8));
    else if (t !== "" && !t.startsWith("#")) {
      if (duration === undefined || !(duration > 0)) throw new Error(`${dir}: segment ${t} has no duration`);
      segments.push({ bytes: statSync(path.join(dir, t)).size, durationSec: duration });
      duration = undefined;
    }
  }
  if (segments.length === 0) throw new Error(`${dir}: no segments`);
  const bytes = segments.reduce((s, x) => s + x.bytes, 0);
  const seconds = segments.reduce((s, x) => s + x.durationSec, 0);
  return { name, segments, targetDurationSec: target || 2, bitrateBps: (bytes * 8) / seconds };
}

/**
 * A live rendition on the simulated clock. Media sequence m is source segment m mod n; segments
 * are assumed of equal duration (the demo's are all 2 s), so m is listed from `availableAtMs(m)`.
 */
export class LiveStream {
  readonly segmentMs: number;

  constructor(
    readonly rendition: SimRendition,
    /** Segments listed in the live playlist (the demo origin's default is 20). */
    readonly windowSegments = 20,
    /** Virtual time at which media sequence 0 started; by default a full window exists at time 0. */
    readonly liveStartMs = -windowSegments * rendition.segments[0]!.durationSec * 1000,
  ) {
    this.segmentMs = rendition.segments[0]!.durationSec * 1000;
  }

  bytesOf(msn: number): number {
    return this.rendition.segments[msn % this.rendition.segments.length]!.bytes;
  }

  /** When segment `msn` has completely happened and is listed. */
  availableAtMs(msn: number): number {
    return this.liveStartMs + (msn + 1) * this.segmentMs;
  }

  /** Segments listed at `nowMs`: [first, last], or undefined before the first one. */
  window(nowMs: number): { first: number; last: number } | undefined {
    const produced = Math.floor((nowMs - this.liveStartMs) / this.segmentMs);
    if (produced <= 0) return undefined;
    return { first: Math.max(0, produced - this.windowSegments), last: produced - 1 };
  }
}
