import type { NearcastConfig } from "../core/config.js";
import { AbortError, HttpError, TimeoutError } from "../core/errors.js";
import type { NearcastEvents } from "../core/events.js";
import type { NearcastStats } from "../core/stats.js";
import type { HttpPolicy, HttpRequestSetup } from "../core/types.js";
import { peerDeliveryReportBps, reportedTransfer } from "../engine/abr-report.js";
import { Engine } from "../engine/engine.js";
import type { Platform } from "../engine/platform.js";
import { readPlayback } from "../engine/media-playback.js";
import { defaultStreamKey } from "../engine/segment-identity.js";
import { claimRequest, ensureSchemePlugin, releaseRequest } from "./scheme-plugin.js";
import { toShakaSegmentRequest } from "./segment-mapping.js";
import type {
  ShakaNamespaceLike,
  ShakaPlayerLike,
  ShakaRequest,
  ShakaRequestContext,
  ShakaRequestFilter,
  ShakaResponse,
} from "./shaka-types.js";

/** setTimeout's ceiling: what a Shaka timeout of 0 ("none") becomes for Nearcast's HTTP fetch. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Nearcast for Shaka Player (HLS and DASH):
 *
 * ```ts
 * import shaka from "shaka-player";
 * import { NearcastShaka } from "nearcast/shaka";
 *
 * const nearcast = new NearcastShaka(shaka, { trackerUrls: ["wss://tracker.example/tracker"] });
 * const player = new shaka.Player();
 * await player.attach(video);
 * nearcast.attach(player);
 * await player.load("https://cdn.example/live/manifest.mpd");
 * ```
 *
 * Video and audio segments (and init segments) go through Nearcast's engine; manifests, playlists,
 * text, keys and licences stay with Shaka's own HTTP plugin. Segments are handed over whole, after
 * verification: a request's `streamDataCallback` (Shaka's chunked low-latency append) is not
 * called, and Shaka then appends the whole response, as it does for plugins without streaming. Shaka retries a failed segment itself
 * (its `retryParameters`); Nearcast applies each attempt's `timeout`/`connectionTimeout`. What
 * Shaka's ABR measures is the network's speed, as with hls.js (engine/abr-report.ts).
 */
export class NearcastShaka {
  readonly engine: Engine;
  private player: ShakaPlayerLike | undefined;
  private detachFilter: (() => void) | undefined;

  /**
   * @param shaka the `shaka` namespace the page plays with (Shaka Player 5); Nearcast
   *   registers its segment plugin with it when the first player is attached.
   */
  constructor(
    private readonly shaka: ShakaNamespaceLike,
    config: Partial<NearcastConfig> = {},
    platform: Platform = {},
  ) {
    this.engine = new Engine(config, platform);
  }

  /**
   * Answer `player`'s video and audio segment requests from now on (attach before `load()`), and
   * follow its media element for the playhead. Attaching another player detaches this one.
   */
  attach(player: ShakaPlayerLike): void {
    this.detach();
    const networking = player.getNetworkingEngine();
    if (!networking) throw new TypeError("this Shaka player has no networking engine (destroyed?)");
    ensureSchemePlugin(this.shaka);
    this.engine.resumeP2P();
    this.player = player;
    const { RequestType } = this.shaka.net.NetworkingEngine;
    const filter: ShakaRequestFilter = (type, request, context) => {
      if (type !== RequestType.SEGMENT || !context) return;
      if (this.player !== player || this.engine.isDestroyed) return releaseRequest(request);
      claimRequest(request, (uri, claimed, requestType) => this.load(uri, claimed, requestType, context));
    };
    networking.registerRequestFilter(filter);
    this.engine.setPlaybackSource(() => readPlayback(player.getMediaElement()));
    this.detachFilter = () => networking.unregisterRequestFilter(filter);
  }

  /** Stop answering the attached player's requests (they go to Shaka's own plugin). Idempotent. */
  detach(): void {
    this.detachFilter?.();
    this.detachFilter = undefined;
    this.player = undefined;
    this.engine.setPlaybackSource(() => undefined);
  }

  on<K extends keyof NearcastEvents>(event: K, listener: (arg: NearcastEvents[K]) => void): () => void {
    return this.engine.on(event, listener);
  }

  off<K extends keyof NearcastEvents>(event: K, listener: (arg: NearcastEvents[K]) => void): void {
    this.engine.off(event, listener);
  }

  getStats(): NearcastStats {
    return this.engine.getStats();
  }

  get config(): Readonly<NearcastConfig> {
    return this.engine.config;
  }

  /** Detach and stop all P2P activity. Idempotent; nothing fires afterwards. */
  destroy(): void {
    this.detach();
    this.engine.destroy();
  }

  /** One segment request of the attached player: an AbortableOperation, or undefined for Shaka. */
  private load(
    uri: string,
    request: ShakaRequest,
    requestType: number,
    context: ShakaRequestContext,
  ): unknown {
    const player = this.player;
    const assetUri = player?.getAssetUri();
    if (!player || !assetUri || this.engine.isDestroyed) return undefined;
    const { AdvancedRequestType } = this.shaka.net.NetworkingEngine;
    const segment = toShakaSegmentRequest({
      streamKey: this.engine.config.streamId ?? defaultStreamKey(assetUri),
      uri,
      rangeHeader: request.headers["Range"] ?? request.headers["range"],
      context,
      initType: AdvancedRequestType.INIT_SEGMENT,
      mediaType: AdvancedRequestType.MEDIA_SEGMENT,
      live: player.isLive(),
      positionSec: player.getMediaElement()?.currentTime ?? 0,
      segmentUrlKey: this.engine.config.segmentUrlKey,
    });
    if (!segment) return undefined;
    // The digest service checks segments against the manifest: Shaka does not expose an HLS media
    // playlist's URL, so for HLS through Shaka the service may refuse and spot checks take over.
    segment.manifestUrl = assetUri;
    segment.playlistUrl = assetUri;
    const controller = new AbortController();
    const promise = this.engine
      .loadSegment(segment, {
        signal: controller.signal,
        http: httpPolicyOf(request),
        playerRequestSetup: shakaRequestSetup(request),
      })
      .then(
        (result): ShakaResponse => {
          const bps = peerDeliveryReportBps(
            this.engine.httpBandwidthBps,
            player.getStats().estimatedBandwidth,
          );
          const { ttfbMs, transferMs } = reportedTransfer(result, bps, this.engine.httpFirstByteMs);
          // A cache hit is the store's own memory: Shaka may hand what it gets to a worker.
          const data = result.source === "cache" ? result.data.slice() : result.data;
          return {
            uri,
            originalUri: uri,
            data,
            headers: {},
            originalRequest: request,
            status: segment.byteRange ? 206 : 200,
            timeMs: ttfbMs + transferMs,
            fromCache: false,
          };
        },
        (error: unknown) => {
          throw this.shakaError(error, uri, requestType);
        },
      );
    return new this.shaka.util.AbortableOperation(promise, () => {
      controller.abort();
      return promise.catch(() => undefined);
    });
  }

  /** A Nearcast failure as the shaka.util.Error Shaka's retry logic expects (RECOVERABLE: retry). */
  private shakaError(error: unknown, uri: string, requestType: number): Error {
    const ShakaError = this.shaka.util.Error;
    const { RECOVERABLE, CRITICAL } = ShakaError.Severity;
    const { NETWORK, PLAYER } = ShakaError.Category;
    if (error instanceof AbortError)
      return new ShakaError(CRITICAL, PLAYER, ShakaError.Code.OPERATION_ABORTED);
    if (error instanceof TimeoutError)
      return new ShakaError(RECOVERABLE, NETWORK, ShakaError.Code.TIMEOUT, uri, requestType);
    if (error instanceof HttpError && error.status > 0)
      return new ShakaError(
        RECOVERABLE,
        NETWORK,
        ShakaError.Code.BAD_HTTP_STATUS,
        uri,
        error.status,
        "",
        {},
        requestType,
        uri,
      );
    return new ShakaError(RECOVERABLE, NETWORK, ShakaError.Code.HTTP_ERROR, uri, error, requestType);
  }
}

/** Shaka's timeouts for one attempt as the core's HTTP policy; Shaka itself retries. */
export function httpPolicyOf(request: Pick<ShakaRequest, "retryParameters">): HttpPolicy {
  const { timeout, connectionTimeout } = request.retryParameters;
  const totalTimeoutMs = timeout > 0 ? timeout : NO_TIMEOUT_MS;
  const firstByteTimeoutMs =
    connectionTimeout > 0 ? Math.min(connectionTimeout, totalTimeoutMs) : totalTimeoutMs;
  return { firstByteTimeoutMs, totalTimeoutMs, retry: null };
}

/**
 * The headers Shaka's request carries — an app's request filters may have added tokens — and its
 * `allowCrossSiteCredentials`, applied to Nearcast's own requests for that segment. Nearcast owns
 * `Range`.
 */
export function shakaRequestSetup(
  request: Pick<ShakaRequest, "headers" | "allowCrossSiteCredentials">,
): HttpRequestSetup {
  return (spec) => {
    const headers = { ...spec.headers };
    for (const [name, value] of Object.entries(request.headers))
      if (name.toLowerCase() !== "range") headers[name] = value;
    return {
      ...spec,
      headers,
      credentials: request.allowCrossSiteCredentials ? "include" : spec.credentials,
    };
  };
}
