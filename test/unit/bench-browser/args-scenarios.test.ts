import { describe, expect, it } from "vitest";
import { BenchArgsError, parseBenchArgs } from "../../../bench/browser/args.js";
import {
  buildScenario,
  DEFAULT_SCENARIO_OPTIONS,
  pageConfigFor,
  SCENARIO_IDS,
} from "../../../bench/browser/scenarios.js";
import { mediaKeyOf, sequenceOf } from "../../../bench/pages/src/media-key.js";
import { CLIENT_NAMES } from "../../../bench/pages/src/protocol.js";

describe("parseBenchArgs", () => {
  it("defaults to the full bench", () => {
    const args = parseBenchArgs([]);
    expect(args).toMatchObject({ viewers: 6, watchMs: 60_000, quick: false, out: undefined, help: false });
    expect(args.scenarios).toEqual(SCENARIO_IDS);
    expect(args.clients).toEqual(["http", "nearcast", "p2pml"]);
    expect(args.scenarioOptions).toEqual(DEFAULT_SCENARIO_OPTIONS);
  });

  it("--quick shrinks the defaults; explicit flags still win", () => {
    expect(parseBenchArgs(["--quick"])).toMatchObject({
      viewers: 4,
      watchMs: 30_000,
      scenarios: ["live", "live-high-latency"],
    });
    expect(parseBenchArgs(["--quick", "--viewers", "3", "--scenarios", "vod-staggered"])).toMatchObject({
      viewers: 3,
      scenarios: ["vod-staggered"],
    });
  });

  it("keeps the canonical order of lists and drops duplicates", () => {
    const args = parseBenchArgs(["--clients", "p2pml,http,p2pml", "--scenarios", "upload-limited, live"]);
    expect(args.clients).toEqual(["http", "p2pml"]);
    expect(args.scenarios).toEqual(["live", "upload-limited"]);
  });

  it("reads the scenario knobs", () => {
    const args = parseBenchArgs([
      "--live-stagger-sec=1.5",
      "--vod-stagger-sec=0",
      "--upload-kbps=800",
      "--cdn-latency-ms=50",
      "--cdn-kbps=2000",
      "--watch-sec=12.5",
      "--out=x.json",
    ]);
    expect(args.scenarioOptions).toEqual({
      ...DEFAULT_SCENARIO_OPTIONS,
      liveStaggerMs: 1500,
      vodStaggerMs: 0,
      uploadKbps: 800,
      cdnLatencyMs: 50,
      cdnKbps: 2000,
    });
    expect(args.watchMs).toBe(12_500);
    expect(args.out).toBe("x.json");
  });

  it("rejects what cannot run, naming the flag", () => {
    for (const argv of [
      ["--viewers", "1"],
      ["--viewers", "2.5"],
      ["--viewers", ""],
      ["--watch-sec", "0"],
      ["--watch-sec", "abc"],
      ["--scenarios", "live,vod"],
      ["--clients", ","],
      ["--cdn-kbps", "1.5"],
      ["--nope"],
      ["positional"],
    ]) {
      expect(() => parseBenchArgs(argv), argv.join(" ")).toThrow(BenchArgsError);
    }
    expect(() => parseBenchArgs(["--scenarios", "vod"])).toThrow(/--scenarios: unknown "vod"/);
  });
});

describe("scenarios", () => {
  const endpoints = { serverUrl: "http://127.0.0.1:4000", btTrackerUrl: "ws://127.0.0.1:5000" };

  it("gives every client of a scenario the same stream and hls.js config", () => {
    for (const id of SCENARIO_IDS) {
      const scenario = buildScenario(id);
      const configs = CLIENT_NAMES.map((client) => pageConfigFor(scenario, client, endpoints));
      for (const config of configs) {
        expect(config.src).toBe(configs[0]?.src);
        expect(config.hlsConfig).toEqual(scenario.hlsConfig);
      }
    }
  });

  it("pins liveSyncDurationCount in live scenarios (p2p-media-loader raises it when unset)", () => {
    expect(buildScenario("live").hlsConfig).toEqual({ liveSyncDurationCount: 3 });
    expect(buildScenario("live-high-latency").hlsConfig).toEqual({ liveSyncDurationCount: 12 });
    expect(buildScenario("cdn-emulation").hlsConfig).toEqual({ liveSyncDurationCount: 3 });
    expect(buildScenario("vod-staggered").stream).toBe("vod");
  });

  it("configures each client's P2P for the bench machine", () => {
    const scenario = buildScenario("upload-limited", { ...DEFAULT_SCENARIO_OPTIONS, uploadKbps: 800 });
    expect(scenario.uploadCapBytesPerSec).toBe(100_000);
    expect(pageConfigFor(scenario, "http", endpoints)).toEqual({
      client: "http",
      src: "http://127.0.0.1:4000/streams/demo/live/master.m3u8",
      hlsConfig: { liveSyncDurationCount: 3 },
    });
    expect(pageConfigFor(scenario, "nearcast", endpoints).nearcast).toEqual({
      trackerUrls: ["ws://127.0.0.1:4000/tracker"],
      rtcConfiguration: { iceServers: [] },
      maxUploadBytesPerSec: 100_000,
    });
    expect(pageConfigFor(scenario, "p2pml", endpoints).p2pml).toEqual({
      announceTrackers: ["ws://127.0.0.1:5000"],
      rtcConfig: { iceServers: [] },
    });
    expect(pageConfigFor(buildScenario("live"), "nearcast", endpoints).nearcast).toEqual({
      trackerUrls: ["ws://127.0.0.1:4000/tracker"],
      rtcConfiguration: { iceServers: [] },
    });
    expect(() =>
      pageConfigFor(scenario, "p2pml", { serverUrl: endpoints.serverUrl, btTrackerUrl: undefined }),
    ).toThrow(/bittorrent-tracker/);
  });

  it("with tc: the origin's first-byte delay on media and playlists everywhere, cdn-emulation's own CDN settings there", () => {
    for (const id of SCENARIO_IDS) {
      const scenario = buildScenario(id);
      expect(scenario.shaping).toBe("tc");
      expect(scenario.link).toEqual({ downKbps: 20_000, upKbps: 5000 });
      if (id === "cdn-emulation")
        expect(scenario.server).toEqual({ cdnLatencyMs: 150, cdnBandwidthKbps: 3000 });
      else
        expect(scenario.server).toEqual({
          cdnLatencyMs: 100,
          cdnBandwidthKbps: 0,
          cdnPlaylistLatencyMs: 100,
        });
    }
  });

  it("--origin-delay-media-only: playlists undelayed, as the bench measured before", () => {
    const options = parseBenchArgs(["--origin-delay-ms", "150", "--origin-delay-media-only"]).scenarioOptions;
    expect(buildScenario("live", options).server).toEqual({
      cdnLatencyMs: 150,
      cdnBandwidthKbps: 0,
      cdnPlaylistLatencyMs: 0,
    });
  });

  it("with --shaping devtools: the bench before issue 22 (CDN emulation in cdn-emulation only, no links)", () => {
    const options = parseBenchArgs(["--shaping", "devtools"]).scenarioOptions;
    for (const id of SCENARIO_IDS) {
      const scenario = buildScenario(id, options);
      expect(scenario).toMatchObject({ shaping: "devtools", link: { downKbps: 0, upKbps: 0 } });
      if (id === "cdn-emulation")
        expect(scenario.server).toEqual({ cdnLatencyMs: 150, cdnBandwidthKbps: 3000 });
      else expect(scenario.server).toEqual({ cdnLatencyMs: 0, cdnBandwidthKbps: 0 });
    }
  });

  it("trust-live: an origin without digests, nearcast-unverified = allowUnverifiedPeers, on demand only", () => {
    const scenario = buildScenario("trust-live");
    expect(scenario).toMatchObject({
      stream: "live",
      publishDigests: false,
      hlsConfig: { liveSyncDurationCount: 3 },
    });
    expect(pageConfigFor(scenario, "nearcast-unverified", endpoints)).toMatchObject({
      client: "nearcast-unverified",
      nearcast: { trackerUrls: ["ws://127.0.0.1:4000/tracker"], allowUnverifiedPeers: true },
    });
    expect(pageConfigFor(scenario, "nearcast", endpoints).nearcast).not.toHaveProperty(
      "allowUnverifiedPeers",
    );
    expect(SCENARIO_IDS).not.toContain("trust-live");
    expect(
      parseBenchArgs(["--scenarios", "trust-live", "--clients", "nearcast-unverified,http,nearcast"]),
    ).toMatchObject({ scenarios: ["trust-live"], clients: ["http", "nearcast", "nearcast-unverified"] });
  });

  it("warm-join: live and VOD as usual, every client starting from a 5 Mbit/s estimate, on demand only", () => {
    const live = buildScenario("live-warm-join");
    expect(live).toMatchObject({
      stream: "live",
      staggerMs: DEFAULT_SCENARIO_OPTIONS.liveStaggerMs,
      hlsConfig: { liveSyncDurationCount: 3, abrEwmaDefaultEstimate: 5_000_000 },
      server: { cdnLatencyMs: DEFAULT_SCENARIO_OPTIONS.originDelayMs },
      targets: { startupWithinMsOfHttp: 0 },
    });
    const vod = buildScenario("vod-warm-join");
    expect(vod).toMatchObject({
      stream: "vod",
      staggerMs: DEFAULT_SCENARIO_OPTIONS.vodStaggerMs,
      hlsConfig: { abrEwmaDefaultEstimate: 5_000_000 },
    });
    expect(pageConfigFor(vod, "http", endpoints).hlsConfig).toEqual(
      pageConfigFor(vod, "nearcast", endpoints).hlsConfig,
    );
    expect(SCENARIO_IDS).not.toContain("live-warm-join");
    expect(parseBenchArgs(["--scenarios", "vod-warm-join,live-warm-join"]).scenarios).toEqual([
      "live-warm-join",
      "vod-warm-join",
    ]);
  });

  it("reads the shaping flags and rejects an unknown mode", () => {
    expect(
      parseBenchArgs(["--link-down-kbps", "8000", "--link-up-kbps", "1000", "--origin-delay-ms", "80"])
        .scenarioOptions,
    ).toMatchObject({ shaping: "tc", linkDownKbps: 8000, linkUpKbps: 1000, originDelayMs: 80 });
    expect(() => parseBenchArgs(["--shaping", "netem"])).toThrow(/--shaping must be tc or devtools/);
    expect(() => parseBenchArgs(["--link-up-kbps", "0"])).toThrow(/--link-up-kbps/);
  });
});

describe("media keys", () => {
  it("reads rendition and sequence from origin URLs", () => {
    expect(mediaKeyOf("http://127.0.0.1:1/streams/demo/live/540p/seg-live-812.ts")).toEqual({
      rendition: "demo/540p",
      sequence: 812,
    });
    expect(mediaKeyOf("/streams/demo-fmp4/vod/360p/seg-00012.m4s?token=1")).toEqual({
      rendition: "demo-fmp4/360p",
      sequence: 12,
    });
    expect(mediaKeyOf("/streams/demo-fmp4/vod/360p/init.mp4")).toEqual({
      rendition: "demo-fmp4/360p",
      sequence: null,
    });
  });

  it("ignores anything else", () => {
    expect(mediaKeyOf("/streams/demo/live/master.m3u8")).toBeNull();
    expect(mediaKeyOf("/other/demo/live/540p/seg-1.ts")).toBeNull();
    expect(mediaKeyOf("http://[bad")).toBeNull();
    expect(sequenceOf("seg.ts")).toBeNull();
    expect(sequenceOf("seg-007.ts")).toBe(7);
  });
});
