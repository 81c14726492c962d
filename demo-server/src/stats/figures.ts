// Window arithmetic over the aggregator's state, shared by the JSON snapshot and /metrics. Pure.
import type { BucketRing } from "./bucket-ring.js";
import type { ByteTriple, RenditionState, StatsAggregator, StreamState } from "./aggregator.js";
import { HTTP, P2P, UPLOAD } from "./aggregator.js";
import { BUCKET_MS, SETTLE_BUCKETS, WINDOW_BUCKETS, WINDOWS, type WindowName } from "./constants.js";
import type { MeasuredWindowFigures, WindowFigures } from "./snapshot-types.js";

/** Index of the newest bucket counted in windows and series (see SETTLE_BUCKETS). */
export function settledEndIndex(nowMs: number): number {
  return Math.floor(nowMs / BUCKET_MS) - SETTLE_BUCKETS;
}

/** p2p / (http + p2p), or null with no bytes. */
export function offloadOf(httpBytes: number, p2pBytes: number): number | null {
  const total = httpBytes + p2pBytes;
  return total > 0 ? p2pBytes / total : null;
}

/** 1 − origin / reported, or null when nothing was reported. */
export function originVsReportedOffloadOf(originBytes: number, reportedBytes: number): number | null {
  return reportedBytes > 0 ? 1 - originBytes / reportedBytes : null;
}

function windowSum(ring: BucketRing, totals: readonly number[], window: WindowName, end: number): number[] {
  if (window === "all") return [...totals];
  return ring.sum(end - WINDOW_BUCKETS[window] + 1, end);
}

export function toWindowFigures(bytes: readonly number[]): WindowFigures {
  const httpBytes = Math.round(bytes[HTTP] ?? 0);
  const p2pBytes = Math.round(bytes[P2P] ?? 0);
  return {
    httpBytes,
    p2pBytes,
    uploadedBytes: Math.round(bytes[UPLOAD] ?? 0),
    offload: offloadOf(bytes[HTTP] ?? 0, bytes[P2P] ?? 0),
  };
}

/**
 * Figures for one instant: every window of every stream, rendition and origin group, computed once
 * and memoised (a snapshot reads each several times).
 */
export class FigureBook {
  readonly end: number;
  /** Tracked streams by the origin stream measuring them. */
  readonly groups = new Map<string, StreamState[]>();
  private readonly streamMemo = new Map<StreamState, Record<WindowName, number[]>>();
  private readonly groupMemo = new Map<string, Record<WindowName, { origin: number; measured: number }>>();

  constructor(readonly aggregator: StatsAggregator) {
    this.end = settledEndIndex(aggregator.now());
    for (const stream of aggregator.streams.values()) {
      if (stream.originStream === undefined) continue;
      const members = this.groups.get(stream.originStream) ?? [];
      members.push(stream);
      this.groups.set(stream.originStream, members);
    }
  }

  /** Raw (unrounded) reported bytes of a stream per window. */
  streamBytes(stream: StreamState): Record<WindowName, number[]> {
    let memo = this.streamMemo.get(stream);
    if (memo === undefined) {
      memo = perWindow((window) => windowSum(stream.ring, stream.totals, window, this.end));
      this.streamMemo.set(stream, memo);
    }
    return memo;
  }

  renditionFigures(rendition: RenditionState): Record<WindowName, WindowFigures> {
    return perWindow((window) =>
      toWindowFigures(windowSum(rendition.ring, rendition.totals, window, this.end)),
    );
  }

  /** Origin bytes of an origin stream and the reported http+p2p of every stream it measures. */
  group(originStream: string): Record<WindowName, { origin: number; measured: number }> {
    let memo = this.groupMemo.get(originStream);
    if (memo === undefined) {
      const origin = this.aggregator.origins.get(originStream);
      const members = this.groups.get(originStream) ?? [];
      memo = perWindow((window) => ({
        origin: origin === undefined ? 0 : (windowSum(origin.ring, [origin.total], window, this.end)[0] ?? 0),
        measured: members.reduce((sum, member) => {
          const bytes = this.streamBytes(member)[window];
          return sum + (bytes[HTTP] ?? 0) + (bytes[P2P] ?? 0);
        }, 0),
      }));
      this.groupMemo.set(originStream, memo);
    }
    return memo;
  }

  streamFigures(stream: StreamState): Record<WindowName, MeasuredWindowFigures> {
    return this.measured([stream]);
  }

  /**
   * Figures of several streams together (a metric label, or all streams). The origin side counts
   * each origin stream once, over all the streams it measures.
   */
  measured(streams: readonly StreamState[]): Record<WindowName, MeasuredWindowFigures> {
    const origins = new Set<string>();
    for (const stream of streams) if (stream.originStream !== undefined) origins.add(stream.originStream);
    return perWindow((window) => {
      const bytes: ByteTriple = [0, 0, 0];
      for (const stream of streams) {
        const own = this.streamBytes(stream)[window];
        for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] ?? 0) + (own[i] ?? 0);
      }
      let originBytes = 0;
      let reportedBytes = 0;
      for (const origin of origins) {
        const group = this.group(origin)[window];
        originBytes += group.origin;
        reportedBytes += group.measured;
      }
      const hasOrigin = origins.size > 0;
      return {
        ...toWindowFigures(bytes),
        originBytes: hasOrigin ? Math.round(originBytes) : null,
        reportedBytes: hasOrigin ? Math.round(reportedBytes) : null,
        originVsReportedOffload: hasOrigin ? originVsReportedOffloadOf(originBytes, reportedBytes) : null,
      };
    });
  }
}

function perWindow<T>(compute: (window: WindowName) => T): Record<WindowName, T> {
  return Object.fromEntries(WINDOWS.map((window) => [window, compute(window)])) as Record<WindowName, T>;
}
