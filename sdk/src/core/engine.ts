import { mergeConfig, type NearcastConfig } from "./config.js";
import { AbortError, NearcastError } from "./errors.js";
import { TypedEmitter } from "./event-emitter.js";
import type { NearcastEvents } from "./events.js";
import { Ewma } from "./ewma.js";
import { createLogger } from "./logger.js";
import { decide, newSegmentHoldMs } from "./scheduler.js";
import { SegmentAssembly } from "./segment-assembly.js";
import { SegmentStore } from "./segment-store.js";
import { StatsCollector, type NearcastStats } from "./stats.js";
import { StatsReporter } from "./stats-reporter.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "./types.js";
import { httpFetch } from "../http/http-fetcher.js";
import { P2PNetwork, peerStatsKey } from "../p2p/p2p-network.js";
import { PeerError, type Peer } from "../p2p/peer.js";

/** Things that differ between a browser and Node; browsers need none of them. */
export interface Platform {
  /** A standard RTCPeerConnection (Node: node-datachannel/polyfill). @default globalThis.RTCPeerConnection */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

const log = createLogger("engine");

/** Half-life of the HTTP bandwidth estimate, in seconds of transfer (hls.js uses 9 s for VOD). */
const HTTP_BANDWIDTH_HALF_LIFE_SEC = 5;
/** Segment size assumed before any segment of the swarm was seen. */
const DEFAULT_SEGMENT_BYTES = 400_000;
/** First-byte time assumed before the first HTTP response. */
const DEFAULT_HTTP_FIRST_BYTE_MS = 150;

declare const __NEARCAST_VERSION__: string | undefined;
const CLIENT_NAME = `nearcast/${typeof __NEARCAST_VERSION__ === "string" ? __NEARCAST_VERSION__ : "dev"}`;

/**
 * The player-agnostic core: takes segment requests with a playback deadline and delivers bytes from
 * peers or HTTP. Knows nothing of hls.js.
 */
export class Engine extends TypedEmitter<NearcastEvents> {
  readonly config: NearcastConfig;
  protected readonly platform: Platform;
  protected readonly stats = new StatsCollector();
  private readonly httpBandwidth = new Ewma(HTTP_BANDWIDTH_HALF_LIFE_SEC);
  private readonly httpFirstByte = new Ewma(3);
  private readonly segmentSize = new Ewma(3);
  private readonly store: SegmentStore | undefined;
  private readonly network: P2PNetwork | undefined;
  private readonly reporter: StatsReporter | undefined;
  private readonly loading = new Set<string>();
  /** Aborted by destroy(): merged into every load, so no transfer outlives the engine. */
  private readonly lifetime = new AbortController();
  private playback: () => PlaybackState | undefined = () => undefined;
  private destroyed = false;

  constructor(config: Partial<NearcastConfig> = {}, platform: Platform = {}) {
    super((error) => log("listener threw: %o", error));
    this.config = mergeConfig(config);
    this.platform = platform;
    const RTC = platform.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    const WS = platform.WebSocket ?? globalThis.WebSocket;
    if (this.config.p2pEnabled && this.config.trackerUrls.length > 0) {
      if (!RTC || !WS) {
        log("no RTCPeerConnection or WebSocket here: HTTP only");
      } else {
        this.store = new SegmentStore({
          maxBytes: this.config.storeMaxBytes,
          keepBehindSec: this.config.storeKeepBehindSec,
          onChange: (change) => this.network?.onStoreChange(change),
        });
        this.network = new P2PNetwork({
          config: this.config,
          RTCPeerConnection: RTC,
          WebSocket: WS,
          store: this.store,
          stats: this.stats,
          emit: (event, arg) => this.emit(event, arg),
          isLoading: (swarmKey, segmentId) => this.loading.has(loadKey(swarmKey, segmentId)),
          clientName: CLIENT_NAME,
        });
      }
    }
    if (this.config.statsUrl) {
      this.reporter = new StatsReporter({
        url: this.config.statsUrl,
        intervalMs: this.config.statsIntervalMs,
        stats: this.stats,
        peers: () => this.getStats().connectedPeers,
        fetchImpl: platform.fetch,
        log,
      });
    }
  }

  /** This viewer's id in stats reports (undefined without a `statsUrl`). */
  get statsClientId(): string | undefined {
    return this.reporter?.clientId;
  }

  /** Send a stats report now rather than at the next interval (resolves when it was tried). */
  async reportStats(): Promise<void> {
    await this.reporter?.tick(false);
  }

  /** This viewer's id on trackers and in peers' stats (undefined when P2P is off). */
  get peerId(): string | undefined {
    return this.network?.peerId;
  }

  /** Join a swarm ahead of its first segment request, so peers are connecting by then. */
  prepareSwarm(swarmKey: string): void {
    if (!this.destroyed) this.network?.swarm(swarmKey);
  }

  /** Where the core learns the playhead; the player adapter installs this. */
  setPlaybackSource(source: () => PlaybackState | undefined): void {
    this.playback = source;
  }

  /** HTTP throughput estimate in bits/s, 0 before the first HTTP transfer. */
  get httpBandwidthBps(): number {
    return this.httpBandwidth.value(0);
  }

  getStats(): NearcastStats {
    return this.stats.snapshot(this.httpBandwidthBps);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  async loadSegment(request: SegmentRequest, options: LoadOptions): Promise<SegmentResult> {
    if (this.destroyed) throw new NearcastError("engine destroyed");
    const started = performance.now();
    this.stats.swarmKey = request.swarmKey;
    const key = loadKey(request.swarmKey, request.id);
    this.loading.add(key);
    options = {
      ...options,
      signal: options.signal ? AbortSignal.any([options.signal, this.lifetime.signal]) : this.lifetime.signal,
    };
    try {
      const result = this.cached(request, started) ?? (await this.deliver(request, options, started));
      this.stats.segments[result.source]++;
      this.segmentSize.sample(1, result.data.byteLength);
      this.emit("segment-loaded", {
        segmentId: request.id,
        swarmKey: request.swarmKey,
        source: result.source,
        bytes: result.data.byteLength,
        httpBytes: result.httpBytes,
        p2pBytes: result.p2pBytes,
        elapsedMs: performance.now() - started,
      });
      return result;
    } catch (error) {
      if (!(error instanceof AbortError)) {
        this.stats.httpFailures++;
        this.emit("segment-error", {
          segmentId: request.id,
          swarmKey: request.swarmKey,
          error: error as Error,
        });
      }
      throw error;
    } finally {
      this.loading.delete(key);
      this.network?.loadEnded(request.swarmKey, request.id);
    }
  }

  /** A complete copy already in the store (fetched for peers, or an earlier load). */
  private cached(request: SegmentRequest, started: number): SegmentResult | undefined {
    const stored = this.store?.get(request.swarmKey, request.id);
    if (!stored?.complete) return undefined;
    const now = performance.now();
    return {
      data: stored.data,
      source: "cache",
      timing: { requestStartMs: started, firstByteMs: now, endMs: now },
      httpBytes: 0,
      p2pBytes: 0,
      httpRetries: 0,
    };
  }

  private async deliver(
    request: SegmentRequest,
    options: LoadOptions,
    started: number,
  ): Promise<SegmentResult> {
    const network = this.network;
    const swarm = network?.swarm(request.swarmKey);
    const playback = this.playback();
    if (playback) this.store?.setPlayhead(playback.positionSec);
    const assembly = new SegmentAssembly(request, this.store);
    const failedPeers = new Set<string>();
    let retries = 0;
    let heldMs = 0;
    const holdMs = network && request.live ? newSegmentHoldMs(request.id, network.peerId) : 0;
    try {
      while (swarm && network && !assembly.complete) {
        const now = this.playback();
        const input = {
          segmentBytesEstimate:
            swarm.announcedLength(request.id) ?? this.segmentSize.value(DEFAULT_SEGMENT_BYTES),
          deadlineMs: deadlineMs(now),
          httpBandwidthBps: this.httpBandwidthBps,
          httpFirstByteMs: this.httpFirstByte.value(DEFAULT_HTTP_FIRST_BYTE_MS),
          safetyMarginMs: this.config.httpSafetyMarginMs,
          candidates: swarm.candidates(request.id),
          failedPeers,
          awaitingFirstPeer: swarm.awaitingFirstPeer,
          live: request.live,
          connectedPeers: swarm.peers.size,
          holdLeftMs: holdMs - heldMs,
        };
        const decision = decide(input);
        log(
          "%s %s: %s (%s) deadline %d ms, %d peers connected, %d candidates",
          request.swarmKey,
          request.id,
          decision.kind,
          decision.reason,
          input.deadlineMs,
          swarm.peers.size,
          input.candidates.length,
        );
        if (decision.kind === "http") break;
        if (decision.kind === "wait") {
          const waitStart = Date.now();
          await swarm.waitForChange(decision.maxWaitMs, options.signal);
          if (decision.reason === "new-segment-hold") heldMs += Date.now() - waitStart;
          if (options.signal?.aborted) throw new AbortError("aborted");
          continue;
        }
        const peer = network.getPeer(request.swarmKey, decision.peerId);
        if (!peer) {
          failedPeers.add(decision.peerId);
          continue;
        }
        try {
          await this.fromPeer(peer, request, assembly, decision.budgetMs, options);
        } catch (error) {
          if (options.signal?.aborted) throw new AbortError("aborted");
          log("segment %s from %s failed: %s", request.id, peer.id, (error as Error).message);
          failedPeers.add(peer.id);
        }
      }
      if (!assembly.complete) {
        network?.announceFetching(request.swarmKey, request.id);
        retries = await this.fromHttp(request, assembly, options);
      }
    } catch (error) {
      assembly.discardPartial();
      if (assembly.length === 0) network?.cancelFetching(request.swarmKey, request.id);
      throw error;
    }
    return {
      data: assembly.bytes(),
      source: assembly.source(),
      timing: assembly.timing(started),
      httpBytes: assembly.httpBytes,
      p2pBytes: assembly.p2pBytes,
      httpRetries: retries,
    };
  }

  /** Receive the rest of the segment from one peer; throws when it stalls, runs out of time or fails. */
  private fromPeer(
    peer: Peer,
    request: SegmentRequest,
    assembly: SegmentAssembly,
    budgetMs: number,
    options: LoadOptions,
  ): Promise<void> {
    const startedMs = Date.now();
    let lastProgressMs = startedMs;
    const stallMs = Math.min(this.config.p2pStallTimeoutMs, Math.max(budgetMs, 300));
    const statsKey = peerStatsKey(peer);
    const { done, cancel } = peer.request(request.id, assembly.length, undefined, (offset, chunk, total) => {
      assembly.setTotal(total);
      assembly.append(offset, chunk, "p2p", performance.now());
      lastProgressMs = Date.now();
      this.stats.addP2pBytes(request.swarmKey, statsKey, chunk.byteLength);
      this.emit("bytes-downloaded", { source: "p2p", bytes: chunk.byteLength, peerId: peer.id });
      options.onProgress?.(assembly.length, assembly.totalLength || assembly.length);
    });
    const watchdog = setInterval(() => {
      const now = Date.now();
      if (now - lastProgressMs > stallMs) cancel(`no data for ${stallMs} ms`);
      else if (now - startedMs > budgetMs) cancel(`over the ${Math.round(budgetMs)} ms budget`);
    }, 50);
    const onAbort = () => cancel("aborted");
    options.signal?.addEventListener("abort", onAbort);
    return done
      .catch((error: unknown) => {
        if (error instanceof PeerError && error.code === "protocol") peer.closeForViolation(error.message);
        throw error;
      })
      .finally(() => {
        clearInterval(watchdog);
        options.signal?.removeEventListener("abort", onAbort);
      });
  }

  /** Fetch the rest of the segment over HTTP (a Range from the bytes peers already gave). */
  private async fromHttp(
    request: SegmentRequest,
    assembly: SegmentAssembly,
    options: LoadOptions,
  ): Promise<number> {
    const base = request.byteRange?.start ?? 0;
    const fromOffset = assembly.length;
    this.stats.httpRequests++;
    const result = await httpFetch(request.url, {
      range: { start: base + fromOffset, end: request.byteRange?.end },
      signal: options.signal,
      policy: options.http,
      fetchImpl: this.platform.fetch,
      discardBody: true,
      onChunk: (chunk, loaded, total) => {
        if (total > 0) assembly.setTotal(fromOffset + total);
        assembly.append(fromOffset + loaded - chunk.byteLength, chunk, "http", performance.now());
        this.stats.addHttpBytes(request.swarmKey, chunk.byteLength);
        this.emit("bytes-downloaded", { source: "http", bytes: chunk.byteLength });
        options.onProgress?.(assembly.length, assembly.totalLength || assembly.length);
      },
    });
    assembly.finishUnknownLength();
    this.stats.httpRetries += result.retries;
    const { requestStartMs, firstByteMs, endMs } = result.timing;
    this.httpFirstByte.sample(1, firstByteMs - requestStartMs);
    const seconds = Math.max(endMs - firstByteMs, 1) / 1000;
    // Tiny transfers measure latency, not throughput; hls.js skips them for the same reason.
    if (result.length >= 16 * 1024) this.httpBandwidth.sample(seconds, (result.length * 8) / seconds);
    return result.retries;
  }

  /** Stop everything: in-flight loads are aborted, peers closed, no event fires afterwards. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.reporter?.destroy();
    this.lifetime.abort();
    this.network?.destroy();
    this.store?.destroy();
    this.removeAllListeners();
  }
}

/**
 * Milliseconds until the player needs more data: the media buffered ahead at the playback rate, or
 * 0 while it is waiting (starting up or stalled: whatever it waits for is due now).
 */
function deadlineMs(playback: PlaybackState | undefined): number {
  if (!playback || playback.waiting) return 0;
  return (playback.bufferedAheadSec * 1000) / (playback.playbackRate || 1);
}

function loadKey(swarmKey: string, segmentId: string): string {
  return `${swarmKey}\n${segmentId}`;
}
