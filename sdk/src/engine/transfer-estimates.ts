import { Ewma } from "../core/ewma.js";
import type { TransferTiming } from "../core/types.js";

/** Half-life of the HTTP bandwidth estimate, in seconds of transfer (hls.js uses 9 s for VOD). */
const HTTP_BANDWIDTH_HALF_LIFE_SEC = 5;
/** Segment size assumed before any segment of the swarm was seen. */
const DEFAULT_SEGMENT_BYTES = 400_000;
/** First-byte time assumed before the first HTTP response. */
const DEFAULT_HTTP_FIRST_BYTE_MS = 150;
/** Transfers smaller than this measure latency, not throughput; hls.js skips them for the same reason. */
const MIN_THROUGHPUT_SAMPLE_BYTES = 16 * 1024;

/** What the scheduler needs to know about HTTP: throughput, first-byte time and segment size (EWMAs). */
export class TransferEstimates {
  private readonly httpBandwidth = new Ewma(HTTP_BANDWIDTH_HALF_LIFE_SEC);
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

  sampleHttp(timing: TransferTiming, bytes: number): void {
    this.httpFirstByte.sample(1, timing.firstByteMs - timing.requestStartMs);
    const seconds = Math.max(timing.endMs - timing.firstByteMs, 1) / 1000;
    if (bytes >= MIN_THROUGHPUT_SAMPLE_BYTES) this.httpBandwidth.sample(seconds, (bytes * 8) / seconds);
  }

  sampleSegment(bytes: number): void {
    this.segmentSize.sample(1, bytes);
  }
}
