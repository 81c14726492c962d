import { mergeConfig, type NearcastConfig } from "./config.js";
import { AbortError, NearcastError } from "./errors.js";
import { TypedEmitter } from "./event-emitter.js";
import type { NearcastEvents } from "./events.js";
import { Ewma } from "./ewma.js";
import { createLogger } from "./logger.js";
import { StatsCollector, type NearcastStats } from "./stats.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "./types.js";
import { httpFetch } from "../http/http-fetcher.js";

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

/**
 * The player-agnostic core: takes segment requests with a playback deadline and delivers bytes from
 * peers or HTTP. Knows nothing of hls.js.
 */
export class Engine extends TypedEmitter<NearcastEvents> {
  readonly config: NearcastConfig;
  protected readonly platform: Platform;
  protected readonly stats = new StatsCollector();
  private readonly httpBandwidth = new Ewma(HTTP_BANDWIDTH_HALF_LIFE_SEC);
  private playback: () => PlaybackState | undefined = () => undefined;
  private destroyed = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(config: Partial<NearcastConfig> = {}, platform: Platform = {}) {
    super((error) => log("listener threw: %o", error));
    this.config = mergeConfig(config);
    this.platform = platform;
  }

  /** Where the core learns the playhead; the player adapter installs this. */
  setPlaybackSource(source: () => PlaybackState | undefined): void {
    this.playback = source;
  }

  getPlayback(): PlaybackState | undefined {
    return this.playback();
  }

  /** HTTP throughput estimate in bits/s, 0 before the first HTTP transfer. */
  get httpBandwidthBps(): number {
    return this.httpBandwidth.value(0);
  }

  getStats(): NearcastStats {
    return this.stats.snapshot(this.httpBandwidthBps);
  }

  async loadSegment(request: SegmentRequest, options: LoadOptions): Promise<SegmentResult> {
    if (this.destroyed) throw new NearcastError("engine destroyed");
    const started = performance.now();
    this.stats.swarmKey = request.swarmKey;
    try {
      const result = await this.loadOverHttp(request, options);
      this.stats.segments[result.source]++;
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
        this.emit("segment-error", { segmentId: request.id, swarmKey: request.swarmKey, error: error as Error });
      }
      throw error;
    }
  }

  /** Fetch (part of) a segment over HTTP, counting bytes as they arrive. */
  protected async loadOverHttp(
    request: SegmentRequest,
    options: LoadOptions,
    fromOffset = 0,
  ): Promise<SegmentResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort);
    this.inFlight.add(controller);
    const base = request.byteRange?.start ?? 0;
    this.stats.httpRequests++;
    try {
      const result = await httpFetch(request.url, {
        range: { start: base + fromOffset, end: request.byteRange?.end },
        signal: controller.signal,
        policy: options.http,
        fetchImpl: this.platform.fetch,
        onChunk: (chunk, loaded, total) => {
          this.stats.addHttpBytes(chunk.byteLength);
          this.emit("bytes-downloaded", { source: "http", bytes: chunk.byteLength });
          options.onProgress?.(fromOffset + loaded, fromOffset + total);
        },
      });
      this.stats.httpRetries += result.retries;
      const { firstByteMs, endMs } = result.timing;
      const seconds = Math.max(endMs - firstByteMs, 1) / 1000;
      // Tiny transfers measure latency, not throughput; hls.js skips them for the same reason.
      if (result.data.byteLength >= 16 * 1024) {
        this.httpBandwidth.sample(seconds, (result.data.byteLength * 8) / seconds);
      }
      return {
        data: result.data,
        source: "http",
        timing: result.timing,
        httpBytes: result.bytesReceived,
        p2pBytes: 0,
        httpRetries: result.retries,
      };
    } finally {
      this.inFlight.delete(controller);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Stop everything: in-flight loads are aborted, no event fires afterwards. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.removeAllListeners();
  }
}
