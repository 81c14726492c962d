// What the bench page and the bench runner agree on: the page's configuration (one JSON object in
// the `cfg` query parameter) and the state the page exposes as `window.bench` for sampling.
// Types only: both the browser bundles and the Node runner import it.

/**
 * The clients the browser bench can compare: plain hls.js, Nearcast with its defaults, Nearcast with
 * `allowUnverifiedPeers: true` (issue 18's trust bench: what the default protection costs), and
 * p2p-media-loader. Each has its page bundle `bench/pages/dist/<name>.js`.
 */
export type ClientName = "http" | "nearcast" | "nearcast-unverified" | "p2pml";

/** Every client, in the order a run measures them. */
export const CLIENT_NAMES: readonly ClientName[] = ["http", "nearcast", "nearcast-unverified", "p2pml"];

/** The clients of a run that names none: the three libraries, each with its defaults. */
export const DEFAULT_CLIENT_NAMES: readonly ClientName[] = ["http", "nearcast", "p2pml"];

/** A JSON-safe subset of hls.js config: the same object is given to every client of a scenario. */
export type HlsConfigJson = Record<string, number | string | boolean | null>;

export interface BenchPageConfig {
  client: ClientName;
  /** Absolute manifest URL (the origin answers with CORS headers, so the page may live elsewhere). */
  src: string;
  hlsConfig: HlsConfigJson;
  /** Nearcast only: a partial NearcastConfig (tracker URLs, upload cap…). */
  nearcast?: Record<string, unknown>;
  /** p2p-media-loader only: a partial core config (`announceTrackers`, `rtcConfig`…). */
  p2pml?: Record<string, unknown>;
}

/** An hls.js ERROR event as recorded by the page. */
export interface PageError {
  type: string;
  details: string;
  fatal: boolean;
}

/** What the client library itself says it moved. */
export interface ClientStats {
  httpBytes: number;
  p2pBytes: number;
  uploadBytes: number;
  /** Peers connected now (0 for HTTP-only). */
  peers: number;
  /** Nearcast only: its trust ladder's counters (`getStats().trust`, docs/trust.md). */
  trust?: TrustCounters;
}

/** What a Nearcast page's trust ladder did, from `getStats()` (counts of segments unless said). */
export interface TrustCounters {
  /** Segments whose peer bytes a rung verified, by rung (`origin-digest`, `spot-check`…). */
  verifiedBy: Record<string, number>;
  /** No rung could vouch: peer bytes dropped, the segment fetched over HTTP. */
  unverifiedRefetched: number;
  /** No rung could vouch, handed to the player anyway (`allowUnverifiedPeers`). */
  unverifiedDelivered: number;
  /** Spot checks' Range requests and the bytes they brought (also in `httpBytes`). */
  spotCheckRequests: number;
  spotCheckBytes: number;
  /** Peer bytes thrown away (failed or unverifiable), also in `p2pBytes`. */
  discardedP2pBytes: number;
}

/** `window.bench`, read by the runner at once for all viewers. */
export interface BenchPageState {
  client: ClientName;
  /** `performance.now()` (ms since navigation start) at the first `playing` event, or null. */
  startupMs: number | null;
  /** Client-reported HTTP bytes at that first `playing` event. */
  httpBytesAtStartup: number;
  /** Media bytes handed to hls.js (FRAG_LOADED payloads): what the player received, from anywhere. */
  deliveredBytes: number;
  deliveredFragments: number;
  /** Per `<stream>/<rendition>`, the highest segment sequence handed to hls.js. */
  newestDelivered: Record<string, number>;
  /** Bytes handed to hls.js per media URL path (the last load of each). */
  deliveredSegments: Record<string, number>;
  /** Fragments handed to hls.js per level height ("540"…): which renditions the player played. */
  levelFragments: Record<string, number>;
  /** The first {@link FRAG_TRACE_MAX} main fragments, in order: see {@link FragTraceEntry}. */
  fragTrace: FragTraceEntry[];
  /** Set when the page could not start (bad config, bundle error). */
  setupError: string | null;
  /** `performance.now()` of the first of each start-up step (see {@link StartupMark}). */
  startupMarks: Partial<Record<StartupMark, number>>;
  stats(): ClientStats;
}

/**
 * Start-up steps timed by every bench page (the first occurrence of each): hls.js's manifest and
 * level loads, its first fragment request, load and append, the first `playing` event, and for
 * P2P clients the first peer connection — so a slower start-up can be placed on the timeline.
 */
export type StartupMark =
  | "manifestLoading"
  | "manifestParsed"
  | "levelLoaded"
  | "fragLoading"
  | "fragLoaded"
  | "fragBuffered"
  | "playing"
  | "levelLoading"
  | "trackerConnected"
  | "firstPeer"
  | "firstP2pBytes";

/**
 * One main fragment handed to hls.js: `[ms since navigation, level height, hls.js bandwidth estimate
 * after it in kbit/s, HTTP bytes the client counted since the previous fragment]` — enough to follow
 * an ABR path and see which fragments came over HTTP (the last field > 0).
 */
export type FragTraceEntry = [number, number, number, number];
/** Fragments traced per page (a 60-s watch of 2-s segments needs ~35). */
export const FRAG_TRACE_MAX = 400;

/** A serialisable snapshot of one page, taken by the runner. */
export interface BenchPageSnapshot {
  client: ClientName;
  startupMs: number | null;
  httpBytesAtStartup: number;
  deliveredBytes: number;
  deliveredFragments: number;
  newestDelivered: Record<string, number>;
  deliveredSegments: Record<string, number>;
  levelFragments: Record<string, number>;
  fragTrace: FragTraceEntry[];
  setupError: string | null;
  startupMarks: Partial<Record<StartupMark, number>>;
  stats: ClientStats | null;
  errors: PageError[];
  currentTime: number;
  bufferedAhead: number;
  /** hls.js `latency` (live distance behind the edge, s), null for VOD or before it is known. */
  latencySec: number | null;
  levelHeight: number | null;
  /** The hls.js config in force (a client may change some keys at runtime). */
  effective: {
    liveSyncDurationCount: number | null;
    maxBufferLength: number | null;
    maxMaxBufferLength: number | null;
  };
}
