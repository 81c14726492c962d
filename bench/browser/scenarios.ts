// The scenarios of the browser bench and how each client's page is configured for them. Every
// client of a scenario gets the same hls.js config and the same server; only the loader differs.
import type { BenchPageConfig, ClientName, HlsConfigJson } from "../pages/src/protocol.js";
import {
  costProfile,
  DEFAULT_HARD_OPTIONS,
  mixedRenditionProfile,
  PLAIN_PROFILE,
  weakUplinkProfile,
  type HardScenarioOptions,
  type ViewerProfile,
} from "./hard-scenarios.js";

export type ScenarioId =
  | "live"
  | "live-high-latency"
  | "vod-staggered"
  | "cdn-emulation"
  | "upload-limited"
  | "mixed-renditions"
  | "weak-uplinks"
  | "churn"
  | "viewer-cost-1mbps"
  | "viewer-cost-3mbps";

export const BASE_SCENARIO_IDS: readonly ScenarioId[] = [
  "live",
  "live-high-latency",
  "vod-staggered",
  "cdn-emulation",
  "upload-limited",
];

/** Issue 13's scenarios: mixed renditions, weak uplinks, churn, viewer cost at 1 and 3 Mbit/s. */
export const HARD_SCENARIO_IDS: readonly ScenarioId[] = [
  "mixed-renditions",
  "weak-uplinks",
  "churn",
  "viewer-cost-1mbps",
  "viewer-cost-3mbps",
];

export const SCENARIO_IDS: readonly ScenarioId[] = [...BASE_SCENARIO_IDS, ...HARD_SCENARIO_IDS];

/** What Nearcast must reach in a scenario (comparisons with p2p-media-loader apply to all). */
export interface ScenarioTargets {
  /** Nearcast's origin offload as a fraction of the 1 − 1/N ceiling, at least. */
  minOfCeiling?: number;
  /** Nearcast viewers must not stall at all. */
  zeroStalls?: boolean;
  /** Nearcast's startup median at most this many ms above HTTP-only's. */
  startupWithinMsOfHttp?: number;
  /** Offload as a fraction of the per-rendition ceiling (see metrics-hard.ts), at least. */
  minOfRenditionCeiling?: number;
  /** No Nearcast viewer on a lower level than the HTTP-only viewer with the same profile. */
  abrHonest?: boolean;
  /** Median start-up of viewers joining mid-run at most this many ms above HTTP-only's joiners. */
  joinerStartupWithinMsOfHttp?: number;
  /** Nearcast's main-thread time per viewer at most (1 + this) × HTTP-only's (median over viewers). */
  maxMainThreadOverhead?: number;
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  stream: "live" | "vod";
  hlsConfig: HlsConfigJson;
  /** Demo server settings (CDN emulation), the same for every client. */
  server: { cdnLatencyMs: number; cdnBandwidthKbps: number };
  /** Time between one viewer starting to play and the next one opening the page. */
  staggerMs: number;
  /** Per-viewer upload cap, bytes/s; 0 = none. */
  uploadCapBytesPerSec: number;
  targets: ScenarioTargets;
  /** Printed under the table: what differs between clients and why. */
  notes: string[];
  /** Viewers of this scenario (concurrent, for churn); undefined = the bench's `--viewers`. */
  viewers?: number;
  /** Each viewer's network and upload by join index; undefined = all {@link PLAIN_PROFILE}. */
  profile?: (index: number, viewers: number, watchMs: number) => ViewerProfile;
  /** One viewer leaves and a new one joins every `intervalMs` while the others are watched. */
  churn?: { intervalMs: number };
  /** Read each viewer's main-thread time, JS heap and a CPU profile over its watch (CDP). */
  measureCost?: boolean;
}

/** The profile of the viewer at join `index`. */
export function viewerProfile(
  scenario: Scenario,
  index: number,
  viewers: number,
  watchMs: number,
): ViewerProfile {
  return scenario.profile ? scenario.profile(index, viewers, watchMs) : PLAIN_PROFILE;
}

export interface ScenarioOptions extends HardScenarioOptions {
  /** Join spacing for live scenarios, ms. @default 2000 */
  liveStaggerMs: number;
  /** Join spacing for the VOD scenario, ms. @default 10000 */
  vodStaggerMs: number;
  /** Upload cap of the upload-limited scenario, kbit/s. @default 1000 */
  uploadKbps: number;
  /** CDN emulation: delay before each media response's first byte, ms. @default 150 */
  cdnLatencyMs: number;
  /** CDN emulation: bandwidth per media request, kbit/s. @default 3000 */
  cdnKbps: number;
}

export const DEFAULT_SCENARIO_OPTIONS: Readonly<ScenarioOptions> = {
  liveStaggerMs: 2000,
  vodStaggerMs: 10_000,
  uploadKbps: 1000,
  cdnLatencyMs: 150,
  cdnKbps: 3000,
  ...DEFAULT_HARD_OPTIONS,
};

/** hls.js's own default, pinned because p2p-media-loader raises it when the page leaves it unset. */
export const HLS_DEFAULT_LIVE_SYNC_DURATION_COUNT = 3;
export const HIGH_LATENCY_LIVE_SYNC_DURATION_COUNT = 12;

const LATENCY_NOTE =
  "liveSyncDurationCount is set explicitly for every client: left unset, p2p-media-loader raises it to " +
  "(playlist length − 1) segments, i.e. plays ~38 s behind the live edge instead of hls.js's 6 s.";

export function buildScenario(id: ScenarioId, options: ScenarioOptions = DEFAULT_SCENARIO_OPTIONS): Scenario {
  const noCdn = { cdnLatencyMs: 0, cdnBandwidthKbps: 0 };
  const liveDefault = { liveSyncDurationCount: HLS_DEFAULT_LIVE_SYNC_DURATION_COUNT };
  switch (id) {
    case "live":
      return {
        id,
        title: `Live, hls.js default latency (liveSyncDurationCount ${HLS_DEFAULT_LIVE_SYNC_DURATION_COUNT})`,
        stream: "live",
        hlsConfig: liveDefault,
        server: noCdn,
        staggerMs: options.liveStaggerMs,
        uploadCapBytesPerSec: 0,
        targets: { minOfCeiling: 0.9, zeroStalls: true, startupWithinMsOfHttp: 100 },
        notes: [LATENCY_NOTE],
      };
    case "live-high-latency":
      return {
        id,
        title: `Live, higher latency (liveSyncDurationCount ${HIGH_LATENCY_LIVE_SYNC_DURATION_COUNT})`,
        stream: "live",
        hlsConfig: { liveSyncDurationCount: HIGH_LATENCY_LIVE_SYNC_DURATION_COUNT },
        server: noCdn,
        staggerMs: options.liveStaggerMs,
        uploadCapBytesPerSec: 0,
        targets: { minOfCeiling: 0.95 },
        notes: [],
      };
    case "vod-staggered":
      return {
        id,
        title: `VOD, viewers joining ${options.vodStaggerMs / 1000} s apart`,
        stream: "vod",
        hlsConfig: {},
        server: noCdn,
        staggerMs: options.vodStaggerMs,
        uploadCapBytesPerSec: 0,
        targets: { minOfCeiling: 0.85 },
        notes: [],
      };
    case "cdn-emulation":
      return {
        id,
        title:
          `Live, default latency, CDN emulation (${options.cdnLatencyMs} ms to first byte, ` +
          `${options.cdnKbps} kbit/s per request)`,
        stream: "live",
        hlsConfig: liveDefault,
        server: { cdnLatencyMs: options.cdnLatencyMs, cdnBandwidthKbps: options.cdnKbps },
        staggerMs: options.liveStaggerMs,
        uploadCapBytesPerSec: 0,
        targets: {},
        notes: [LATENCY_NOTE],
      };
    case "upload-limited":
      return {
        id,
        title: `Live, default latency, each viewer's upload capped at ${options.uploadKbps} kbit/s`,
        stream: "live",
        hlsConfig: liveDefault,
        server: noCdn,
        staggerMs: options.liveStaggerMs,
        uploadCapBytesPerSec: Math.round((options.uploadKbps * 1000) / 8),
        targets: {},
        notes: [
          LATENCY_NOTE,
          "p2p-media-loader has no upload rate limit (only isP2PUploadDisabled, all or nothing): it runs uncapped here.",
        ],
      };
    default:
      return buildHardScenario(id, options);
  }
}

const DOWNLINK_NOTE =
  "Downlinks are Chrome DevTools network emulation (Network.emulateNetworkConditions, +20 ms latency): " +
  "it throttles each page's HTTP, not its WebRTC data channels.";

function buildHardScenario(id: ScenarioId, options: ScenarioOptions): Scenario {
  const common = {
    stream: "live" as const,
    hlsConfig: { liveSyncDurationCount: HLS_DEFAULT_LIVE_SYNC_DURATION_COUNT },
    server: { cdnLatencyMs: 0, cdnBandwidthKbps: 0 },
    staggerMs: options.liveStaggerMs,
    uploadCapBytesPerSec: 0,
  };
  switch (id) {
    case "mixed-renditions":
      return {
        ...common,
        id,
        title:
          `Live, mixed renditions: ${options.mixedViewers} viewers throttled to 700 / 1100 / 4000 kbit/s ` +
          "in turn, the last one switching 4000 → 700 → 4000",
        viewers: options.mixedViewers,
        profile: mixedRenditionProfile,
        targets: { minOfRenditionCeiling: 0.9, zeroStalls: true, abrHonest: true },
        notes: [DOWNLINK_NOTE, LATENCY_NOTE],
      };
    case "weak-uplinks":
      return {
        ...common,
        id,
        title:
          `Live, weak uplinks: of ${options.weakViewers} viewers a quarter upload nothing, half are capped ` +
          `at ${options.weakUploadKbps} kbit/s`,
        viewers: options.weakViewers,
        profile: (index) => weakUplinkProfile(index, options.weakUploadKbps),
        targets: { minOfCeiling: 0.85, zeroStalls: true },
        notes: [
          LATENCY_NOTE,
          "p2p-media-loader has no upload rate limit: its capped half runs uncapped; its upload-off quarter " +
            "sets isP2PUploadDisabled.",
        ],
      };
    case "churn":
      return {
        ...common,
        id,
        title:
          `Live, churn: ${options.churnViewers} viewers, every ${options.churnIntervalMs / 1000} s the ` +
          "longest-present one leaves and a new one joins",
        viewers: options.churnViewers,
        churn: { intervalMs: options.churnIntervalMs },
        targets: { minOfCeiling: 0.85, zeroStalls: true, joinerStartupWithinMsOfHttp: 150 },
        notes: [
          LATENCY_NOTE,
          "× ceiling uses 1 − 1/N with N the concurrent viewers; the per-file ceiling beside it accounts " +
            "for viewers that saw only part of the run.",
        ],
      };
    case "viewer-cost-1mbps":
    case "viewer-cost-3mbps": {
      const downlinkKbps = id === "viewer-cost-1mbps" ? 1000 : 3000;
      return {
        ...common,
        id,
        title: `Viewer cost: ${options.costViewers} viewers, each on a ${downlinkKbps / 1000} Mbit/s downlink`,
        viewers: options.costViewers,
        profile: () => costProfile(downlinkKbps),
        measureCost: true,
        targets: { maxMainThreadOverhead: 0.25 },
        notes: [
          DOWNLINK_NOTE,
          "Main-thread time = Δ Performance.getMetrics TaskDuration over each viewer's watch; every viewer " +
            "of every client also runs the V8 sampling profiler (1 ms), so the overhead is the same for all.",
        ],
      };
    }
    default:
      throw new Error(`unknown scenario ${id}`);
  }
}

export interface Endpoints {
  /** Base URL of the demo server (origin + Nearcast's tracker), e.g. http://127.0.0.1:41234. */
  serverUrl: string;
  /** ws:// URL of the bittorrent-tracker server used by p2p-media-loader. */
  btTrackerUrl: string | undefined;
}

export function manifestUrl(scenario: Scenario, serverUrl: string): string {
  return `${serverUrl}/streams/demo/${scenario.stream}/master.m3u8`;
}

/** The page config of one client in one scenario. */
export function pageConfigFor(
  scenario: Scenario,
  client: ClientName,
  endpoints: Endpoints,
  profile: ViewerProfile = PLAIN_PROFILE,
): BenchPageConfig {
  const uploadCap = profile.uploadCapBytesPerSec || scenario.uploadCapBytesPerSec;
  const base: BenchPageConfig = {
    client,
    src: manifestUrl(scenario, endpoints.serverUrl),
    hlsConfig: { ...scenario.hlsConfig },
  };
  switch (client) {
    case "http":
      return base;
    case "nearcast":
      return {
        ...base,
        nearcast: {
          trackerUrls: [`${endpoints.serverUrl.replace(/^http/, "ws")}/tracker`],
          ...(uploadCap > 0 ? { maxUploadBytesPerSec: uploadCap } : {}),
          ...(profile.uploadOff ? { uploadEnabled: false } : {}),
        },
      };
    case "p2pml": {
      if (!endpoints.btTrackerUrl) throw new Error("p2p-media-loader needs a bittorrent-tracker URL");
      return {
        ...base,
        // Its defaults, except: our tracker instead of public ones, and no STUN servers (none is
        // reachable here; with them, ICE gathering waits for their timeouts before offering).
        p2pml: {
          announceTrackers: [endpoints.btTrackerUrl],
          rtcConfig: { iceServers: [] },
          ...(profile.uploadOff ? { isP2PUploadDisabled: true } : {}),
        },
      };
    }
  }
}
