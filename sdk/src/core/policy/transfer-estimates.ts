import { Ewma } from "../ewma.js";
import type { TransferTiming } from "../types.js";
import { UplinkEstimate } from "./uplink-estimate.js";

/** Half-life of the HTTP bandwidth estimate, in seconds of transfer (hls.js uses 9 s for VOD). */
const HTTP_BANDWIDTH_HALF_LIFE_SEC = 5;
/** Segment size assumed before any segment of the swarm was seen. */
const DEFAULT_SEGMENT_BYTES = 400_000;
/** First-byte time assumed before the first HTTP response. */
const DEFAULT_HTTP_FIRST_BYTE_MS = 150;
/** Transfers smaller than this measure latency, not throughput; hls.js skips them for the same reason. */
const MIN_THROUGHPUT_SAMPLE_BYTES = 16 * 1024;

/**
 * An HTTP throughput estimate whose last sample is older than this is aging: past it, what was
 * measured before counts half as much for every further {@link STALE_HALF_LIFE_MS} without a sample,
 * so a fresh measurement after a long run of peer deliveries is not averaged away by a figure from
 * another network state (a viewer whose link got faster while peers served it).
 */
const STALE_AFTER_MS = 4000;
const STALE_HALF_LIFE_MS = 4000;

/**
 * What the delivery policy needs to know about transfers: HTTP throughput, first-byte time and
 * segment size (EWMAs), and what this viewer's own uplink carries.
 */
export class TransferEstimates {
  /** This viewer's uplink rate, measured from its uploads (fed by the engine or the simulator). */
  readonly uplink = new UplinkEstimate();
  private readonly httpBandwidth = new Ewma(HTTP_BANDWIDTH_HALF_LIFE_SEC);
  /** `endMs` of the last throughput sample (the clock of {@link TransferTiming}). */
  private lastThroughputSampleMs: number | undefined;
  private readonly httpFirstByte = new Ewma(3);
  private readonly segmentSize = new Ewma(3);

  /** HTTP throughput in bits/s, 0 before the first HTTP transfer. */
  get httpBandwidthBps(): number {
    return this.httpBandwidth.value(0);
  }

  /** Expected time to the first byte of an HTTP response, in ms. */
  get httpFirstByteMs(): number {
    return this.httpFirstByte.value(DEFAULT_HTTP_FIRST_BYTE_MS);
  }

  /** Expected size of a segment, in bytes. */
  get segmentBytes(): number {
    return this.segmentSize.value(DEFAULT_SEGMENT_BYTES);
  }

  /** Milliseconds since the last HTTP throughput sample at `nowMs`; Infinity before the first. */
  httpSampleAgeMs(nowMs: number): number {
    return this.lastThroughputSampleMs === undefined ? Infinity : nowMs - this.lastThroughputSampleMs;
  }

  sampleHttp(timing: TransferTiming, bytes: number): void {
    this.httpFirstByte.sample(1, timing.firstByteMs - timing.requestStartMs);
    const seconds = Math.max(timing.endMs - timing.firstByteMs, 1) / 1000;
    if (bytes < MIN_THROUGHPUT_SAMPLE_BYTES) return;
    const idleMs = this.httpSampleAgeMs(timing.requestStartMs) - STALE_AFTER_MS;
    if (idleMs > 0) this.httpBandwidth.fade(Math.pow(0.5, idleMs / STALE_HALF_LIFE_MS));
    this.httpBandwidth.sample(seconds, (bytes * 8) / seconds);
    this.lastThroughputSampleMs = Math.max(this.lastThroughputSampleMs ?? -Infinity, timing.endMs);
  }

  sampleSegment(bytes: number): void {
    this.segmentSize.sample(1, bytes);
  }
}
