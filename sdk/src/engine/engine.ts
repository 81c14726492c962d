import { mergeConfig, type NearcastConfig } from "../core/config.js";
import { AbortError, NearcastError } from "../core/errors.js";
import { TypedEmitter } from "../core/event-emitter.js";
import type { NearcastEvents } from "../core/events.js";
import { createLogger } from "../core/logger.js";
import { SegmentStore } from "../core/segment-store.js";
import { StatsCollector, type NearcastStats } from "../core/stats.js";
import { StatsReporter } from "../core/stats-reporter.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "../core/types.js";
import { P2PNetwork } from "../p2p/p2p-network.js";
import type { Platform } from "./platform.js";
import { SegmentDelivery } from "./segment-delivery.js";
import { TransferEstimates } from "./transfer-estimates.js";

export type { Platform } from "./platform.js";

const log = createLogger("engine");

declare const __NEARCAST_VERSION__: string | undefined;
const CLIENT_NAME = `nearcast/${typeof __NEARCAST_VERSION__ === "string" ? __NEARCAST_VERSION__ : "dev"}`;

/**
 * Wires the player-agnostic core (scheduler, store, stats) to its transports (P2P network, HTTP):
 * takes segment requests with a playback deadline and delivers bytes from peers or HTTP. Knows
 * nothing of hls.js.
 */
export class Engine extends TypedEmitter<NearcastEvents> {
  readonly config: NearcastConfig;
  protected readonly platform: Platform;
  protected readonly stats = new StatsCollector();
  private readonly estimates = new TransferEstimates();
  private readonly delivery: SegmentDelivery;
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
    this.delivery = new SegmentDelivery(
      {
        config: this.config,
        platform,
        stats: this.stats,
        store: this.store,
        network: this.network,
        log,
        playback: () => this.playback(),
        emit: (event, arg) => this.emit(event, arg),
      },
      this.estimates,
    );
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
    return this.estimates.httpBandwidthBps;
  }

  /** Expected HTTP time to first byte in ms (an estimate before the first HTTP response). */
  get httpFirstByteMs(): number {
    return this.estimates.httpFirstByteMs;
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
      const result =
        this.cached(request, started) ?? (await this.delivery.deliver(request, options, started));
      this.stats.segments[result.source]++;
      this.estimates.sampleSegment(result.data.byteLength);
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

function loadKey(swarmKey: string, segmentId: string): string {
  return `${swarmKey}\n${segmentId}`;
}
