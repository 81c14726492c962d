// The digest service: admits an ask (member of the swarm, swarm large enough to be worth one origin
// download per segment, playlist of the stream the swarm key names, segment listed in it), then
// answers each segment from the cache, from a fetch in progress, or from a new bounded fetch — and
// never waits longer than the ask allows. docs/digest-service.md has the API and the threat model.
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type {
  DigestEntry,
  DigestErrorBody,
  DigestRequestBody,
  DigestRequestError,
  DigestResponseBody,
} from "nearcast";
import { KeyedRateLimiter } from "../net/rate-limiter.js";
import type { ClientAddress } from "../net/ip-address.js";
import { AddressGuard } from "./address-guard.js";
import type { DigestAccess } from "./digest-access.js";
import { DigestCache, type DigestOutcome } from "./digest-cache.js";
import { DigestCounters, type DigestGauges } from "./digest-metrics.js";
import type { DigestServiceOptions } from "./digest-options.js";
import type { ListedEntry } from "./entry-table.js";
import { FetchLimiter } from "./fetch-limiter.js";
import { originHeaderTable } from "./origin-headers.js";
import { OriginClient } from "./origin-fetch.js";
import { FollowedPlaylist, PlaylistBook } from "./playlist-follow.js";
import { StreamBindings } from "./stream-bindings.js";
import { parseHttpUrl, resourceKey, segmentBindingKey, segmentFetchUrl, type Range } from "./url-binding.js";

export interface DigestAnswer {
  status: number;
  body: DigestResponseBody | DigestErrorBody;
  /** For 429/503: when to ask again. */
  retryAfterMs?: number;
}

export interface DigestServiceDeps {
  /** Resolved options (`resolveDigestOptions`). */
  options: DigestServiceOptions;
  access: DigestAccess;
  /** Epoch ms. @default Date.now */
  now?: () => number;
  logger?: Logger;
}

const PENDING = Symbol("pending");

export class DigestService {
  readonly counters = new DigestCounters();
  /** Where fetches may connect; the composition root adds the server's own port (`allowSelf`). */
  readonly guard: AddressGuard;
  private readonly options: DigestServiceOptions;
  private readonly access: DigestAccess;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;
  private readonly closer = new AbortController();
  private readonly origin: OriginClient;
  private readonly cache: DigestCache;
  private readonly limiter: FetchLimiter;
  private readonly book: PlaylistBook;
  private readonly streams: StreamBindings;
  private readonly sessions: KeyedRateLimiter;
  private readonly allowedOrigins: ReadonlySet<string> | undefined;

  /** @throws RangeError for a bad `allowPrivate` entry or origin-headers table. */
  constructor(deps: DigestServiceDeps) {
    const { options } = deps;
    this.options = options;
    this.access = deps.access;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger;
    this.guard = new AddressGuard(options.allowPrivate);
    const headers = originHeaderTable(options.originHeaders, options.originHeadersFile);
    this.origin = new OriginClient({
      guard: this.guard,
      headersFor: (origin) => headers.get(origin),
      firstByteTimeoutMs: options.firstByteTimeoutMs,
      fetchTimeoutMs: options.fetchTimeoutMs,
      maxRedirects: options.maxRedirects,
      signal: this.closer.signal,
      counters: this.counters,
    });
    this.cache = new DigestCache(
      {
        maxEntries: options.maxCachedDigests,
        maxBytes: options.maxCacheBytes,
        ttlMs: options.digestTtlMs,
        failureTtlMs: options.failureTtlMs,
      },
      this.now,
    );
    this.limiter = new FetchLimiter(options.maxConcurrentFetches, options.maxQueuedFetches);
    this.allowedOrigins =
      options.allowedOrigins && new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
    this.streams = new StreamBindings({
      fetchText: (url) => this.origin.text(url, options.maxPlaylistBytes, "manifest"),
      now: this.now,
      allowedOrigins: this.allowedOrigins,
      maxStreams: options.maxStreams,
      ttlMs: options.manifestTtlMs,
      failureTtlMs: options.failureTtlMs,
    });
    this.book = new PlaylistBook(options.maxPlaylists, {
      fetchText: (url) => this.origin.text(url, options.maxPlaylistBytes, "playlist"),
      precompute: (entry) => this.precompute(entry),
      forget: (entry) => this.cache.delete(entry.digestKey),
      worthFollowing: (swarms) => this.anyServed(swarms),
      now: this.now,
      maxEntries: options.maxEntriesPerPlaylist,
      precomputeTail: options.precomputeTail,
    });
    this.sessions = new KeyedRateLimiter({ ...options.sessionRateLimit, maxKeys: options.maxRateKeys });
  }

  /** Answers one validated request from `address`. Never rejects. */
  async handle(body: DigestRequestBody, address: ClientAddress): Promise<DigestAnswer> {
    try {
      const answer = await this.answer(body, address);
      const served = answer.body as Partial<{ served: boolean; reason: string }>;
      this.counters.requests.add([served.served === true ? "served" : (served.reason ?? "error")]);
      return answer;
    } catch (error) {
      this.logger?.error({ err: error }, "digests: request failed");
      this.counters.requests.add(["overloaded"]);
      return refusal(503, "overloaded", "internal error");
    }
  }

  gauges(): DigestGauges {
    return {
      playlists: this.book.size,
      following: this.book.following,
      streams: this.streams.size,
      cacheEntries: this.cache.size,
      cacheBytes: this.cache.bytes,
      fetchesActive: this.limiter.active,
      fetchesQueued: this.limiter.queued,
    };
  }

  /** Idempotent: stops every follow, aborts origin requests, cancels queued fetches. */
  close(): void {
    if (this.closer.signal.aborted) return;
    this.closer.abort();
    this.book.close();
    this.limiter.close();
    this.origin.close();
  }

  private async answer(body: DigestRequestBody, address: ClientAddress): Promise<DigestAnswer> {
    if (this.closer.signal.aborted) return refusal(503, "overloaded", "closing");
    const infoHash = createHash("sha1").update(body.swarmKey, "utf8").digest("hex");
    const decision = await this.access.authorize({
      infoHash,
      peerId: body.peerId,
      session: body.session,
      address,
    });
    if (!decision.ok) return refusal(403, "not_member", "not a member of that swarm on this tracker");
    const rate = this.sessions.take(decision.sessionKey, this.now());
    if (!rate.ok)
      return { ...refusal(429, "rate_limited", "too many digest requests"), retryAfterMs: rate.retryAfterMs };
    const swarmSize = await this.access.swarmSize(infoHash);
    if (swarmSize < this.options.minSwarmSize) {
      return {
        status: 200,
        body: { served: false, reason: "small_swarm", swarmSize, minSwarmSize: this.options.minSwarmSize },
      };
    }
    const playlistUrl = parseHttpUrl(body.playlistUrl);
    if (playlistUrl === undefined) return refusal(400, "bad_request", "playlistUrl: not an http(s) URL");
    const asked = body.segments.map((segment) => ({
      url: parseHttpUrl(segment.url),
      range: segment.range as Range | undefined,
    }));
    // One deadline for the whole ask: binding (manifest, playlist) and fetches alike. What is not
    // done by then answers `pending` and goes on, shared, for the next ask.
    const waitMs = Math.min(body.waitMs ?? this.options.maxWaitMs, this.options.maxWaitMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof PENDING>((resolve) => (timer = setTimeout(resolve, waitMs, PENDING)));
    try {
      const bound = await Promise.race([this.bind(body, playlistUrl, infoHash, asked), deadline]);
      if (bound === PENDING) return served(asked.map(() => ({ status: "pending" })));
      if (!(bound instanceof FollowedPlaylist)) return bound;
      const digests = await Promise.all(
        asked.map(({ url, range }) => this.segmentAnswer(bound, url, range, deadline)),
      );
      for (const entry of digests) {
        this.counters.segments.add([entry.status, "reason" in entry ? entry.reason : ""]);
      }
      return served(digests);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The playlist an ask may use: of the stream its swarm key names, listed once, followed when live,
   * and fetched anew with the asker's URL when the ask names segments it does not list (yet).
   */
  private async bind(
    body: DigestRequestBody,
    playlistUrl: URL,
    infoHash: string,
    asked: readonly { url: URL | undefined; range: Range | undefined }[],
  ): Promise<FollowedPlaylist | DigestAnswer> {
    const binding = await this.streams.check(body.swarmKey, body.manifestUrl, playlistUrl);
    if (!binding.ok) return refusal(binding.status, binding.reason, "playlist not of that stream");
    const playlist = this.book.obtain(resourceKey(playlistUrl), playlistUrl);
    if (playlist === undefined) {
      return { ...refusal(503, "overloaded", "too many playlists followed"), retryAfterMs: 5000 };
    }
    playlist.noteAsk(infoHash);
    const firstListing = playlist.table.listings === 0;
    const ready = await playlist.ready(playlistUrl);
    if (!ready.ok && playlist.table.listings === 0) {
      return ready.reason === "address_not_allowed"
        ? refusal(403, "address_not_allowed", "playlist address not allowed")
        : refusal(502, "playlist_unavailable", `playlist: ${ready.reason}`);
    }
    playlist.follow();
    // A listing fetched for this very ask is as new as the asker's; otherwise refetch for unknowns.
    const unknown = asked.some(
      ({ url, range }) => url !== undefined && lookup(playlist, url, range) === undefined,
    );
    if (unknown && !firstListing) {
      await playlist.refreshForAsk(playlistUrl);
    }
    return playlist;
  }

  /** One asked segment: bound to a listed entry, then its digest within the ask's deadline. */
  private async segmentAnswer(
    playlist: FollowedPlaylist,
    url: URL | undefined,
    range: Range | undefined,
    deadline: Promise<typeof PENDING>,
  ): Promise<DigestEntry> {
    if (url === undefined) return { status: "refused", reason: "bad_url" };
    const entry = lookup(playlist, url, range);
    if (entry === undefined) return { status: "refused", reason: "not_in_playlist" };
    if (this.allowedOrigins && !this.allowedOrigins.has(entry.url.origin.toLowerCase())) {
      return { status: "refused", reason: "origin_not_allowed" };
    }
    const outcome = await Promise.race([this.digestOf(entry, segmentFetchUrl(entry.url, url)), deadline]);
    return outcome === PENDING ? { status: "pending" } : entryOf(outcome);
  }

  /** The digest of a listed entry: remembered, in progress, or fetched from `url` (one fetch per entry). */
  private digestOf(entry: ListedEntry, url: URL): Promise<DigestOutcome> {
    return this.cache.obtain(entry.digestKey, () =>
      this.limiter.run(
        () => this.origin.digest(url, entry.range, this.options.maxSegmentBytes),
        (): DigestOutcome => ({ ok: false, reason: "overloaded" }),
      ),
    );
  }

  /** A followed live playlist listed a new segment: hash it before anyone asks. */
  private precompute(entry: ListedEntry): void {
    if (this.cache.get(entry.digestKey) !== undefined) return;
    this.counters.precomputed++;
    void this.digestOf(entry, entry.url);
  }

  private async anyServed(swarms: readonly string[]): Promise<boolean> {
    try {
      for (const infoHash of swarms) {
        if ((await this.access.swarmSize(infoHash)) >= this.options.minSwarmSize) return true;
      }
    } catch (error) {
      this.logger?.warn({ err: error }, "digests: swarm size unknown; follow stopped");
    }
    return false;
  }
}

function entryOf(outcome: DigestOutcome): DigestEntry {
  if (outcome.ok) {
    const { sha256, bytes, chunks } = outcome;
    return {
      status: "ok",
      sha256,
      bytes,
      ...(chunks ? { chunkBytes: chunks.chunkBytes, chunks: chunks.sha256 } : {}),
    };
  }
  if (outcome.reason === "address_not_allowed") return { status: "refused", reason: "address_not_allowed" };
  return {
    status: "unavailable",
    reason: outcome.reason,
    ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
  };
}

function lookup(playlist: FollowedPlaylist, url: URL, range: Range | undefined): ListedEntry | undefined {
  return playlist.table.lookup(segmentBindingKey(url, range));
}

function served(digests: DigestEntry[]): DigestAnswer {
  return { status: 200, body: { served: true, digests } };
}

function refusal(status: number, reason: DigestRequestError, error: string): DigestAnswer {
  return { status, body: { reason, error } };
}
