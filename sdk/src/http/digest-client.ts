// The SDK's client of nearcast-server's digest service: asks for the SHA-256 of segments whose bytes
// came from peers, when the origin publishes none. Concurrent asks for one playlist go out as one
// request; every ask ends by its own deadline with a digest or a reason, never with a throw, because
// the answer sits on the path to the player: a missing digest means "verify another way", not an error.
import { createLogger } from "../core/logger.js";
import type { ByteRange } from "../core/types.js";
import { parseDigestResponse, readCapped } from "./digest-response.js";
import {
  MAX_DIGEST_REQUEST_BYTES,
  MAX_DIGEST_SEGMENTS_PER_REQUEST,
  MAX_DIGEST_WAIT_MS,
  type DigestRequestBody,
  type DigestSegmentQuery,
} from "./digest-wire.js";

const log = createLogger("digests");

/** One segment to look up, with what the service needs to check that the asker may know it. */
export interface DigestAsk {
  /** `<stream key>|<rendition key>` of the segment's swarm. */
  swarmKey: string;
  /** This viewer's tracker peer_id in that swarm (the 20-character id the tracker knows). */
  peerId: string;
  /** The tracker's session credential, once it issues one. */
  session?: string;
  /** The page's manifest URL (`hls.url`); see `DigestRequestBody.manifestUrl`. */
  manifestUrl?: string;
  /** The rendition's media playlist URL as loaded (hls.js: the fragment's `baseurl`). */
  playlistUrl: string;
  /** The segment URL as this viewer loads it. */
  url: string;
  /** The playlist's byte range, end exclusive. */
  byteRange?: ByteRange;
}

/** Why no digest: `spot_checks` = the server leaves this swarm to CDN spot checks (small swarm). */
export type DigestMissReason =
  | "spot_checks"
  | "pending"
  | "unavailable"
  | "refused"
  | "rejected"
  | "timeout"
  | "network"
  | "bad_response"
  | "busy"
  | "destroyed";

/** A segment's chunk digests: `sha256` holds 32 bytes per chunk of `chunkBytes`, in order (the last chunk shorter). */
export interface ChunkDigests {
  chunkBytes: number;
  sha256: Uint8Array;
}

/** `ok`: the server's SHA-256 of exactly `bytes` bytes, and its chunk digests when it sent them. */
export type DigestLookup =
  | { ok: true; sha256: string; bytes: number; chunks?: ChunkDigests }
  | { ok: false; reason: DigestMissReason; detail?: string };

export interface DigestClientOptions {
  /** `POST` endpoint, e.g. from `digestServiceUrlOf(trackerUrl)`. */
  serviceUrl: string;
  /** Deadline of every ask, from `get()` to its answer, ms. @default 3000 */
  timeoutMs?: number;
  /** How long the server may wait for an origin fetch in progress, ms. @default timeoutMs − 500 (≥ 0) */
  serverWaitMs?: number;
  /** Asks made within this window go out together, ms. @default 2 */
  batchDelayMs?: number;
  /** Requests in flight at once; more wait for a slot (within their deadline). @default 4 */
  maxInFlightRequests?: number;
  /** Asks waiting or in flight; beyond, `busy` at once. @default 256 */
  maxPendingAsks?: number;
  /** Digests remembered (least recently used dropped first). @default 1024 */
  maxCachedDigests?: number;
  /** How long a "small swarm: use spot checks" answer holds for that swarm, ms. @default 15000 */
  notServedTtlMs?: number;
  fetchImpl?: typeof fetch;
}

export interface DigestClientStats {
  asks: number;
  cacheHits: number;
  requests: number;
  /** Answers by outcome: `ok` or a {@link DigestMissReason}. */
  outcomes: Record<string, number>;
}

interface Waiter {
  key: string;
  ask: DigestAsk;
  settled: boolean;
  deadline: ReturnType<typeof setTimeout>;
  resolve: (result: DigestLookup) => void;
}

interface Batch {
  body: Omit<DigestRequestBody, "segments">;
  asks: Map<string, { query: DigestSegmentQuery; waiters: Waiter[] }>;
  bytes: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Looks up server digests for segments. `get()` never rejects and answers within `timeoutMs`; the
 * same segment asked twice while in flight is fetched once; answers `ok` are cached. `destroy()` ends
 * every pending ask with `destroyed` and stops all timers.
 */
export class DigestClient {
  private readonly timeoutMs: number;
  private readonly serverWaitMs: number;
  private readonly options: Required<Omit<DigestClientOptions, "fetchImpl" | "serverWaitMs" | "timeoutMs">>;
  private readonly fetchImpl: typeof fetch;
  private readonly cache = new Map<string, Extract<DigestLookup, { ok: true }>>();
  private readonly notServedUntil = new Map<string, { untilMs: number; detail: string }>();
  private readonly inFlight = new Map<string, Waiter[]>();
  private readonly batches = new Map<string, Batch>();
  private readonly queue: Batch[] = [];
  private readonly controllers = new Set<AbortController>();
  private pendingAsks = 0;
  private destroyed = false;
  private readonly stats: DigestClientStats = { asks: 0, cacheHits: 0, requests: 0, outcomes: {} };

  constructor(options: DigestClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.serverWaitMs = Math.min(
      MAX_DIGEST_WAIT_MS,
      Math.max(0, options.serverWaitMs ?? this.timeoutMs - 500),
    );
    this.options = {
      serviceUrl: options.serviceUrl,
      batchDelayMs: options.batchDelayMs ?? 2,
      maxInFlightRequests: options.maxInFlightRequests ?? 4,
      maxPendingAsks: options.maxPendingAsks ?? 256,
      maxCachedDigests: options.maxCachedDigests ?? 1024,
      notServedTtlMs: options.notServedTtlMs ?? 15_000,
    };
    this.fetchImpl = options.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The digest of one segment, or why there is none. Never rejects. */
  get(ask: DigestAsk): Promise<DigestLookup> {
    this.stats.asks++;
    if (this.destroyed) return Promise.resolve(this.count({ ok: false, reason: "destroyed" }));
    const key = cacheKey(ask);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      this.stats.cacheHits++;
      return Promise.resolve(this.count(cached));
    }
    const notServed = this.notServedUntil.get(ask.swarmKey);
    if (notServed && notServed.untilMs > Date.now()) {
      return Promise.resolve(this.count({ ok: false, reason: "spot_checks", detail: notServed.detail }));
    }
    if (this.pendingAsks >= this.options.maxPendingAsks) {
      return Promise.resolve(this.count({ ok: false, reason: "busy" }));
    }
    return new Promise((resolve) => {
      this.pendingAsks++;
      const waiter: Waiter = {
        key,
        ask,
        settled: false,
        resolve: (result) => {
          clearTimeout(waiter.deadline);
          this.pendingAsks--;
          resolve(this.count(result));
        },
        deadline: setTimeout(() => this.settle(waiter, { ok: false, reason: "timeout" }), this.timeoutMs),
      };
      const joined = this.inFlight.get(key);
      if (joined) joined.push(waiter);
      else {
        this.inFlight.set(key, [waiter]);
        this.enqueue(waiter);
      }
    });
  }

  /** Whether the service said, within `notServedTtlMs`, that it leaves this swarm to spot checks. */
  leavesToSpotChecks(swarmKey: string): boolean {
    const notServed = this.notServedUntil.get(swarmKey);
    return notServed !== undefined && notServed.untilMs > Date.now();
  }

  getStats(): DigestClientStats {
    return { ...this.stats, outcomes: { ...this.stats.outcomes } };
  }

  /** Idempotent: every pending ask answers `destroyed`, requests are aborted, timers stop. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const batch of [...this.batches.values(), ...this.queue]) clearTimeout(batch.timer);
    this.batches.clear();
    this.queue.length = 0;
    for (const controller of this.controllers) controller.abort();
    for (const waiters of [...this.inFlight.values()]) {
      for (const waiter of waiters) this.settle(waiter, { ok: false, reason: "destroyed" });
    }
    this.inFlight.clear();
  }

  private enqueue(waiter: Waiter): void {
    const { ask } = waiter;
    const query: DigestSegmentQuery = { url: ask.url };
    if (ask.byteRange?.end !== undefined) query.range = [ask.byteRange.start, ask.byteRange.end];
    const groupKey = [ask.swarmKey, ask.peerId, ask.session, ask.manifestUrl, ask.playlistUrl].join("\n");
    const size = ask.url.length + 32;
    let batch = this.batches.get(groupKey);
    if (batch && batch.bytes + size > MAX_DIGEST_REQUEST_BYTES / 2) {
      this.flush(groupKey, batch);
      batch = undefined;
    }
    if (!batch) {
      batch = {
        body: {
          swarmKey: ask.swarmKey,
          peerId: hexOf(ask.peerId),
          playlistUrl: ask.playlistUrl,
          waitMs: this.serverWaitMs,
          ...(ask.session !== undefined ? { session: ask.session } : {}),
          ...(ask.manifestUrl !== undefined ? { manifestUrl: ask.manifestUrl } : {}),
        },
        asks: new Map(),
        bytes: JSON.stringify(ask).length,
        timer: undefined,
      };
      const created = batch;
      this.batches.set(groupKey, created);
      created.timer = setTimeout(() => this.flush(groupKey, created), this.options.batchDelayMs);
    }
    batch.asks.set(waiter.key, { query, waiters: this.inFlight.get(waiter.key) ?? [waiter] });
    batch.bytes += size;
    if (batch.asks.size >= MAX_DIGEST_SEGMENTS_PER_REQUEST) this.flush(groupKey, batch);
  }

  private flush(groupKey: string, batch: Batch): void {
    clearTimeout(batch.timer);
    if (this.batches.get(groupKey) === batch) this.batches.delete(groupKey);
    this.queue.push(batch);
    this.pump();
  }

  private pump(): void {
    while (this.controllers.size < this.options.maxInFlightRequests && this.queue.length > 0) {
      void this.send(this.queue.shift()!);
    }
  }

  private async send(batch: Batch): Promise<void> {
    // Asks whose deadline passed while the batch queued need no request.
    const entries = [...batch.asks.entries()].filter(([, entry]) => entry.waiters.length > 0);
    if (entries.length === 0) return this.pump();
    const body: DigestRequestBody = { ...batch.body, segments: entries.map(([, entry]) => entry.query) };
    const controller = new AbortController();
    this.controllers.add(controller);
    const abortTimer = setTimeout(() => controller.abort(), this.timeoutMs);
    this.stats.requests++;
    let results: DigestLookup[];
    try {
      const response = await this.fetchImpl(this.options.serviceUrl, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify(body),
        signal: controller.signal,
        credentials: "omit",
        cache: "no-store",
      });
      const text = await readCapped(response);
      results =
        text === undefined
          ? entries.map(() => ({ ok: false, reason: "bad_response", detail: "answer too large" }))
          : parseDigestResponse(response.status, text, body.segments);
    } catch (error) {
      const aborted = controller.signal.aborted;
      log("digest request failed: %s", error instanceof Error ? error.message : String(error));
      results = entries.map(() => ({ ok: false, reason: aborted ? "timeout" : "network" }));
    } finally {
      clearTimeout(abortTimer);
      this.controllers.delete(controller);
    }
    if (this.destroyed) return;
    entries.forEach(([key, entry], i) => this.deliver(key, entry.waiters, results[i]!, batch.body.swarmKey));
    this.pump();
  }

  private deliver(key: string, waiters: Waiter[], result: DigestLookup, swarmKey: string): void {
    if (result.ok) {
      this.cache.set(key, result);
      while (this.cache.size > this.options.maxCachedDigests) {
        this.cache.delete(this.cache.keys().next().value!);
      }
    } else if (result.reason === "spot_checks") {
      this.notServedUntil.set(swarmKey, {
        untilMs: Date.now() + this.options.notServedTtlMs,
        detail: result.detail ?? "",
      });
      // One entry per swarm ever asked about; a page plays a handful of renditions.
      if (this.notServedUntil.size > this.options.maxCachedDigests) this.notServedUntil.clear();
    }
    for (const waiter of [...waiters]) this.settle(waiter, result);
    if (this.inFlight.get(key) === waiters) this.inFlight.delete(key);
  }

  /** Answers one waiter once; the request it joined carries on for the others (and the cache). */
  private settle(waiter: Waiter, result: DigestLookup): void {
    if (waiter.settled) return;
    waiter.settled = true;
    const waiters = this.inFlight.get(waiter.key);
    const index = waiters?.indexOf(waiter) ?? -1;
    if (waiters && index !== -1) {
      waiters.splice(index, 1);
      if (waiters.length === 0) this.inFlight.delete(waiter.key);
    }
    waiter.resolve(result);
  }

  private count(result: DigestLookup): DigestLookup {
    const outcome = result.ok ? "ok" : result.reason;
    this.stats.outcomes[outcome] = (this.stats.outcomes[outcome] ?? 0) + 1;
    return result;
  }
}

/**
 * What identifies a digest for the client: the swarm, the URL as loaded and the byte range. The raw
 * URL (tokens included) is enough within one viewer, whose tokens rarely change; a change costs one
 * more ask, never a wrong answer.
 */
function cacheKey(ask: DigestAsk): string {
  const range = ask.byteRange ? `${ask.byteRange.start}-${ask.byteRange.end ?? ""}` : "-";
  return `${ask.swarmKey}\n${ask.url}\n${range}`;
}

/** Hex of a tracker id string (one char per byte, as the WebTorrent protocol carries it). */
function hexOf(binary: string): string {
  let out = "";
  for (let i = 0; i < binary.length; i++) out += (binary.charCodeAt(i) & 0xff).toString(16).padStart(2, "0");
  return out;
}
