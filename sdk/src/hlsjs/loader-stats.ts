import type { LoaderStats } from "hls.js";
import type { SegmentResult } from "../core/types.js";
import { reportedTransfer } from "../engine/abr-report.js";

export function createLoaderStats(): LoaderStats {
  return {
    aborted: false,
    loaded: 0,
    retry: 0,
    total: 0,
    chunkCount: 0,
    bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
}

/**
 * Fill hls.js LoaderStats after a delivery so that ABR measures what the *network* can do.
 *
 * - HTTP: the real timings of the HTTP transfer. Time spent waiting for peers before falling back
 *   is not network time and is excluded, or ABR would switch down for our own patience.
 * - P2P and cache: reported as the time HTTP would have needed at `httpBandwidthBps` (see
 *   `peerDeliveryReportBps` in engine/abr-report.ts) and first-byte time (`httpFirstByteMs`, ms). Bytes from memory or a LAN peer
 *   look like near-infinite bandwidth, and ABR would climb to renditions the CDN cannot sustain when
 *   peers leave; bytes from a slow peer — a capped uploader, a peer still receiving the segment itself,
 *   or the time we chose to wait for it — would push ABR below what the viewer's network sustains.
 *   Protecting playback from slow peers is the deadline-aware HTTP fallback's job, not ABR's.
 *   With no HTTP measurement yet (`httpBandwidthBps` 0) the real timings are used.
 *
 * `playoutMs` is the segment's duration, ms (0 = unknown): a peer delivery slower than it is reported
 * with its real timings (`reportedTransfer` in engine/abr-report.ts).
 *
 * `nowMs` is the delivery moment; `loading.start` may be moved earlier than the load call so that
 * `parsing.end − loading.start` (what hls.js samples) spans the reported duration.
 *
 * `chunkCount` is left alone, as hls.js's own loaders leave it: hls.js increments it for each
 * payload it hands its transmuxer, numbers the chunk with it, and takes a chunk numbered above 1
 * for the continuation of a progressively loaded segment (hls.js 1.7 `transmuxer-interface.ts`
 * "progressive", `passthrough-remuxer.ts` "continuesSegment", `stream-controller.ts`
 * "couldBacktrack"). Pre-counted, a segment's only payload arrived as chunk 2: a reload of the
 * segment just pushed was transmuxed as more of it (TS audio dropped as overlap, video shifted
 * past the buffer end — `bufferAppendNoProgress`, `bufferSeekOverHole`), and the initPTS check of
 * fMP4 segments was skipped.
 */
export function fillLoaderStats(
  stats: LoaderStats,
  result: SegmentResult,
  httpBandwidthBps: number,
  nowMs: number,
  httpFirstByteMs = 1,
  playoutMs = 0,
): void {
  const bytes = result.data.byteLength;
  const { ttfbMs, transferMs } = reportedTransfer(result, httpBandwidthBps, httpFirstByteMs, playoutMs);
  stats.loaded = bytes;
  stats.total = bytes;
  stats.retry = result.httpRetries;
  stats.loading.end = nowMs;
  stats.loading.first = nowMs - transferMs;
  stats.loading.start = stats.loading.first - ttfbMs;
  stats.bwEstimate = transferMs > 0 ? (bytes * 8000) / transferMs : 0;
}

/**
 * What hls.js sees of a load while it is in flight: its network time, not the time it was held.
 *
 * hls.js's ABR polls a fragment load every 100 ms (`_abandonRulesCheck`, hls.js 1.x
 * `abr-controller.ts`): once the load is older than half the fragment's duration and its estimated
 * remaining time exceeds the buffer, it aborts the load, samples the whole elapsed time as a
 * time-to-first-byte and resets its bandwidth estimate to a lower level's bitrate. A load Nearcast
 * holds for peers (waiting for a neighbour to receive the segment, no byte moving) looks exactly like
 * that, and hls.js dropped to its lowest level and climbed back again and again (BENCHMARKS.md, real
 * shaping) where plain hls.js on the same links never did. Keeping playback safe during a hold is the
 * delivery policy's deadline; hls.js's rule should judge what it would judge with its own loader:
 * bytes moving over the viewer's link.
 *
 * So until the load's first HTTP request (`httpRequest()`) or its first bytes from anywhere
 * (`progress()`), `stats.loading.start` reads as now (nothing has moved yet). From then on `start` is
 * that moment and progress fills `first`, `loaded` and `total`. Bytes from a peer are shown as they
 * come: they cross the viewer's own downlink, and when that link drops (a viewer moving to a slow
 * network) hls.js must see it to switch down in time, as it does with HTTP. A later assignment to
 * `loading.start` (fillLoaderStats at the end) sets it as a plain value.
 */
export function networkClock(stats: LoaderStats): {
  httpRequest(): void;
  progress(loaded: number, total: number): void;
} {
  let start: number | undefined;
  Object.defineProperty(stats.loading, "start", {
    configurable: true,
    enumerable: true,
    get: () => start ?? performance.now(),
    set: (value: number) => {
      start = value;
    },
  });
  return {
    httpRequest() {
      start ??= performance.now();
    },
    progress(loaded, total) {
      const now = performance.now();
      start ??= now;
      if (stats.loading.first === 0) stats.loading.first = now;
      stats.loaded = loaded;
      stats.total = total;
    },
  };
}
