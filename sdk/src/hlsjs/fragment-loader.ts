import type {
  FragmentLoaderConstructor,
  FragmentLoaderContext,
  HlsConfig,
  Loader,
  LoaderCallbacks,
  LoaderConfiguration,
  LoaderStats,
} from "hls.js";
import type { Engine } from "../engine/engine.js";
import { AbortError, HttpError, TimeoutError } from "../core/errors.js";
import type { HttpPolicy, SegmentRequest } from "../core/types.js";
import { hlsRequestSetup } from "./hls-request-setup.js";
import { peerDeliveryReportBps } from "../engine/abr-report.js";
import { createLoaderStats, fillLoaderStats, networkClock } from "./loader-stats.js";

export interface FragmentLoaderBridge {
  engine: Engine;
  /**
   * undefined = not ours to load: hls.js's default loader handles it. `hlsConfig` is the config of
   * the hls.js instance that made the loader (the primary's, or an interstitial asset player's).
   */
  toRequest(context: FragmentLoaderContext, hlsConfig: HlsConfig): SegmentRequest | undefined;
  /** The ABR bandwidth estimate of the player that owns `hlsConfig`, bits/s (NaN or 0 = none). */
  playerBandwidthEstimate(hlsConfig: HlsConfig): number;
}

/** The hls.js load policy (or its deprecated flat fields) as the core's HTTP policy. */
export function httpPolicyFrom(config: LoaderConfiguration): HttpPolicy {
  const policy = config.loadPolicy;
  const totalTimeoutMs = policy?.maxLoadTimeMs ?? config.timeout;
  const firstByteTimeoutMs = policy?.maxTimeToFirstByteMs || totalTimeoutMs;
  const retryConfig = policy ? policy.errorRetry : null;
  const retry =
    retryConfig && retryConfig.maxNumRetry > 0
      ? {
          maxRetries: retryConfig.maxNumRetry,
          retryDelayMs: retryConfig.retryDelayMs,
          maxRetryDelayMs: retryConfig.maxRetryDelayMs,
        }
      : !policy && config.maxRetry > 0
        ? {
            maxRetries: config.maxRetry,
            retryDelayMs: config.retryDelay,
            maxRetryDelayMs: config.maxRetryDelay,
          }
        : null;
  return { firstByteTimeoutMs, totalTimeoutMs, retry };
}

/** Build the `fLoader` class hls.js instantiates once per fragment load. */
export function createFragmentLoaderClass(bridge: FragmentLoaderBridge): FragmentLoaderConstructor {
  return class NearcastFragmentLoader implements Loader<FragmentLoaderContext> {
    context: FragmentLoaderContext | null = null;
    stats: LoaderStats = createLoaderStats();
    private fallback: Loader<FragmentLoaderContext> | null = null;
    private controller: AbortController | null = null;
    private callbacks: LoaderCallbacks<FragmentLoaderContext> | null = null;

    constructor(private readonly hlsConfig: HlsConfig) {}

    load(
      context: FragmentLoaderContext,
      config: LoaderConfiguration,
      callbacks: LoaderCallbacks<FragmentLoaderContext>,
    ): void {
      this.context = context;
      const request = bridge.engine.isDestroyed ? undefined : bridge.toRequest(context, this.hlsConfig);
      if (!request) {
        const DefaultLoader = this.hlsConfig.loader as unknown as new (
          c: HlsConfig,
        ) => Loader<FragmentLoaderContext>;
        this.fallback = new DefaultLoader(this.hlsConfig);
        // hls.js bound `frag.stats` to our stats object before calling load(): the default loader
        // must fill that object, or ABR and the buffer controller read a load that never happened.
        this.fallback.stats = this.stats;
        this.fallback.load(context, config, callbacks);
        return;
      }
      this.callbacks = callbacks;
      const controller = (this.controller = new AbortController());
      const stats = this.stats;
      const clock = networkClock(stats);
      bridge.engine
        .loadSegment(request, {
          signal: controller.signal,
          http: httpPolicyFrom(config),
          playerRequestSetup: hlsRequestSetup(this.hlsConfig, context),
          // `chunkCount` stays hls.js's: it counts the payloads it pushes to its transmuxer (we push
          // one, in onSuccess) and reads a count above 1 as "more of a segment being streamed".
          // hls.js's ABR sees the load's time from its first byte or HTTP request (networkClock, loader-stats.ts).
          onHttpRequest: () => clock.httpRequest(),
          onProgress: (loaded, total) => clock.progress(loaded, total),
        })
        .then(
          (result) => {
            if (controller.signal.aborted || this.callbacks !== callbacks) return;
            this.controller = null;
            fillLoaderStats(
              stats,
              result,
              peerDeliveryReportBps(
                bridge.engine.httpBandwidthBps,
                bridge.playerBandwidthEstimate(this.hlsConfig),
              ),
              performance.now(),
              bridge.engine.httpFirstByteMs,
              ((context.part ?? context.frag).duration || 0) * 1000,
            );
            // hls.js may transfer the buffer to its transmuxer worker (detaching it). A fresh delivery
            // is a buffer of its own (the store keeps a separate copy); a cache hit is the store's
            // memory and must be copied.
            const data = result.source === "cache" ? result.data.slice() : result.data;
            callbacks.onSuccess({ url: context.url, data: data.buffer as ArrayBuffer }, stats, context, null);
          },
          (error: unknown) => {
            if (controller.signal.aborted || this.callbacks !== callbacks) return;
            this.controller = null;
            if (error instanceof AbortError) return;
            stats.loading.end = performance.now();
            if (error instanceof TimeoutError) {
              callbacks.onTimeout(stats, context, null);
            } else {
              const code = error instanceof HttpError ? error.status : 0;
              callbacks.onError({ code, text: (error as Error).message }, context, null, stats);
            }
          },
        );
    }

    abort(): void {
      if (this.fallback) return this.fallback.abort();
      const controller = this.controller;
      if (!controller) return;
      this.controller = null;
      this.stats.aborted = true;
      controller.abort();
      const callbacks = this.callbacks;
      if (callbacks?.onAbort && this.context) callbacks.onAbort(this.stats, this.context, null);
    }

    destroy(): void {
      if (this.fallback) {
        this.fallback.destroy();
        this.fallback = null;
      }
      this.controller?.abort();
      this.controller = null;
      this.callbacks = null;
      this.context = null;
    }
  };
}
