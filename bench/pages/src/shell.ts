// The page every client shares: reads its configuration from `?cfg=<json>`, builds an hls.js
// player through the client's factory (the only thing that differs), plays the stream muted and
// keeps the counters the bench reads: bytes handed to hls.js, startup time, hls.js errors.
import type Hls from "hls.js";
import { mediaKeyOf } from "./media-key.js";
import { FRAG_TRACE_MAX } from "./protocol.js";
import type {
  BenchPageConfig,
  BenchPageState,
  ClientName,
  ClientStats,
  PageError,
  StartupMark,
} from "./protocol.js";

declare global {
  interface Window {
    bench?: BenchPageState;
    hls?: Hls;
    /** Same name as the demo player's, so the repository's viewer helpers can read it. */
    playerErrors: PageError[];
  }
}

/** What a client entry builds from the page's config. */
export interface ClientSetup {
  hls: Hls;
  stats(): ClientStats;
}

/** `mark` times a client's own start-up step (the first call per step counts). */
export type ClientFactory = (config: BenchPageConfig, mark: (step: StartupMark) => number) => ClientSetup;

/** Parses `?cfg=` and checks the fields the shell needs. Throws with a readable message. */
export function readPageConfig(search: string, expected: ClientName): BenchPageConfig {
  const raw = new URLSearchParams(search).get("cfg");
  if (!raw) throw new Error("missing ?cfg=<json>");
  const config = JSON.parse(raw) as BenchPageConfig;
  if (config.client !== expected) throw new Error(`cfg.client is ${config.client}, page is ${expected}`);
  if (typeof config.src !== "string" || !config.src) throw new Error("cfg.src must be a manifest URL");
  if (typeof config.hlsConfig !== "object" || config.hlsConfig === null) {
    throw new Error("cfg.hlsConfig must be an object");
  }
  return config;
}

export function startBenchPage(client: ClientName, HlsClass: typeof Hls, create: ClientFactory): void {
  const status = document.getElementById("status");
  const setStatus = (text: string): void => {
    if (status) status.textContent = text;
  };
  window.playerErrors = [];
  const state: BenchPageState = {
    client,
    startupMs: null,
    httpBytesAtStartup: 0,
    deliveredBytes: 0,
    deliveredFragments: 0,
    newestDelivered: {},
    deliveredSegments: {},
    levelFragments: {},
    fragTrace: [],
    setupError: null,
    startupMarks: {},
    stats: () => ({ httpBytes: 0, p2pBytes: 0, uploadBytes: 0, peers: 0 }),
  };
  window.bench = state;

  try {
    const config = readPageConfig(location.search, client);
    const video = document.getElementById("video") as HTMLVideoElement;
    const mark = (step: StartupMark) => (state.startupMarks[step] ??= performance.now());
    video.addEventListener("playing", () => {
      if (state.startupMs !== null) return;
      state.startupMs = mark("playing");
      state.httpBytesAtStartup = state.stats().httpBytes;
    });

    let httpBytesTraced = 0;
    const { hls, stats } = create(config, mark);
    state.stats = stats;
    window.hls = hls;
    hls.on(HlsClass.Events.MANIFEST_LOADING, () => mark("manifestLoading"));
    hls.on(HlsClass.Events.MANIFEST_PARSED, () => mark("manifestParsed"));
    hls.on(HlsClass.Events.LEVEL_LOADING, () => mark("levelLoading"));
    hls.on(HlsClass.Events.LEVEL_LOADED, () => mark("levelLoaded"));
    hls.on(HlsClass.Events.FRAG_LOADING, () => mark("fragLoading"));
    hls.on(HlsClass.Events.FRAG_LOADED, () => mark("fragLoaded"));
    hls.on(HlsClass.Events.FRAG_BUFFERED, () => mark("fragBuffered"));
    hls.on(HlsClass.Events.ERROR, (_event, data) => {
      window.playerErrors.push({ type: String(data.type), details: String(data.details), fatal: data.fatal });
      if (data.fatal) setStatus(`fatal: ${data.details}`);
    });
    hls.on(HlsClass.Events.FRAG_LOADED, (_event, data) => {
      state.deliveredBytes += data.payload.byteLength;
      state.deliveredFragments += 1;
      state.deliveredSegments[new URL(data.frag.url, location.href).pathname] = data.payload.byteLength;
      const height = String(hls.levels[data.frag.level]?.height ?? "?");
      state.levelFragments[height] = (state.levelFragments[height] ?? 0) + 1;
      if (data.frag.type === "main" && state.fragTrace.length < FRAG_TRACE_MAX) {
        const httpBytes = state.stats().httpBytes;
        state.fragTrace.push([
          Math.round(performance.now()),
          hls.levels[data.frag.level]?.height ?? 0,
          Math.round((hls.bandwidthEstimate || 0) / 1000),
          httpBytes - httpBytesTraced,
        ]);
        httpBytesTraced = httpBytes;
      }
      const key = mediaKeyOf(data.frag.url);
      if (key && key.sequence !== null) {
        const newest = state.newestDelivered[key.rendition];
        if (newest === undefined || key.sequence > newest)
          state.newestDelivered[key.rendition] = key.sequence;
      }
    });
    hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
      setStatus(`${client}: playing ${config.src}`);
      video.play().catch((error: unknown) => setStatus(`play() refused: ${String(error)}`));
    });
    hls.attachMedia(video);
    hls.loadSource(config.src);
  } catch (error) {
    state.setupError = error instanceof Error ? error.message : String(error);
    setStatus(`setup failed: ${state.setupError}`);
  }
}
