// Turns a series of page samples into a verdict on playback: how far it got, how often and how long
// it stalled. Pure, so the stall rules can be checked without a browser.
import type { NearcastStats } from "../../../sdk/src/index.js";
import type { PlaybackSample, PlayerError } from "./viewer.js";

/** One point of the timeline kept in a report (the full samples carry stats and are heavier). */
export interface TimelinePoint {
  /** Milliseconds since the first sample. */
  atMs: number;
  currentTime: number;
  bufferedAhead: number;
  paused: boolean;
}

export interface PlaybackReport {
  name: string;
  /** Wall time between the first and the last sample. */
  durationMs: number;
  samples: number;
  startTime: number;
  endTime: number;
  /** `endTime - startTime`: media seconds played during the watch. */
  advancedSec: number;
  /** Runs of samples where playback should have moved but `currentTime` did not. */
  stalls: number;
  /** Wall time covered by those runs, as observed by the samples. */
  stalledMs: number;
  longestStallMs: number;
  /** Every hls.js error the page recorded, including before the watch. */
  playerErrors: PlayerError[];
  /** The part of {@link playerErrors} recorded after the first sample. */
  errorsDuringWatch: PlayerError[];
  fatalErrors: PlayerError[];
  finalStats: NearcastStats | null;
  final: PlaybackSample;
  timeline: TimelinePoint[];
}

export interface AnalyzeOptions {
  /**
   * A stall is `currentTime` standing still, while not paused or ended, across this many consecutive
   * sample intervals after playback has started (advanced at least once). @default 2
   */
  stallSamples?: number;
}

/** Below this, `currentTime` is considered not to have moved (float noise, frame rounding). */
const MOVED_EPSILON_SEC = 0.001;

/** Builds the report of samples taken in order. Throws if there are none. */
export function analyzePlayback(
  name: string,
  samples: readonly PlaybackSample[],
  options: AnalyzeOptions = {},
): PlaybackReport {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last) throw new Error(`${name}: no samples to analyze`);
  const stallSamples = Math.max(1, options.stallSamples ?? 2);

  let started = false;
  let stalls = 0;
  let stalledMs = 0;
  let longestStallMs = 0;
  let stuckIntervals = 0;
  let runStartMs = 0;
  let runLastMs = 0;
  const endRun = (): void => {
    if (stuckIntervals >= stallSamples) {
      const runMs = runLastMs - runStartMs;
      stalledMs += runMs;
      longestStallMs = Math.max(longestStallMs, runMs);
    }
    stuckIntervals = 0;
  };

  for (let i = 1; i < samples.length; i++) {
    const previous = samples[i - 1];
    const current = samples[i];
    if (!previous || !current) continue;
    // Any movement counts, backwards too: a seek (live catch-up, loop) is not a stall.
    const moved = Math.abs(current.currentTime - previous.currentTime) > MOVED_EPSILON_SEC;
    if (moved) {
      endRun();
      started = true;
    } else if (started && !current.paused && !current.ended) {
      if (stuckIntervals === 0) runStartMs = previous.atMs;
      stuckIntervals++;
      runLastMs = current.atMs;
      if (stuckIntervals === stallSamples) stalls++;
    } else {
      endRun();
    }
  }
  endRun();

  const playerErrors = last.playerErrors;
  return {
    name,
    durationMs: last.atMs - first.atMs,
    samples: samples.length,
    startTime: first.currentTime,
    endTime: last.currentTime,
    advancedSec: last.currentTime - first.currentTime,
    stalls,
    stalledMs,
    longestStallMs,
    playerErrors,
    // The page only appends to window.playerErrors, so what the first sample did not have is new.
    errorsDuringWatch: playerErrors.slice(first.playerErrors.length),
    fatalErrors: playerErrors.filter((error) => error.fatal),
    finalStats: last.stats,
    final: last,
    timeline: samples.map((sample) => ({
      atMs: sample.atMs - first.atMs,
      currentTime: sample.currentTime,
      bufferedAhead: sample.bufferedAhead,
      paused: sample.paused,
    })),
  };
}

/** One line for CI logs: progress, stalls, bytes by source, rendition. */
export function describePlayback(report: PlaybackReport): string {
  const stats = report.finalStats;
  const delivery = stats
    ? `HTTP ${formatBytes(stats.httpDownloadedBytes)} (${stats.segments.http} seg), ` +
      `P2P ${formatBytes(stats.p2pDownloadedBytes)} (${stats.segments.p2p} seg), ` +
      `up ${formatBytes(stats.p2pUploadedBytes)}, peers ${stats.connectedPeers}`
    : "no SDK stats";
  const level = report.final.level ? `${report.final.level.height}p` : "no level";
  return (
    `${report.name}: advanced ${report.advancedSec.toFixed(1)} s in ${(report.durationMs / 1000).toFixed(1)} s, ` +
    `${report.stalls} stalls (${report.stalledMs} ms), ${report.playerErrors.length} hls.js errors ` +
    `(${report.errorsDuringWatch.length} while watched), ` +
    `${delivery}, ${level}`
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
