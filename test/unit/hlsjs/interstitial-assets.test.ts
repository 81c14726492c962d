import type Hls from "hls.js";
import { describe, expect, it } from "vitest";
import { InterstitialAssets, type PlayerBinding } from "../../../sdk/src/hlsjs/interstitial-assets.js";

/**
 * The event surface of an hls.js instance that InterstitialAssets uses, and its config object.
 * As in hls.js (EventEmitter3), `off(name, fn)` also removes a listener added with `once(name, fn)`.
 */
type Listener = ((event: string, data: unknown) => void) & {
  original?: (event: string, data: unknown) => void;
};

class FakeHls {
  static Events = {
    INTERSTITIAL_ASSET_PLAYER_CREATED: "assetPlayerCreated",
    LEVEL_LOADING: "levelLoading",
    AUDIO_TRACK_LOADING: "audioTrackLoading",
    DESTROYING: "destroying",
  };
  readonly config = {};
  media: HTMLMediaElement | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();
  on(name: string, fn: (event: string, data: unknown) => void) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(fn);
  }
  once(name: string, fn: (event: string, data: unknown) => void) {
    const wrapped: Listener = (event, data) => {
      this.off(name, fn);
      fn(event, data);
    };
    wrapped.original = fn;
    this.on(name, wrapped);
  }
  off(name: string, fn: (event: string, data: unknown) => void) {
    for (const listener of [...(this.listeners.get(name) ?? [])])
      if (listener === fn || listener.original === fn) this.listeners.get(name)!.delete(listener);
  }
  emit(name: string, data?: unknown) {
    for (const fn of [...(this.listeners.get(name) ?? [])]) fn(name, data);
  }
  get listenerCount() {
    return [...this.listeners.values()].reduce((n, set) => n + set.size, 0);
  }
}

const asHls = (fake: FakeHls) => fake as unknown as Hls;
const loaded = (swarmKey: string, source: "http" | "p2p", bytes: number) => ({
  segmentId: "s1",
  swarmKey,
  source,
  bytes,
  httpBytes: source === "http" ? bytes : 0,
  p2pBytes: source === "p2p" ? bytes : 0,
  elapsedMs: 1,
});

describe("InterstitialAssets", () => {
  it("binds each asset player to its asset's stream, joins its swarms, counts it apart", () => {
    const prepared: [PlayerBinding, string, number][] = [];
    const assets = new InterstitialAssets((binding, type, level) => prepared.push([binding, type, level]));
    const primary = new FakeHls();
    const stop = assets.follow(asHls(primary));
    const child = new FakeHls();
    primary.emit(FakeHls.Events.INTERSTITIAL_ASSET_PLAYER_CREATED, {
      asset: { uri: "https://ads/x/master.m3u8?_HLS_primary_id=abc" },
      player: { hls: child },
    });
    const binding = assets.bindingOf(child.config as Hls["config"])!;
    expect(binding.streamKey).toBe("https://ads/x/master.m3u8");
    expect(binding.interstitial).toBe(true);
    expect(assets.bindingOf(primary.config as Hls["config"])).toBeUndefined();

    child.emit(FakeHls.Events.LEVEL_LOADING, { level: 1 });
    child.emit(FakeHls.Events.AUDIO_TRACK_LOADING, { id: 0 });
    expect(prepared.map(([b, type, level]) => [b === binding, type, level])).toEqual([
      [true, "main", 1],
      [true, "audio", 0],
    ]);

    assets.onSegmentLoaded(loaded("https://ads/x/master.m3u8|v1", "p2p", 100));
    assets.onSegmentLoaded(loaded("https://ads/x/master.m3u8|v1", "http", 50));
    assets.onSegmentLoaded(loaded("https://cdn/main/master.m3u8|v1", "http", 999));
    expect(assets.snapshot()).toEqual({
      assetPlayers: 1,
      httpDownloadedBytes: 50,
      p2pDownloadedBytes: 100,
      segments: { http: 1, p2p: 1, cache: 0 },
    });

    child.media = {} as HTMLMediaElement;
    expect(assets.activeMedia()).toBe(child.media);
    stop();
    expect(assets.bindingOf(child.config as Hls["config"]), "after detach").toBeUndefined();
    expect(child.listenerCount + primary.listenerCount, "listeners left").toBe(0);
  });

  it("forgets an asset player when hls.js destroys it", () => {
    const assets = new InterstitialAssets(() => {});
    const primary = new FakeHls();
    assets.follow(asHls(primary));
    const child = new FakeHls();
    primary.emit(FakeHls.Events.INTERSTITIAL_ASSET_PLAYER_CREATED, {
      asset: { uri: "/ad.m3u8" },
      player: { hls: child },
    });
    child.emit(FakeHls.Events.DESTROYING);
    expect(assets.bindingOf(child.config as Hls["config"])).toBeUndefined();
    expect(child.listenerCount).toBe(0);
  });
});
