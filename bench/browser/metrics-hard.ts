// The arithmetic of issue 13's scenarios, pure for unit tests: offload against the per-rendition
// ceiling, whether P2P kept ABR honest (no viewer on a lower level than with plain hls.js), the
// start-up of viewers joining mid-run, and what a viewer's main thread spent.
import { mediaKeyOf, sequenceOf } from "../pages/src/media-key.js";
import { median, originOffload, type OriginSnapshotLike } from "./metrics.js";

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

export interface RenditionShare {
  /** `<stream>/<rendition>`, e.g. `demo/540p`. */
  rendition: string;
  /** Bytes of this rendition handed to players (each viewer's last load of each file). */
  deliveredBytes: number;
  /** Bytes of the distinct files of this rendition any player was handed. */
  distinctBytes: number;
  /** Viewers handed at least one file of this rendition. */
  viewers: number;
  /**
   * deliveredBytes / distinctBytes: how many viewers each byte of the rendition reached, on average
   * (N_r of the ceiling). Equals the viewer count when those viewers all played the same files.
   */
  effectiveViewers: number;
  /** Origin media bytes of this rendition (not counting files ahead of every player). */
  originBytes: number;
}

export interface RenditionCeiling {
  renditions: RenditionShare[];
  /**
   * Σ_r bytes_r × (1 − 1/N_r) / Σ_r bytes_r with N_r the effective viewers of rendition r: the
   * offload if every file left the origin once. 0 when nothing was delivered.
   */
  ceiling: number;
}

/**
 * Splits what players were handed by rendition. `perViewer` is each viewer's `deliveredSegments`
 * (URL path → bytes of its last load); `originByRendition` the origin's bytes per `<stream>/<rendition>`.
 * Paths that are not origin media URLs are ignored.
 */
export function renditionCeiling(
  perViewer: readonly Readonly<Record<string, number>>[],
  originByRendition: Readonly<Record<string, number>> = {},
): RenditionCeiling {
  const byRendition = new Map<string, { delivered: number; files: Map<string, number>; viewers: number }>();
  for (const delivered of perViewer) {
    const touched = new Set<string>();
    for (const [path, bytes] of Object.entries(delivered)) {
      const key = mediaKeyOf(path);
      if (!key || !(bytes > 0)) continue;
      let entry = byRendition.get(key.rendition);
      if (!entry) {
        entry = { delivered: 0, files: new Map(), viewers: 0 };
        byRendition.set(key.rendition, entry);
      }
      entry.delivered += bytes;
      entry.files.set(path, Math.max(bytes, entry.files.get(path) ?? 0));
      touched.add(key.rendition);
    }
    for (const rendition of touched) {
      const entry = byRendition.get(rendition);
      if (entry) entry.viewers++;
    }
  }
  const renditions = [...byRendition.entries()]
    .sort((a, b) => a[0].localeCompare(b[0], "en", { numeric: true }))
    .map(([rendition, entry]): RenditionShare => {
      const distinctBytes = sum([...entry.files.values()]);
      return {
        rendition,
        deliveredBytes: entry.delivered,
        distinctBytes,
        viewers: entry.viewers,
        effectiveViewers: distinctBytes > 0 ? entry.delivered / distinctBytes : 0,
        originBytes: originByRendition[rendition] ?? 0,
      };
    });
  const delivered = sum(renditions.map((r) => r.deliveredBytes));
  const reachable = sum(renditions.map((r) => r.deliveredBytes - r.distinctBytes));
  return { renditions, ceiling: delivered > 0 ? reachable / delivered : 0 };
}

/** Offload of one rendition at the origin. */
export function renditionOffload(share: RenditionShare): number {
  return originOffload(share.originBytes, share.deliveredBytes);
}

/** The level height a viewer handed hls.js most fragments of (ties: the higher); null if none. */
export function modalHeight(levelFragments: Readonly<Record<string, number>>): number | null {
  let best: number | null = null;
  let bestCount = 0;
  for (const [heightText, count] of Object.entries(levelFragments)) {
    const height = Number(heightText);
    if (!Number.isFinite(height) || !(count > 0)) continue;
    if (count > bestCount || (count === bestCount && best !== null && height > best)) {
      best = height;
      bestCount = count;
    }
  }
  return best;
}

/** One viewer's levels, as the bench records them. */
export interface ViewerLevels {
  /** Join index: viewers with the same index have the same profile in every client's run. */
  index: number;
  label: string;
  /** Level hls.js was on at the end. */
  finalHeight: number | null;
  /** Level it played most fragments of. */
  modalHeight: number | null;
}

export interface LevelComparison {
  index: number;
  label: string;
  reference: ViewerLevels | null;
  candidate: ViewerLevels | null;
  /** The candidate played a lower level than the reference: final or modal, whichever is lower. */
  lower: boolean;
}

/**
 * Compares each candidate (Nearcast) viewer's level with the reference (plain hls.js) viewer of the
 * same join index. A viewer is "lower" when its modal or final level is below the reference's.
 */
export function compareLevels(
  reference: readonly ViewerLevels[],
  candidate: readonly ViewerLevels[],
): LevelComparison[] {
  const indexes = [...new Set([...reference, ...candidate].map((v) => v.index))].sort((a, b) => a - b);
  return indexes.map((index) => {
    const ref = reference.find((v) => v.index === index) ?? null;
    const cand = candidate.find((v) => v.index === index) ?? null;
    const below = (a: number | null | undefined, b: number | null | undefined): boolean =>
      a !== null && a !== undefined && b !== null && b !== undefined && a < b;
    return {
      index,
      label: cand?.label ?? ref?.label ?? "",
      reference: ref,
      candidate: cand,
      lower: below(cand?.modalHeight, ref?.modalHeight) || below(cand?.finalHeight, ref?.finalHeight),
    };
  });
}

/** Median start-up of the viewers that joined mid-run (churn joiners); null if none started. */
export function joinerStartupMedian(
  viewers: readonly { startupMs: number | null; joinedMidRun: boolean }[],
): number | null {
  return median(viewers.flatMap((v) => (v.joinedMidRun && v.startupMs !== null ? [v.startupMs] : [])));
}

/** One viewer's cost over its watch, from CDP Performance.getMetrics and the CPU profile. */
export interface ViewerCost {
  watchedMs: number;
  /** Δ TaskDuration: main-thread time of the renderer over the watch, ms. */
  taskMs: number;
  /** Δ ScriptDuration: JavaScript execution time over the watch, ms. */
  scriptMs: number;
  /** JSHeapUsedSize at the end and the largest seen while sampling, bytes. */
  heapEndBytes: number;
  heapMaxBytes: number;
  /** Media bytes handed to hls.js during the watch. */
  deliveredBytes: number;
  /** Profiler self time by source: "sdk", "hls.js", "p2p-media-loader", "other", "(gc)"…, ms. */
  selfMsBySource: Record<string, number>;
  /** The SDK's share of it per source file (`sdk/src/core/scheduler.ts`), ms. */
  selfMsBySdkFile: Record<string, number>;
}

export interface CostSummary {
  viewers: number;
  /** Medians over viewers, scaled to one minute of watching. */
  taskMsPerMin: number | null;
  scriptMsPerMin: number | null;
  heapEndMiB: number | null;
  heapMaxMiB: number | null;
  /** Σ SDK self time / Σ MiB delivered during the watch: the SDK's own JS work per MiB. */
  sdkMsPerMiB: number | null;
  /** The same for hls.js (its demuxing and remuxing dominate a player page). */
  hlsMsPerMiB: number | null;
  p2pmlMsPerMiB: number | null;
  /** SDK files by self time per MiB, most first (top 5). */
  sdkHotFiles: { file: string; msPerMiB: number }[];
}

const perMinute = (ms: number, watchedMs: number): number => (watchedMs > 0 ? (ms * 60_000) / watchedMs : 0);

export function summarizeCost(costs: readonly ViewerCost[]): CostSummary {
  const mib = sum(costs.map((c) => c.deliveredBytes)) / (1024 * 1024);
  const perMiB = (source: string): number | null => {
    const ms = sum(costs.map((c) => c.selfMsBySource[source] ?? 0));
    return mib > 0 && ms > 0 ? ms / mib : null;
  };
  const toMiB = (bytes: number | null): number | null => (bytes === null ? null : bytes / (1024 * 1024));
  return {
    viewers: costs.length,
    taskMsPerMin: median(costs.map((c) => perMinute(c.taskMs, c.watchedMs))),
    scriptMsPerMin: median(costs.map((c) => perMinute(c.scriptMs, c.watchedMs))),
    heapEndMiB: toMiB(median(costs.map((c) => c.heapEndBytes))),
    heapMaxMiB: toMiB(median(costs.map((c) => c.heapMaxBytes))),
    sdkMsPerMiB: perMiB("sdk"),
    hlsMsPerMiB: perMiB("hls.js"),
    p2pmlMsPerMiB: perMiB("p2p-media-loader"),
    sdkHotFiles: hotFiles(costs, mib),
  };
}

function hotFiles(costs: readonly ViewerCost[], mib: number): { file: string; msPerMiB: number }[] {
  if (!(mib > 0)) return [];
  const totals = new Map<string, number>();
  for (const cost of costs) {
    for (const [file, ms] of Object.entries(cost.selfMsBySdkFile))
      totals.set(file, (totals.get(file) ?? 0) + ms);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([file, ms]) => ({ file, msPerMiB: ms / mib }));
}

/** candidate / reference − 1 (0.25 = 25 % more); null when either is missing or the reference is 0. */
export function overhead(candidate: number | null, reference: number | null): number | null {
  if (candidate === null || reference === null || !(reference > 0)) return null;
  return candidate / reference - 1;
}

/**
 * Origin media bytes per `<stream>/<rendition>`, leaving out files with a higher sequence than any
 * player was handed in that rendition (prefetch in flight at the end, as in `measureOrigin`).
 */
export function originBytesByRendition(
  snapshot: OriginSnapshotLike,
  newestDelivered: Readonly<Record<string, number>> = {},
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [streamName, stream] of Object.entries(snapshot.streams)) {
    for (const [renditionName, rendition] of Object.entries(stream.renditions)) {
      const key = `${streamName}/${renditionName}`;
      const newest = newestDelivered[key];
      let bytes = 0;
      for (const [file, segment] of Object.entries(rendition.segments)) {
        const sequence = sequenceOf(file);
        if (newest !== undefined && sequence !== null && sequence > newest) continue;
        bytes += segment.bytes;
      }
      if (bytes > 0) result[key] = bytes;
    }
  }
  return result;
}
