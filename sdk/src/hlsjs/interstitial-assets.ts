// HLS interstitials (hls.js ≥ 1.6, `EXT-X-DATERANGE` with `CLASS="com.apple.hls.interstitial"`):
// hls.js plays each asset (an ad, a bumper) in a child `Hls` it creates itself from the primary's
// user config, so the child loads its fragments through Nearcast's fLoader too, with
// `primarySessionId` set in its config. An asset is a stream of its own: its fragments are mapped
// with the child's levels, in swarms keyed by the asset's URI, and counted apart from the primary's.
import type Hls from "hls.js";
import type { HlsConfig, InterstitialAssetPlayerCreatedData } from "hls.js";
import type { NearcastEvents } from "../core/events.js";
import type { SegmentSource } from "../core/types.js";
import { defaultStreamKey } from "../engine/segment-identity.js";

/** Bytes and segments of interstitial assets, kept apart from the primary stream's. */
export interface InterstitialStats {
  /** Asset players hls.js created (each plays one asset of one interstitial). */
  assetPlayers: number;
  /** Bytes of asset segments over HTTP and from peers (also in the session totals). */
  httpDownloadedBytes: number;
  p2pDownloadedBytes: number;
  /** Asset segments handed to hls.js, by where their bytes came from. */
  segments: Record<SegmentSource, number>;
}

/** An hls.js instance whose fragments Nearcast loads, and the stream key its swarms share. */
export interface PlayerBinding {
  hls: Hls;
  streamKey: string;
  /** True for an interstitial asset's child player. */
  interstitial: boolean;
}

/** Asset stream keys remembered for stats; a session rarely plays more distinct assets. */
const MAX_ASSET_STREAMS = 256;

/**
 * Follows the asset players of one primary hls.js instance: binds each child (by its config object,
 * which is what hls.js hands the fLoader) to its asset's stream key, joins its renditions' swarms as
 * it loads them, and counts its deliveries. `prepare` joins a swarm for a binding's level/track.
 */
export class InterstitialAssets {
  private readonly byConfig = new WeakMap<HlsConfig, PlayerBinding>();
  private readonly children = new Set<PlayerBinding>();
  private readonly assetStreams = new Set<string>();
  private readonly counters: InterstitialStats = {
    assetPlayers: 0,
    httpDownloadedBytes: 0,
    p2pDownloadedBytes: 0,
    segments: { http: 0, p2p: 0, cache: 0 },
  };
  private readonly cleanups = new Set<() => void>();

  constructor(private readonly prepare: (binding: PlayerBinding, type: string, level: number) => void) {}

  /** Start following `primary`'s asset players; returns what stops it. */
  follow(primary: Hls): () => void {
    const Events = (primary.constructor as typeof Hls).Events;
    // hls.js < 1.6 has no interstitials: the event name is then undefined and nothing is followed.
    if (!Events.INTERSTITIAL_ASSET_PLAYER_CREATED) return () => {};
    const onCreated = (_: unknown, data: InterstitialAssetPlayerCreatedData) => {
      const child = data.player.hls;
      if (child) this.bind(child, data.asset.uri);
    };
    primary.on(Events.INTERSTITIAL_ASSET_PLAYER_CREATED, onCreated);
    return () => {
      primary.off(Events.INTERSTITIAL_ASSET_PLAYER_CREATED, onCreated);
      for (const stop of [...this.cleanups]) stop();
      this.children.clear();
    };
  }

  /** The child binding that owns a loader's hls.js config, if any. */
  bindingOf(config: HlsConfig): PlayerBinding | undefined {
    return this.byConfig.get(config);
  }

  /** The media element of the asset player that holds it now (hls.js transfers it for the break). */
  activeMedia(): HTMLMediaElement | null {
    for (const binding of this.children) if (binding.hls.media) return binding.hls.media;
    return null;
  }

  /** Count a delivery when it belongs to an asset's swarm. */
  onSegmentLoaded(event: NearcastEvents["segment-loaded"]): void {
    const cut = event.swarmKey.lastIndexOf("|");
    if (cut < 0 || !this.assetStreams.has(event.swarmKey.slice(0, cut))) return;
    this.counters.httpDownloadedBytes += event.httpBytes;
    this.counters.p2pDownloadedBytes += event.p2pBytes;
    this.counters.segments[event.source]++;
  }

  snapshot(): InterstitialStats {
    return { ...this.counters, segments: { ...this.counters.segments } };
  }

  private bind(child: Hls, assetUri: string): void {
    const Events = (child.constructor as typeof Hls).Events;
    const binding: PlayerBinding = {
      hls: child,
      streamKey: defaultStreamKey(absoluteUrl(assetUri)),
      interstitial: true,
    };
    this.byConfig.set(child.config, binding);
    this.children.add(binding);
    if (this.assetStreams.size >= MAX_ASSET_STREAMS) this.assetStreams.clear();
    this.assetStreams.add(binding.streamKey);
    this.counters.assetPlayers++;
    const onLevelLoading = (_: unknown, data: { level: number }) => this.prepare(binding, "main", data.level);
    const onAudioTrackLoading = (_: unknown, data: { id: number }) => this.prepare(binding, "audio", data.id);
    const stop = () => {
      child.off(Events.LEVEL_LOADING, onLevelLoading);
      child.off(Events.AUDIO_TRACK_LOADING, onAudioTrackLoading);
      child.off(Events.DESTROYING, stop);
      this.children.delete(binding);
      this.byConfig.delete(child.config);
      this.cleanups.delete(stop);
    };
    child.on(Events.LEVEL_LOADING, onLevelLoading);
    child.on(Events.AUDIO_TRACK_LOADING, onAudioTrackLoading);
    child.once(Events.DESTROYING, stop);
    this.cleanups.add(stop);
  }
}

/**
 * hls.js 1.7 hands an asset player X-ASSET-URI as written and loads it relative to the page: resolve
 * it the same way, so every viewer of one page names the asset alike.
 */
function absoluteUrl(uri: string): string {
  try {
    return new URL(uri, globalThis.location?.href).href;
  } catch {
    return uri;
  }
}
