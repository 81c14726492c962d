// Media playlists the digest service knows: each fetched when first asked about and again when an
// ask names a segment it has not seen (the asker's copy may be newer, or personalised), and — for a
// live playlist of a swarm large enough to be served — followed on a timer so that digests of new
// segments are computed as they appear, before viewers relay them. A follow stops when no swarm it
// serves is large enough, nobody has asked for a while, or the playlist ends.
import type { FetchFailure, TextBody } from "./origin-fetch.js";
import { EntryTable, pollDelayMs, type ListedEntry } from "./entry-table.js";
import { indexMediaPlaylist } from "./playlist-index.js";

export interface FollowHooks {
  fetchText(url: URL): Promise<TextBody | FetchFailure>;
  /** Starts computing an entry's digest (fire and forget). */
  precompute(entry: ListedEntry): void;
  /** An entry was forgotten: its digest goes too. */
  forget(entry: ListedEntry): void;
  /** Whether any of these swarms (info-hash hex) is still served. Never rejects. */
  worthFollowing(swarms: readonly string[]): Promise<boolean>;
  now(): number;
  maxEntries: number;
  /** Newest segments hashed when a live playlist is first listed. */
  precomputeTail: number;
}

export type RefreshOutcome = { ok: true } | FetchFailure | { ok: false; reason: "bad_playlist" };

/** At most one refresh for asks about unknown segments per playlist in this time, ms. */
const ASK_REFRESH_INTERVAL_MS = 250;
/** Swarms remembered per playlist (renditions of one stream rarely share a playlist). */
const MAX_SWARMS_PER_PLAYLIST = 16;

/** A follow stops after this long without an ask, ms: 10 target durations, at least 60 s. */
export function idleStopMs(targetDurationSec: number): number {
  return Math.max(60_000, 10 * targetDurationSec * 1000);
}

export class FollowedPlaylist {
  readonly table: EntryTable;
  /** Info-hash hex → last ask, ms. */
  readonly swarms = new Map<string, number>();
  lastAskMs: number;
  following = false;
  private fetchUrl: URL;
  private refreshing: Promise<RefreshOutcome> | undefined;
  private lastAskRefreshMs = -Infinity;
  /** A refresh for asks that has not started yet (asks arriving now join it). */
  private askRefresh: Promise<RefreshOutcome> | undefined;
  private readonly delays = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    readonly key: string,
    url: URL,
    private readonly hooks: FollowHooks,
  ) {
    this.table = new EntryTable(hooks.maxEntries, key);
    this.fetchUrl = url;
    this.lastAskMs = hooks.now();
  }

  /** An ask arrived for this playlist from a member of `infoHash`. */
  noteAsk(infoHash: string): void {
    const now = this.hooks.now();
    this.lastAskMs = now;
    this.swarms.delete(infoHash);
    this.swarms.set(infoHash, now);
    if (this.swarms.size > MAX_SWARMS_PER_PLAYLIST) this.swarms.delete(this.swarms.keys().next().value!);
  }

  /**
   * The first listing: fetched with the asker's URL unless one is known already. While it fails,
   * asks share the spaced refreshes of {@link refreshForAsk}: a down origin gets at most 4 playlist
   * requests a second from the service, however many ask.
   */
  ready(askUrl: URL): Promise<RefreshOutcome> {
    if (this.table.listings > 0) return Promise.resolve({ ok: true });
    // Without any listing yet, a fetch in progress is as good as a new one.
    return this.refreshing ?? this.refreshForAsk(askUrl);
  }

  /**
   * An ask named segments the table lacks: fetch the playlist with the asker's own URL (its view may
   * be newer or personalised). Asks share a refresh that has not started yet; one that started
   * before the ask may predate the asker's view, so the next one starts after it, and never sooner
   * than {@link ASK_REFRESH_INTERVAL_MS} after the previous start (a bound on what asks can make
   * the service fetch).
   */
  refreshForAsk(askUrl: URL): Promise<RefreshOutcome> {
    if (this.askRefresh !== undefined) return this.askRefresh;
    const scheduled = (this.refreshing ?? Promise.resolve())
      .then(() => this.delay(this.lastAskRefreshMs + ASK_REFRESH_INTERVAL_MS - this.hooks.now()))
      .then((): Promise<RefreshOutcome> | RefreshOutcome => {
        this.askRefresh = undefined;
        this.lastAskRefreshMs = this.hooks.now();
        return this.closed ? { ok: true } : this.refresh(askUrl);
      });
    this.askRefresh = scheduled;
    return scheduled;
  }

  /** Starts polling a live playlist (no-op when following, ended or closed). */
  follow(): void {
    if (this.following || this.closed || this.table.ended) return;
    this.following = true;
    this.schedule();
  }

  /** Idempotent: stops polling. */
  close(): void {
    this.closed = true;
    this.following = false;
    clearTimeout(this.timer);
    for (const release of this.delays) release();
  }

  /** Resolves after `ms` (at once if ≤ 0), or when the playlist closes. */
  private delay(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.delays.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.delays.add(release);
    });
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.tick(), pollDelayMs(this.table.targetDurationSec));
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const idle = this.hooks.now() - this.lastAskMs > idleStopMs(this.table.targetDurationSec);
    if (idle || !(await this.hooks.worthFollowing([...this.swarms.keys()]))) {
      this.following = false;
      return;
    }
    await this.refresh(undefined);
    if (this.closed || this.table.ended) this.following = false;
    else this.schedule();
  }

  /** One fetch at a time; a caller arriving meanwhile shares it. */
  private refresh(preferred: URL | undefined): Promise<RefreshOutcome> {
    this.refreshing ??= this.fetchAndApply(preferred).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Tries the preferred URL, then the last one that worked (another viewer's token may still be good). */
  private async fetchAndApply(preferred: URL | undefined): Promise<RefreshOutcome> {
    const tries = [preferred, this.fetchUrl].filter(
      (url, i, all): url is URL =>
        url !== undefined && all.findIndex((other) => other?.href === url.href) === i,
    );
    let outcome: RefreshOutcome = { ok: false, reason: "origin_unreachable", transferred: 0 };
    for (const url of tries) {
      const result = await this.hooks.fetchText(url);
      if (this.closed) return outcome;
      if (!result.ok) {
        outcome = result;
        if (result.reason === "address_not_allowed") break;
        continue;
      }
      try {
        this.apply(result);
      } catch {
        // Not a media playlist (PlaylistIndexError), or worse: either way this refresh lists nothing,
        // and a timer's refresh must never throw into the event loop.
        return { ok: false, reason: "bad_playlist" };
      }
      this.fetchUrl = url;
      return { ok: true };
    }
    return outcome;
  }

  private apply(body: TextBody): void {
    const index = indexMediaPlaylist(body.text, this.hooks.maxEntries);
    const first = this.table.listings === 0;
    const { added, removed } = this.table.apply(index, body.url, this.hooks.now());
    for (const entry of removed) this.hooks.forget(entry);
    // VOD viewers spread over the whole file: hash on demand only. Live: the edge, as it grows.
    if (index.ended) return;
    const fresh = first ? newestWithInits(added, this.hooks.precomputeTail) : added;
    for (const entry of fresh) this.hooks.precompute(entry);
  }
}

/** The newest `count` media entries and the init entries among all of them. */
function newestWithInits(entries: readonly ListedEntry[], count: number): ListedEntry[] {
  const media = entries.filter((entry) => entry.kind === "media");
  const tail = new Set(count > 0 ? media.slice(-count) : []);
  return entries.filter((entry) => entry.kind === "init" || tail.has(entry));
}

/** Every playlist the service knows, bounded; the least recently asked one that is not followed goes first. */
export class PlaylistBook {
  private readonly playlists = new Map<string, FollowedPlaylist>();

  constructor(
    private readonly maxPlaylists: number,
    private readonly hooks: FollowHooks,
  ) {}

  get size(): number {
    return this.playlists.size;
  }

  get following(): number {
    let count = 0;
    for (const playlist of this.playlists.values()) if (playlist.following) count++;
    return count;
  }

  /** The playlist known by `key`, created with `url`; undefined when every slot holds a followed one. */
  obtain(key: string, url: URL): FollowedPlaylist | undefined {
    const known = this.playlists.get(key);
    if (known !== undefined) {
      this.playlists.delete(key);
      this.playlists.set(key, known);
      return known;
    }
    if (this.playlists.size >= this.maxPlaylists) {
      const idle = [...this.playlists.values()].find((playlist) => !playlist.following);
      if (idle === undefined) return undefined;
      idle.close();
      this.playlists.delete(idle.key);
    }
    const created = new FollowedPlaylist(key, url, this.hooks);
    this.playlists.set(key, created);
    return created;
  }

  close(): void {
    for (const playlist of this.playlists.values()) playlist.close();
    this.playlists.clear();
  }
}
