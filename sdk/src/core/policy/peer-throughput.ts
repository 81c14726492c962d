import { Ewma } from "../ewma.js";

/** Half-life of a peer's throughput estimate, in seconds of transfer from it. */
const PEER_THROUGHPUT_HALF_LIFE_SEC = 4;

/**
 * Delivery throughput from one peer, bytes/s, weighted by transfer seconds: what `decide` ranks
 * holders by (`PeerCandidate.throughputBytesPerSec`). Sampled once per completed transfer, from the
 * request to its last byte, so a peer's latency counts against it as it does for the player.
 */
export class PeerThroughput {
  private readonly ewma = new Ewma(PEER_THROUGHPUT_HALF_LIFE_SEC);

  /** A transfer of `bytes` that took from `startedMs` to `endMs` (ms, any one clock). */
  sample(bytes: number, startedMs: number, endMs: number): void {
    const seconds = Math.max(endMs - startedMs, 1) / 1000;
    this.ewma.sample(seconds, bytes / seconds);
  }

  /** Bytes per second; 0 before the first sample. */
  get bytesPerSec(): number {
    return this.ewma.value(0);
  }
}
