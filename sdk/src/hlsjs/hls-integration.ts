import type Hls from "hls.js";
import type { FragmentLoaderConstructor, FragmentLoaderContext, HlsConfig } from "hls.js";
import type { NearcastConfig } from "../core/config.js";
import { Engine } from "../engine/engine.js";
import type { Platform } from "../engine/platform.js";
import type { NearcastEvents } from "../core/events.js";
import type { NearcastStats } from "../core/stats.js";
import type { SegmentRequest } from "../core/types.js";
import { readPlayback } from "../engine/media-playback.js";
import { defaultStreamKey } from "../engine/segment-identity.js";
import { createFragmentLoaderClass } from "./fragment-loader.js";
import { InterstitialAssets, type InterstitialStats, type PlayerBinding } from "./interstitial-assets.js";
import { watchNativePlayback } from "./native-playback-watch.js";
import { swarmKeyOf, toSegmentRequest, trackKeyOf, type FragLike, type HlsLike } from "./segment-mapping.js";

/** {@link Nearcast.getStats}: the engine's snapshot plus interstitial assets' share of it. */
export type NearcastHlsStats = NearcastStats & { interstitials: InterstitialStats };

/**
 * Nearcast for hls.js. Either
 *
 * ```ts
 * const nearcast = new Nearcast({ trackerUrls: ["wss://tracker.example/tracker"] });
 * const hls = new Hls({ ...nearcast.hlsConfig() });
 * nearcast.attach(hls);
 * ```
 *
 * or in one step with {@link withNearcast}.
 *
 * Interstitial assets (hls.js ≥ 1.6 plays each in a child `Hls` that inherits this loader) are
 * followed too: each asset is a stream of its own, with swarms keyed by its URI, and its bytes are
 * counted apart in `getStats().interstitials` (see `interstitial-assets.ts`).
 */
export class Nearcast {
  readonly engine: Engine;
  private hls: Hls | undefined;
  private streamKey: string | undefined;
  private readonly fLoader: FragmentLoaderConstructor;
  private detachListeners: (() => void) | undefined;
  private readonly assets = new InterstitialAssets((binding, type, level) =>
    this.prepare(binding, type, level),
  );

  constructor(config: Partial<NearcastConfig> = {}, platform: Platform = {}) {
    this.engine = new Engine(config, platform);
    this.fLoader = createFragmentLoaderClass({
      engine: this.engine,
      toRequest: (context, hlsConfig) => this.toRequest(context, hlsConfig),
      playerBandwidthEstimate: (hlsConfig) => this.bindingOf(hlsConfig)?.hls.bandwidthEstimate ?? Number.NaN,
    });
    this.engine.on("segment-loaded", (event) => this.assets.onSegmentLoaded(event));
  }

  /**
   * This viewer's peer id on the tracker and in other viewers' `getStats().peers` (undefined while
   * P2P is off). Pages show it to tell viewers apart.
   */
  get peerId(): string | undefined {
    return this.engine.peerId;
  }

  /** The hls.js config keys Nearcast needs: spread them into `new Hls({...})`. */
  hlsConfig(): Pick<HlsConfig, "fLoader"> {
    return { fLoader: this.fLoader };
  }

  /**
   * Follow an hls.js instance: its manifest names the stream, its media element the playhead. When
   * that player is destroyed (`hls.destroy()`), P2P is released — tracker socket, peer connections,
   * stored segments — and the next `attach()` starts it again with a fresh peer id.
   *
   * If that instance turns out not to drive playback — the page gave the stream to the browser's own
   * HLS player instead (`video.src = "….m3u8"`, as "native if canPlayType" code does on Chrome 147+
   * and Safari) — a `warning` event says so, once per attach (see `native-playback-watch.ts`).
   */
  attach(hls: Hls): void {
    this.detach();
    this.engine.resumeP2P();
    this.hls = hls;
    const Events = (hls.constructor as typeof Hls).Events;
    const onManifestLoading = (_: unknown, data: { url: string }) => this.setManifestUrl(data.url);
    // A page may destroy its player and never call our destroy() (an SPA leaving the view): the
    // player is gone, so are our reasons to hold a tracker socket and peer connections.
    const onDestroying = () => {
      this.detach();
      this.engine.suspendP2P();
    };
    // Join a rendition's swarm as soon as hls.js picks it, so peer connections are being set up
    // while its playlist loads rather than after the first fragment is already due; the swarm of the
    // rendition it replaces is left after a short grace (SwarmMembership).
    const onLevelLoading = (_: unknown, data: { level: number }) =>
      this.prepare(this.bindingOf(hls.config), "main", data.level);
    const onAudioTrackLoading = (_: unknown, data: { id: number }) =>
      this.prepare(this.bindingOf(hls.config), "audio", data.id);
    hls.on(Events.MANIFEST_LOADING, onManifestLoading);
    hls.on(Events.DESTROYING, onDestroying);
    hls.on(Events.LEVEL_LOADING, onLevelLoading);
    hls.on(Events.AUDIO_TRACK_LOADING, onAudioTrackLoading);
    if (hls.url) this.setManifestUrl(hls.url);
    // During an interstitial break hls.js transfers the media element to the asset's player.
    this.engine.setPlaybackSource(() => readPlayback(this.hls?.media ?? this.assets.activeMedia()));
    const stopAssets = this.assets.follow(hls);
    const stopWatch = watchNativePlayback(hls, (message) => this.engine.warn("native-playback", message));
    this.detachListeners = () => {
      hls.off(Events.MANIFEST_LOADING, onManifestLoading);
      hls.off(Events.DESTROYING, onDestroying);
      hls.off(Events.LEVEL_LOADING, onLevelLoading);
      hls.off(Events.AUDIO_TRACK_LOADING, onAudioTrackLoading);
      stopAssets();
      stopWatch();
    };
  }

  detach(): void {
    this.detachListeners?.();
    this.detachListeners = undefined;
    this.hls = undefined;
    this.engine.setPlaybackSource(() => undefined);
  }

  on<K extends keyof NearcastEvents>(event: K, listener: (arg: NearcastEvents[K]) => void): () => void {
    return this.engine.on(event, listener);
  }

  off<K extends keyof NearcastEvents>(event: K, listener: (arg: NearcastEvents[K]) => void): void {
    this.engine.off(event, listener);
  }

  /** The engine's stats snapshot (interstitial assets included) and, apart, the assets' share. */
  getStats(): NearcastHlsStats {
    return { ...this.engine.getStats(), interstitials: this.assets.snapshot() };
  }

  get config(): Readonly<NearcastConfig> {
    return this.engine.config;
  }

  /** Detach and stop all P2P activity. Idempotent; nothing fires afterwards. */
  destroy(): void {
    this.detach();
    this.engine.destroy();
  }

  private setManifestUrl(url: string): void {
    this.streamKey = this.engine.config.streamId ?? defaultStreamKey(url);
  }

  /** The primary player's binding, or an interstitial asset player's (by its config object). */
  private bindingOf(hlsConfig: HlsConfig): PlayerBinding | undefined {
    const hls = this.hls;
    if (hls && this.streamKey && hlsConfig === hls.config)
      return { hls, streamKey: this.streamKey, interstitial: false };
    return this.assets.bindingOf(hlsConfig);
  }

  private prepare(binding: PlayerBinding | undefined, type: string, level: number): void {
    if (!binding) return;
    const swarmKey = swarmKeyOf(binding.hls as unknown as HlsLike, binding.streamKey, type, level);
    if (swarmKey) this.engine.prepareSwarm(swarmKey, trackKeyOf(binding.streamKey, type));
  }

  private toRequest(context: FragmentLoaderContext, hlsConfig: HlsConfig): SegmentRequest | undefined {
    // An asset player Nearcast does not follow (created before attach) stays with hls.js's loader.
    const binding = this.bindingOf(hlsConfig);
    if (!binding) return undefined;
    const { hls, streamKey } = binding;
    // LL-HLS parts stay on HTTP: they exist for a few hundred milliseconds at the live edge, are
    // requested the moment the (blocking) playlist names them, and no peer can have one sooner than
    // the CDN. Whole segments (hls.js loads those away from the live edge) are shared as usual.
    if (context.part) return undefined;
    const request = toSegmentRequest(
      hls as unknown as HlsLike,
      streamKey,
      context.frag as unknown as FragLike,
      context.url,
      context.rangeStart,
      context.rangeEnd,
      {
        segmentUrlKey: this.engine.config.segmentUrlKey,
        warn: (message) => this.engine.warn("digest-tag", message),
      },
    );
    const frag = context.frag;
    if (!request) return undefined;
    if (frag.type === "main" && hls.autoLevelEnabled && frag.level < hls.maxAutoLevel)
      request.canSwitchUp = true;
    // What the digest service checks the segment against (the trust ladder asks it for peer bytes).
    if (frag.baseurl) request.playlistUrl = frag.baseurl;
    if (hls.url) request.manifestUrl = hls.url;
    return request;
  }
}

type HlsConstructor = new (config?: Partial<HlsConfig>) => Hls;

/** Options for an hls.js class made by {@link withNearcast}: hls.js config plus `nearcast`. */
export type HlsWithNearcastConfig = Partial<HlsConfig> & {
  nearcast?: Partial<NearcastConfig>;
  nearcastPlatform?: Platform;
};

/**
 * Extend an hls.js class so that `new HlsWithNearcast({ nearcast: {...} })` plays with Nearcast,
 * exposed as `hls.nearcast`. Destroying the player destroys its Nearcast.
 */
export function withNearcast<H extends HlsConstructor>(
  HlsClass: H,
): H & (new (config?: HlsWithNearcastConfig) => InstanceType<H> & { readonly nearcast: Nearcast }) {
  return class HlsWithNearcast extends (HlsClass as HlsConstructor) {
    readonly nearcast: Nearcast;

    constructor(config: HlsWithNearcastConfig = {}) {
      const { nearcast: nearcastConfig, nearcastPlatform, ...hlsConfig } = config;
      const nearcast = new Nearcast(nearcastConfig, nearcastPlatform);
      super({ ...hlsConfig, ...nearcast.hlsConfig() });
      this.nearcast = nearcast;
      nearcast.attach(this);
      const Events = (HlsClass as unknown as typeof Hls).Events;
      this.once(Events.DESTROYING, () => nearcast.destroy());
    }
  } as unknown as H &
    (new (config?: HlsWithNearcastConfig) => InstanceType<H> & { readonly nearcast: Nearcast });
}
