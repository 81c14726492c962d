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
  type ShapingMode,
  type ViewerProfile,
} from "./hard-scenarios.js";
import type { LinkRates } from "../../test/support/netns/shaped-lan.js";

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
  | "viewer-cost-3mbps"
  | "trust-live"
  | "live-warm-join"
  | "vod-warm-join";

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

/** The scenarios of a run that names none. */
export const SCENARIO_IDS: readonly ScenarioId[] = [...BASE_SCENARIO_IDS, ...HARD_SCENARIO_IDS];

/**
 * Issue 18's trust bench: run on demand with `--clients http,nearcast,nearcast-unverified` (its
 * comparison needs the `-unverified` client, which the default runs leave out).
 */
export const TRUST_SCENARIO_IDS: readonly ScenarioId[] = ["trust-live"];

/**
 * Issue 22's start-up scenarios: joiners into a warm swarm whose peers hold the joiner's first
 * segments (run on demand, like the trust scenario).
 */
export const STARTUP_SCENARIO_IDS: readonly ScenarioId[] = ["live-warm-join", "vod-warm-join"];

/** Every scenario `--scenarios` accepts. */
export const ALL_SCENARIO_IDS: readonly ScenarioId[] = [
  ...SCENARIO_IDS,
  ...TRUST_SCENARIO_IDS,
  ...STARTUP_SCENARIO_IDS,
];

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
  /**
   * Issue 18: from `fromViewers` viewers on, Nearcast's origin offload (every verification fetch
   * included) at least `minOffload`, and at most `maxCost` below `nearcast-unverified`'s in the same run.
   */
  trust?: { fromViewers: number; minOffload: number; maxCost: number };
}

export interface Scenario {
  id: ScenarioId;
  title: string;
  stream: "live" | "vod";
  hlsConfig: HlsConfigJson;
  /**
   * Demo server settings (CDN emulation), the same for every client: media first-byte delay (ms),
   * per-request bandwidth (kbit/s), playlist delay (ms, absent = 0). 0 = off.
   */
  server: { cdnLatencyMs: number; cdnBandwidthKbps: number; cdnPlaylistLatencyMs?: number };
  /** How viewers' networks are shaped (see {@link ShapingMode}). */
  shaping: ShapingMode;
  /** With tc: the link of a viewer whose profile names no rate, kbit/s each way ({0, 0} with DevTools). */
  link: LinkRates;
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
  /**
   * The origin publishes `#EXT-X-NEARCAST-SHA256` digests (the demo server's default). False: an
   * origin like a plain CDN's, so Nearcast's trust ladder falls to the digest service or spot checks.
   * @default true
   */
  publishDigests?: boolean;
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

/**
 * The link a viewer gets with tc: the profile's downlink or the scenario's, and the profile's uplink
 * or the scenario's, but never faster up than down (a 700 kbit/s line does not upload 5 Mbit/s).
 */
export function viewerLink(scenario: Scenario, profile: ViewerProfile): LinkRates {
  const downKbps = profile.downlinkKbps || scenario.link.downKbps;
  const upKbps = profile.uplinkKbps || Math.min(scenario.link.upKbps, downKbps || scenario.link.upKbps);
  return { downKbps, upKbps };
}

export interface ScenarioOptions extends HardScenarioOptions {
  /** tc on a link per viewer namespace, or DevTools emulation of HTTP only (the old bench). @default "tc" */
  shaping: ShapingMode;
  /** tc: downlink of a viewer whose profile names none, kbit/s. @default 20000 */
  linkDownKbps: number;
  /** tc: uplink of a viewer whose profile names none, kbit/s. @default 5000 */
  linkUpKbps: number;
  /**
   * tc: the CDN's distance, as the origin's delay before each response's first byte (media and
   * playlists, as from a far CDN), ms, in every scenario that does not set its own CDN emulation.
   * (No kernel delay here: no netem.) @default 100
   */
  originDelayMs: number;
  /**
   * tc: apply {@link originDelayMs} to media responses only, as the bench did before (playlists
   * undelayed), to compare with figures measured that way. @default false
   */
  originDelayMediaOnly: boolean;
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
  shaping: "tc",
  linkDownKbps: 20_000,
  linkUpKbps: 5000,
  originDelayMs: 100,
  originDelayMediaOnly: false,
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
  const scenario = buildUnshapedScenario(id, options);
  if (options.shaping === "devtools") return scenario;
  const ownCdn = scenario.server.cdnLatencyMs > 0 || scenario.server.cdnBandwidthKbps > 0;
  return {
    ...scenario,
    shaping: "tc",
    link: { downKbps: options.linkDownKbps, upKbps: options.linkUpKbps },
    server: ownCdn
      ? scenario.server
      : {
          cdnLatencyMs: options.originDelayMs,
          cdnBandwidthKbps: 0,
          cdnPlaylistLatencyMs: options.originDelayMediaOnly ? 0 : options.originDelayMs,
        },
    notes: [
      `Real shaping: every viewer is a Chromium in its own network namespace on a tc-shaped link ` +
        `(${options.linkDownKbps}/${options.linkUpKbps} kbit/s down/up unless its profile says otherwise, ` +
        "never faster up than down) that HTTP and WebRTC share" +
        (ownCdn
          ? ""
          : `; the origin waits ${options.originDelayMs} ms before each ` +
            `${options.originDelayMediaOnly ? "media response's" : "response's (media and playlists)"} first byte`) +
        ".",
      ...scenario.notes.filter((note) => note !== DOWNLINK_NOTE),
    ],
  };
}

/** A scenario as the DevTools-shaped bench defines it (no links, no origin delay unless its own). */
function buildUnshapedScenario(id: ScenarioId, options: ScenarioOptions): Scenario {
  const noCdn = { cdnLatencyMs: 0, cdnBandwidthKbps: 0 };
  const liveDefault = { liveSyncDurationCount: HLS_DEFAULT_LIVE_SYNC_DURATION_COUNT };
  const unshaped = { shaping: "devtools" as const, link: { downKbps: 0, upKbps: 0 } };
  switch (id) {
    case "live":
      return {
        ...unshaped,
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
        ...unshaped,
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
        ...unshaped,
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
        ...unshaped,
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
        ...unshaped,
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
          "p2p-media-loader has no upload rate limit (only isP2PUploadDisabled, all or nothing): only its link caps it here.",
        ],
      };
    case "trust-live":
      return {
        ...unshaped,
        id,
        title:
          `Live, hls.js default latency, an origin that publishes no digests: Nearcast's default ` +
          "protection vs allowUnverifiedPeers",
        stream: "live",
        hlsConfig: liveDefault,
        server: noCdn,
        staggerMs: options.liveStaggerMs,
        uploadCapBytesPerSec: 0,
        publishDigests: false,
        targets: { trust: { fromViewers: 6, minOffload: 0.75, maxCost: 0.04 } },
        notes: [
          LATENCY_NOTE,
          "The origin publishes no #EXT-X-NEARCAST-SHA256 digests (checked before the first viewer) and the " +
            "server's digest service serves only swarms of its minimum size and up, so below it Nearcast's " +
            "default vouches for peer bytes with CDN Range spot checks; nearcast-unverified is the same " +
            "page with allowUnverifiedPeers: true. Origin bytes include every spot check.",
        ],
      };
    case "live-warm-join":
    case "vod-warm-join": {
      const base = buildUnshapedScenario(id === "live-warm-join" ? "live" : "vod-staggered", options);
      return {
        ...base,
        id,
        title: `${base.title}, joining a warm swarm (hls.js starts at the rendition the swarm plays)`,
        hlsConfig: { ...base.hlsConfig, abrEwmaDefaultEstimate: WARM_JOIN_DEFAULT_ESTIMATE_BPS },
        targets: { ...base.targets, startupWithinMsOfHttp: 0 },
        notes: [...base.notes, WARM_JOIN_NOTE],
      };
    }
    default:
      return buildHardScenario(id, options);
  }
}

/**
 * hls.js's bandwidth estimate before its first measurement in the warm-join scenarios, bits/s (its
 * default is 500 kbit/s, which starts every viewer on the lowest rendition — a swarm nobody stays
 * in, so no peer holds a joiner's first segment there).
 */
const WARM_JOIN_DEFAULT_ESTIMATE_BPS = 5_000_000;

const WARM_JOIN_NOTE =
  `Every client's hls.js starts from a ${WARM_JOIN_DEFAULT_ESTIMATE_BPS / 1e6} Mbit/s estimate ` +
  "(abrEwmaDefaultEstimate; its default 0.5 Mbit/s starts on 240p, which the viewers before have left), " +
  "so a joiner's first segments are at the rendition the swarm plays and its peers hold them.";

const DOWNLINK_NOTE =
  "Downlinks are Chrome DevTools network emulation (Network.emulateNetworkConditions, +20 ms latency): " +
  "it throttles each page's HTTP, not its WebRTC data channels.";

function buildHardScenario(id: ScenarioId, options: ScenarioOptions): Scenario {
  const common = {
    shaping: "devtools" as const,
    link: { downKbps: 0, upKbps: 0 },
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
          `Live, weak uplinks: of ${options.weakViewers} viewers a quarter upload nothing, half ` +
          (options.shaping === "tc" ? "have an uplink of " : "are capped at ") +
          `${options.weakUploadKbps} kbit/s`,
        viewers: options.weakViewers,
        profile: (index) => weakUplinkProfile(index, options.weakUploadKbps, options.shaping),
        targets: { minOfCeiling: 0.85, zeroStalls: true },
        notes: [
          LATENCY_NOTE,
          options.shaping === "tc"
            ? "The capped half's uplinks cap every client alike (Nearcast is not told its rate); the upload-off " +
              "quarter sets Nearcast's uploadEnabled false and p2p-media-loader's isP2PUploadDisabled."
            : "p2p-media-loader has no upload rate limit: its capped half runs uncapped; its upload-off quarter " +
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
        // Issue 22's target (issue 13 had +25 %).
        targets: { maxMainThreadOverhead: 0.15 },
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
    case "nearcast-unverified":
      return {
        ...base,
        nearcast: {
          trackerUrls: [`${endpoints.serverUrl.replace(/^http/, "ws")}/tracker`],
          // No STUN server is reachable from the viewers' namespaces: with the default Google STUN
          // list, non-trickle ICE gathering runs into its timeout (ICE_GATHERING_TIMEOUT_MS, 3 s) for
          // every offer and answer, where a reachable STUN server answers in one round trip. The
          // same setting p2p-media-loader gets below.
          rtcConfiguration: { iceServers: [] },
          ...(uploadCap > 0 ? { maxUploadBytesPerSec: uploadCap } : {}),
          ...(profile.uploadOff ? { uploadEnabled: false } : {}),
          ...(client === "nearcast-unverified" ? { allowUnverifiedPeers: true } : {}),
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
