// Playback figures of a long live session, sampled in the page alongside the soak's resource figures:
// where the viewer is against the live edge, what it has buffered, how fast the element plays, and
// what it lost to waiting, seeks and dropped frames. Issue 20: a 15-minute soak once advanced 802 s in
// 901 s of wall time with no stall seen; these are the figures that tell slow decoding (rate < 1,
// dropped frames), waiting for data (waiting time, empty buffer) and timeline jumps (seeks) apart.
import type { Page } from "puppeteer-core";

/** One sample of a viewer's playback; times in seconds, counters since {@link installPlaybackProbe}. */
export interface PlaybackProbe {
  /** The page's `Date.now()` when sampled (ms). */
  wallMs: number;
  currentTime: number;
  /** Seconds buffered past `currentTime` in the range that holds it. */
  bufferedAheadSec: number;
  /** hls.js's estimate of the live edge (last playlist's edge + its age); null before a playlist. */
  liveEdgeSec: number | null;
  /** `hls.latency`: live edge minus `currentTime`, as hls.js last computed it (on `timeupdate`). */
  latencySec: number;
  /** `hls.targetLatency`: where hls.js starts (and would hold, with catch-up on) the viewer. */
  targetLatencySec: number | null;
  playbackRate: number;
  /** `getVideoPlaybackQuality()` since the element was created. */
  droppedFrames: number;
  totalFrames: number;
  /** `waiting` events, and the wall time until the next `playing` (an open wait counts up to now). */
  waitingCount: number;
  waitingMs: number;
  /** `seeking` events and the sum of their jumps (target minus the position before), in seconds. */
  seeks: number;
  seekJumpSec: number;
}

interface ProbeState {
  waitingCount: number;
  waitingMs: number;
  waitingSince: number | null;
  seeks: number;
  seekJumpSec: number;
  lastTime: number;
}

interface ProbeGlobals {
  soakProbe?: ProbeState;
  hls?: {
    latency: number;
    targetLatency: number | null;
    latestLevelDetails: { edge: number; age: number; live: boolean } | null;
  };
}

/**
 * Starts counting waits and seeks on the page's `<video>` (idempotent). Throws if there is none.
 * Runs in the page, so the listeners must be self-contained.
 */
export async function installPlaybackProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as ProbeGlobals;
    const video = document.querySelector("video");
    if (!video) throw new Error("no <video> on the page");
    if (w.soakProbe) return;
    const state: ProbeState = {
      waitingCount: 0,
      waitingMs: 0,
      waitingSince: null,
      seeks: 0,
      seekJumpSec: 0,
      lastTime: video.currentTime,
    };
    w.soakProbe = state;
    video.addEventListener("waiting", () => {
      state.waitingCount++;
      state.waitingSince ??= performance.now();
    });
    video.addEventListener("playing", () => {
      if (state.waitingSince !== null) state.waitingMs += performance.now() - state.waitingSince;
      state.waitingSince = null;
    });
    // The position before a seek is the last one `timeupdate` saw (at most ~250 ms old).
    video.addEventListener("timeupdate", () => {
      if (!video.seeking) state.lastTime = video.currentTime;
    });
    video.addEventListener("seeking", () => {
      state.seeks++;
      state.seekJumpSec += video.currentTime - state.lastTime;
      state.lastTime = video.currentTime;
    });
  });
}

/** Reads the figures of {@link PlaybackProbe}; call after {@link installPlaybackProbe}. */
export async function probePlayback(page: Page): Promise<PlaybackProbe> {
  return page.evaluate((): PlaybackProbe => {
    const w = window as unknown as ProbeGlobals;
    const video = document.querySelector("video");
    const state = w.soakProbe;
    if (!video || !state) throw new Error("playback probe not installed");
    let bufferedAheadSec = 0;
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= video.currentTime + 0.1 && video.buffered.end(i) > video.currentTime)
        bufferedAheadSec = video.buffered.end(i) - video.currentTime;
    }
    const details = w.hls?.latestLevelDetails ?? null;
    const quality = video.getVideoPlaybackQuality();
    const openWaitMs = state.waitingSince === null ? 0 : performance.now() - state.waitingSince;
    return {
      wallMs: Date.now(),
      currentTime: video.currentTime,
      bufferedAheadSec,
      liveEdgeSec: details?.live ? details.edge + details.age : null,
      latencySec: w.hls?.latency ?? 0,
      targetLatencySec: w.hls?.targetLatency ?? null,
      playbackRate: video.playbackRate,
      droppedFrames: quality.droppedVideoFrames,
      totalFrames: quality.totalVideoFrames,
      waitingCount: state.waitingCount,
      waitingMs: state.waitingMs + openWaitMs,
      seeks: state.seeks,
      seekJumpSec: state.seekJumpSec,
    };
  });
}

/** Playback over one stretch of wall time, between two probes. */
export interface PlaybackStretch {
  /** Wall seconds since the first probe, at the end of the stretch. */
  toSec: number;
  wallSec: number;
  /** Media seconds played per wall second (seeks included; 1 = real time). */
  advanceRate: number;
  /** Live-edge seconds per wall second (1 = the origin's clock); null if either probe had no edge. */
  edgeRate: number | null;
  /** At the end of the stretch. */
  latencySec: number;
  bufferedAheadSec: number;
  playbackRate: number;
  /** Over the stretch. */
  droppedFrames: number;
  totalFrames: number;
  waitingMs: number;
  seeks: number;
  seekJumpSec: number;
}

/**
 * Cuts a viewer's probes (first = the start of the watch, then in time order) into stretches of at
 * least `everySec` wall seconds, each ending on a probe. The last stretch may be shorter.
 */
export function playbackStretches(probes: readonly PlaybackProbe[], everySec = 60): PlaybackStretch[] {
  const first = probes[0];
  if (!first) return [];
  const stretches: PlaybackStretch[] = [];
  let from = first;
  probes.forEach((to, i) => {
    const wallSec = (to.wallMs - from.wallMs) / 1000;
    const lastProbe = i === probes.length - 1;
    if (wallSec <= 0 || (wallSec < everySec - 1 && !lastProbe)) return;
    stretches.push({
      toSec: (to.wallMs - first.wallMs) / 1000,
      wallSec,
      advanceRate: (to.currentTime - from.currentTime) / wallSec,
      edgeRate:
        to.liveEdgeSec === null || from.liveEdgeSec === null
          ? null
          : (to.liveEdgeSec - from.liveEdgeSec) / wallSec,
      latencySec: to.latencySec,
      bufferedAheadSec: to.bufferedAheadSec,
      playbackRate: to.playbackRate,
      droppedFrames: to.droppedFrames - from.droppedFrames,
      totalFrames: to.totalFrames - from.totalFrames,
      waitingMs: to.waitingMs - from.waitingMs,
      seeks: to.seeks - from.seeks,
      seekJumpSec: to.seekJumpSec - from.seekJumpSec,
    });
    from = to;
  });
  return stretches;
}
