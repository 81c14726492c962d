// The segments a media playlist has listed, as the digest service binds asks to them: keyed like the
// SDK keys segments (URL key + byte range), remembered for a grace period after they leave a live
// window (a viewer a little behind still asks about them), and re-issued under a new digest key when
// a name comes back after it had gone (an encoder restart or a loop reusing file names may put other
// bytes behind it). Pure: the caller passes the playlist and the time.
import type { MediaPlaylistIndex } from "./playlist-index.js";
import { parseHttpUrl, segmentBindingKey, type Range } from "./url-binding.js";

export interface ListedEntry {
  kind: "media" | "init";
  /** Absolute, as listed (resolved against the playlist's URL after redirects). */
  url: URL;
  range: Range | undefined;
  /** `EXT-X-PROGRAM-DATE-TIME` as written ("" without). */
  programDateTime: string;
  /** Identifies the bytes: playlist, URL key, range, date, and how often the name came back. */
  digestKey: string;
  /** In the latest listing. */
  listed: boolean;
  lastSeenMs: number;
  generation: number;
}

/** How long an entry outlives its last listing, ms: 6 target durations, at least 30 s. */
export function graceMs(targetDurationSec: number): number {
  return Math.max(30_000, 6 * targetDurationSec * 1000);
}

/**
 * Delay before the next poll of a followed live playlist, ms: half the target duration (RFC 8216
 * §6.3.4 reloads at the target duration, or half of it when nothing changed). Always half: a
 * playlist request is a few hundred bytes, and seeing a segment half a target duration sooner is
 * what lets its digest be ready before the first copy relayed by a viewer. Clamped to 0.5–5 s.
 */
export function pollDelayMs(targetDurationSec: number): number {
  const half = (targetDurationSec > 0 ? targetDurationSec : 2) * 500;
  return Math.min(5000, Math.max(500, half));
}

export class EntryTable {
  private readonly entries = new Map<string, ListedEntry>();
  targetDurationSec = 0;
  ended = false;
  /** Times a listing was applied. */
  listings = 0;

  /**
   * @param scope what digest keys are unique within: the playlist's key. Not the host an entry is
   *   listed on: a CDN that redirects playlist requests to changing edge hosts lists the same
   *   segments on other hosts each time, and that must not make them new segments.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly scope: string,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(bindingKey: string): ListedEntry | undefined {
    return this.entries.get(bindingKey);
  }

  /**
   * Applies one fetch of the playlist (its text indexed, `baseUrl` its URL after redirects). Returns
   * the entries new to this table or back after an absence, in playlist order; `removed` are those
   * forgotten (their digests are dropped by the caller).
   */
  apply(
    index: MediaPlaylistIndex,
    baseUrl: URL,
    nowMs: number,
  ): { added: ListedEntry[]; removed: ListedEntry[] } {
    this.targetDurationSec = index.targetDurationSec;
    this.ended = index.ended;
    this.listings++;
    const added: ListedEntry[] = [];
    const seen = new Set<string>();
    for (const item of index.entries) {
      const url = parseHttpUrl(item.uri, baseUrl);
      if (url === undefined) continue;
      const bindingKey = segmentBindingKey(url, item.range);
      if (seen.has(bindingKey)) continue;
      seen.add(bindingKey);
      const known = this.entries.get(bindingKey);
      const date = item.programDateTime ?? "";
      if (known?.listed && known.programDateTime === date) {
        known.url = url;
        known.lastSeenMs = nowMs;
        continue;
      }
      const generation = (known?.generation ?? -1) + 1;
      const entry: ListedEntry = {
        kind: item.kind,
        url,
        range: item.range,
        programDateTime: date,
        digestKey: `${this.scope} ${bindingKey}|${date}|${generation}`,
        listed: true,
        lastSeenMs: nowMs,
        generation,
      };
      this.entries.delete(bindingKey);
      this.entries.set(bindingKey, entry);
      added.push(entry);
    }
    for (const [key, entry] of this.entries) if (!seen.has(key)) entry.listed = false;
    return { added, removed: this.sweep(nowMs) };
  }

  /** Forgets entries unlisted for longer than the grace period, and the oldest beyond the bound. */
  sweep(nowMs: number): ListedEntry[] {
    const removed: ListedEntry[] = [];
    const cutoff = nowMs - graceMs(this.targetDurationSec);
    for (const [key, entry] of this.entries) {
      if (this.entries.size > this.maxEntries || (!entry.listed && entry.lastSeenMs < cutoff)) {
        this.entries.delete(key);
        removed.push(entry);
      }
    }
    return removed;
  }
}
