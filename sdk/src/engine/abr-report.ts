// What a player's ABR is told about a delivery, for every player adapter: the network's speed, not
// the speed of a peer, of memory, or of Nearcast's own patience. Each adapter writes the figures
// into its player's own shape (hls.js LoaderStats, a Shaka response's timeMs).
import type { SegmentResult } from "../core/types.js";

/**
 * The throughput (bits/s) at which a peer or cache delivery is reported to hls.js's ABR: the measured
 * HTTP throughput, or the player's own estimate when that is higher; 0 (real timings) before any
 * HTTP measurement.
 *
 * The player's estimate is the floor because a viewer that takes most segments from peers measures
 * HTTP rarely: when its network gets faster, its HTTP estimate stays at the old, slow figure for a
 * long time, and reporting every peer delivery at that figure would pull ABR back down each time
 * a real HTTP fetch lifted it (a viewer kept a level below plain hls.js that way). At the player's
 * own estimate a peer delivery leaves ABR about where the HTTP fetches put it.
 *
 * @param httpBandwidthBps measured HTTP throughput, bits/s; 0 = none yet
 * @param playerEstimateBps the player's bandwidth estimate, bits/s (hls.js `bandwidthEstimate`;
 *   NaN or 0 = none)
 */
export function peerDeliveryReportBps(httpBandwidthBps: number, playerEstimateBps: number): number {
  if (!(httpBandwidthBps > 0)) return 0;
  return Number.isFinite(playerEstimateBps) && playerEstimateBps > httpBandwidthBps
    ? playerEstimateBps
    : httpBandwidthBps;
}

/**
 * The first-byte and transfer times (ms) to report for `result`: an HTTP delivery's real timings
 * (any wait for peers before it is not network time and is left out), a peer or cache delivery as
 * the time HTTP would have needed at `httpBandwidthBps` after `httpFirstByteMs` (at least 1 ms).
 * With no HTTP measurement yet (`httpBandwidthBps` 0) the real timings are used for every source.
 *
 * Except a peer delivery whose bytes took longer than the media they carry (`playoutMs`, the
 * segment's duration in ms; 0 = unknown): that level was not sustained, whoever was slow — a peer, or
 * the viewer's own link after it dropped — and the real timings are reported. Paced to the player's
 * old estimate instead, a viewer whose downlink fell below its level's bitrate kept that level
 * (peers still fed it, each delivery reported as fast as before) until its buffer ran dry, where
 * plain hls.js switched down after one slow fragment (BENCHMARKS.md, mixed renditions' switcher).
 */
export function reportedTransfer(
  result: Pick<SegmentResult, "data" | "source" | "timing">,
  httpBandwidthBps: number,
  httpFirstByteMs = 1,
  playoutMs = 0,
): { ttfbMs: number; transferMs: number } {
  const { requestStartMs, firstByteMs, endMs } = result.timing;
  const slowerThanPlayout = result.source === "p2p" && playoutMs > 0 && endMs - firstByteMs > playoutMs;
  if (result.source !== "http" && httpBandwidthBps > 0 && !slowerThanPlayout) {
    return {
      ttfbMs: Math.max(httpFirstByteMs, 1),
      transferMs: ((result.data.byteLength * 8) / httpBandwidthBps) * 1000,
    };
  }
  return { ttfbMs: Math.max(0, firstByteMs - requestStartMs), transferMs: Math.max(0, endMs - firstByteMs) };
}
