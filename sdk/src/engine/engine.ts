import { mergeConfig, type NearcastConfig } from "../core/config.js";
import { AbortError, NearcastError, type WarningCode } from "../core/errors.js";
import { TypedEmitter } from "../core/event-emitter.js";
import type { NearcastEvents } from "../core/events.js";
import { createLogger } from "../core/logger.js";
import { browserConnection, MeteredUploadGuard } from "../core/metered-connection.js";
import { SegmentStore } from "../core/segment-store.js";
import { StatsCollector, type NearcastStats } from "../core/stats.js";
import { StatsReporter } from "../core/stats-reporter.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "../core/types.js";
import { DigestClient } from "../http/digest-client.js";
import { digestServiceUrlOf } from "../http/digest-wire.js";
import { P2PNetwork } from "../p2p/p2p-network.js";
import type { Platform } from "./platform.js";
import { SegmentDelivery } from "./segment-delivery.js";
import { TransferEstimates } from "../core/policy/transfer-estimates.js";

const log = createLogger("engine");

/** A snapshot of {@link Engine.getResourceUsage}. */
export interface ResourceUsage {
  /** Bytes of segment data held for peers (≤ `storeMaxBytes`). */
  storeBytes: number;
  /** Segments held, partial ones included. */
  storeSegments: number;
  /** Segment loads in flight (requested by the player, not yet delivered or failed). */
  pendingLoads: number;
  /** Swarms (renditions) joined. */
  swarms: number;
  /** Open peer connections across all swarms (one viewer in two swarms counts twice). */
  peerConnections: number;
  /**
   * Bytes from peers held for the loads in flight, now and at most since P2P started: never above
   * MAX_PEER_BUFFERED_BYTES (32 MiB), nor MAX_PEER_SEGMENT_BYTES (16 MiB) for one segment.
   */
  peerBufferedBytes: number;
  peerBufferedPeakBytes: number;
}

declare const __NEARCAST_VERSION__: string | undefined;
const CLIENT_NAME = `nearcast/${typeof __NEARCAST_VERSION__ === "string" ? __NEARCAST_VERSION__ : "dev"}`;

/**
 * Wires the player-agnostic core (delivery policy, store, stats) to its transports (P2P network, HTTP):
 * takes segment requests with a playback deadline and delivers bytes from peers or HTTP. Knows
 * nothing of hls.js.
 */
export class Engine extends TypedEmitter<NearcastEvents> {
  readonly config: NearcastConfig;
  protected readonly platform: Platform;
  protected readonly stats = new StatsCollector();
  private readonly estimates = new TransferEstimates();
  private readonly delivery: SegmentDelivery;
  /** Both undefined while P2P is off, unavailable, or suspended (see {@link suspendP2P}). */
  private store: SegmentStore | undefined;
  private network: P2PNetwork | undefined;
  private readonly reporter: StatsReporter | undefined;
  private readonly loading = new Set<string>();
  /** Aborted by destroy(): merged into every load, so no transfer outlives the engine. */
  private readonly lifetime = new AbortController();
  private playback: () => PlaybackState | undefined = () => undefined;
  private destroyed = false;
  private uploadAllowed = false;
  private readonly meteredGuard: MeteredUploadGuard;
  /** The digest service of the first tracker's server (docs/digest-service.md); undefined without one. */
  private readonly digests: DigestClient | undefined;
  /** The first tracker's session for this viewer (the digest service admits by it). */
  private session: { token: string; untilMs: number } | undefined;

  constructor(config: Partial<NearcastConfig> = {}, platform: Platform = {}) {
    super((error) => log("listener threw: %o", error));
    this.config = mergeConfig(config);
    this.platform = platform;
    this.meteredGuard = new MeteredUploadGuard(
      this.config,
      "connection" in platform ? platform.connection : browserConnection(),
      (allowed) => {
        if (allowed !== this.uploadAllowed) log("upload to peers %s", allowed ? "on" : "off (metered)");
        this.uploadAllowed = allowed;
      },
    );
    const digestUrl = this.config.p2pEnabled ? this.config.trackerUrls.map(digestServiceUrlOf)[0] : undefined;
    this.digests = digestUrl
      ? new DigestClient({ serviceUrl: digestUrl, fetchImpl: platform.fetch })
      : undefined;
    this.startP2P();
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters read the current transports
    const engine = this;
    this.delivery = new SegmentDelivery(
      {
        config: this.config,
        platform,
        stats: this.stats,
        get store() {
          return engine.store;
        },
        get network() {
          return engine.network;
        },
        log,
        playback: () => this.playback(),
        emit: (event, arg) => this.emit(event, arg),
        digests: this.digests,
        session: () => this.trackerSession(),
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

  /**
   * Join a swarm ahead of its first segment request, so peers are connecting by then. `track`: the
   * player track the rendition plays in (see {@link SegmentRequest.track}); the track's previous
   * rendition is then left after a short grace unless it is used again.
   */
  prepareSwarm(swarmKey: string, track?: string): void {
    if (!this.destroyed) this.network?.swarm(swarmKey, track);
  }

  /**
   * Whether this viewer serves segments to peers now: `uploadEnabled`, except on a metered
   * connection (cellular or Data Saver) unless `uploadOnMeteredConnection` is set.
   */
  get uploading(): boolean {
    return this.uploadAllowed;
  }

  /** Report something recoverable (e.g. a malformed digest tag) as a `warning` event. */
  warn(code: WarningCode, message: string): void {
    if (!this.destroyed) this.emit("warning", { code, message });
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
    if (this.destroyed) throw new NearcastError("engine destroyed", "destroyed");
    const started = performance.now();
    this.stats.swarmKey = request.swarmKey;
    const key = loadKey(request.swarmKey, request.id);
    this.loading.add(key);
    // The player plays this rendition now, even when the segment is served from the store.
    this.network?.swarm(request.swarmKey, request.track);
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
    // A copy not confirmed yet is some other load's, still being checked.
    if (!stored?.complete || !stored.confirmed) return undefined;
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

  /**
   * What the engine holds right now, for soak tests and leak hunting: bytes and segments in the
   * store (bytes never exceed `storeMaxBytes`), loads in flight, swarms joined and open peer
   * connections. All zero while P2P is off or suspended, except `pendingLoads`.
   */
  getResourceUsage(): ResourceUsage {
    const network = this.network?.usage;
    return {
      storeBytes: this.store?.totalBytes ?? 0,
      storeSegments: this.store?.size ?? 0,
      pendingLoads: this.loading.size,
      swarms: network?.swarms ?? 0,
      peerConnections: network?.peerConnections ?? 0,
      peerBufferedBytes: network?.peerBufferedBytes ?? 0,
      peerBufferedPeakBytes: network?.peerBufferedPeakBytes ?? 0,
    };
  }

  /** True while the P2P side (tracker sockets, peer connections, segment store) is running. */
  get p2pActive(): boolean {
    return this.network !== undefined;
  }

  /**
   * Release every P2P resource — tracker sockets, peer connections, the segment store — and keep the
   * engine usable over HTTP only, until {@link resumeP2P}. The hls.js adapter calls this when its
   * player is destroyed, so a page that only destroys players (an SPA navigating away) leaves no
   * connection behind. Idempotent.
   */
  suspendP2P(): void {
    if (!this.network) return;
    log("P2P suspended: tracker and peers closed");
    this.network.destroy();
    this.store?.destroy();
    this.network = undefined;
    this.store = undefined;
    this.stats.peers.clear();
  }

  /** Start P2P again after {@link suspendP2P} (a new peer id, an empty store). No-op when running or destroyed. */
  resumeP2P(): void {
    if (!this.destroyed && !this.network) this.startP2P();
  }

  private startP2P(): void {
    const RTC = this.platform.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    const WS = this.platform.WebSocket ?? globalThis.WebSocket;
    if (!this.config.p2pEnabled || this.config.trackerUrls.length === 0) return;
    if (!RTC || !WS) return log("no RTCPeerConnection or WebSocket here: HTTP only");
    const store = new SegmentStore({
      maxBytes: this.config.storeMaxBytes,
      keepBehindSec: this.config.storeKeepBehindSec,
      // A copy is shared whole only once confirmed (core/copy-confirmation.ts).
      requireConfirmation: true,
      onChange: (change) => this.network?.onStoreChange(change),
    });
    this.store = store;
    this.network = new P2PNetwork({
      config: this.config,
      RTCPeerConnection: RTC,
      WebSocket: WS,
      store,
      stats: this.stats,
      emit: (event, arg) => this.emit(event, arg),
      isLoading: (swarmKey, segmentId) => this.loading.has(loadKey(swarmKey, segmentId)),
      isLoadingIn: (swarmKey) => {
        const prefix = loadKey(swarmKey, "");
        for (const key of this.loading) if (key.startsWith(prefix)) return true;
        return false;
      },
      clientName: CLIENT_NAME,
      uploading: () => this.uploadAllowed,
      onUplinkSample: (bytes, busyMs, endMs) => {
        this.estimates.uplink.sample(bytes, busyMs, endMs);
        const estimate = this.estimates.uplink.bytesPerSec(endMs);
        log("uplink: %d bytes in %d ms backlogged; estimate %s B/s", bytes, Math.round(busyMs), estimate);
      },
      measuredUplinkBytesPerSec: () => this.estimates.uplink.bytesPerSec(performance.now()),
      fetch: this.platform.fetch,
      onSession: (url, session) => {
        this.reporter?.acceptSession(url, session.token, session.expiresInSec);
        if (url === this.config.trackerUrls[0])
          this.session = { token: session.token, untilMs: Date.now() + session.expiresInSec * 1000 };
      },
    });
  }

  /** The first tracker's session token while it is valid. */
  private trackerSession(): string | undefined {
    const session = this.session;
    return session && session.untilMs > Date.now() ? session.token : undefined;
  }

  /** Stop everything: in-flight loads are aborted, peers closed, no event fires afterwards. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.reporter?.destroy();
    this.digests?.destroy();
    this.meteredGuard.destroy();
    this.lifetime.abort();
    this.network?.destroy();
    this.store?.destroy();
    this.network = undefined;
    this.store = undefined;
    this.removeAllListeners();
  }
}

function loadKey(swarmKey: string, segmentId: string): string {
  return `${swarmKey}\n${segmentId}`;
}
