// Reads a bench page's `window.bench`, player and video state in one evaluate call.
import type Hls from "hls.js";
import type { Viewer } from "../../test/browser/support/viewer.js";
import type { BenchPageSnapshot, BenchPageState } from "../pages/src/protocol.js";

export async function snapshotViewer(viewer: Pick<Viewer, "page">): Promise<BenchPageSnapshot> {
  return viewer.page.evaluate(snapshotPage);
}

/** Runs in the page: must stay self-contained (no helpers, no named inner functions). */
function snapshotPage(): BenchPageSnapshot {
  const w = window as unknown as {
    bench?: BenchPageState;
    hls?: Hls;
    playerErrors?: { type: string; details: string; fatal: boolean }[];
  };
  const video = document.querySelector("video");
  let bufferedAhead = 0;
  if (video) {
    for (let i = 0; i < video.buffered.length; i++) {
      const start = video.buffered.start(i);
      const end = video.buffered.end(i);
      if (start <= video.currentTime + 0.1 && end > video.currentTime)
        bufferedAhead = end - video.currentTime;
    }
  }
  const hls = w.hls;
  const level = hls && hls.currentLevel >= 0 ? hls.levels[hls.currentLevel] : undefined;
  const live = hls?.latestLevelDetails?.live === true;
  const bench = w.bench;
  return {
    client: bench ? bench.client : "http",
    startupMs: bench ? bench.startupMs : null,
    httpBytesAtStartup: bench ? bench.httpBytesAtStartup : 0,
    deliveredBytes: bench ? bench.deliveredBytes : 0,
    deliveredFragments: bench ? bench.deliveredFragments : 0,
    newestDelivered: bench ? { ...bench.newestDelivered } : {},
    deliveredSegments: bench ? { ...bench.deliveredSegments } : {},
    levelFragments: bench ? { ...bench.levelFragments } : {},
    fragTrace: bench ? bench.fragTrace.map((entry) => [...entry] as typeof entry) : [],
    setupError: bench ? bench.setupError : "window.bench missing",
    startupMarks: bench ? { ...bench.startupMarks } : {},
    stats: bench ? bench.stats() : null,
    errors: (w.playerErrors ?? []).map((error) => ({
      type: String(error.type),
      details: String(error.details),
      fatal: Boolean(error.fatal),
    })),
    currentTime: video ? video.currentTime : 0,
    bufferedAhead,
    latencySec: hls && live && Number.isFinite(hls.latency) ? hls.latency : null,
    levelHeight: level ? level.height : null,
    effective: {
      liveSyncDurationCount: hls ? (hls.config.liveSyncDurationCount ?? null) : null,
      maxBufferLength: hls ? hls.config.maxBufferLength : null,
      maxMaxBufferLength: hls ? hls.config.maxMaxBufferLength : null,
    },
  };
}
