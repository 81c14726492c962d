// The hard caps on bytes from peers that one viewer holds (sdk/src/p2p/constants.ts explains the
// numbers): one per segment, one across every load in flight. Shared by all peers of a P2PNetwork.
import { MAX_PEER_BUFFERED_BYTES, MAX_PEER_SEGMENT_BYTES } from "./constants.js";

interface LoadBytes {
  reserved: number;
  received: number;
}

/**
 * Bytes from peers held for the loads in flight. A load (one segment of one swarm, keyed by the
 * caller) reserves room for the whole segment before asking a peer for it, and frees it when the
 * load ends; every request asks for exactly the bytes reserved, so what peers can make the viewer
 * hold never exceeds `maxBytes`, nor `maxSegmentBytes` for one segment, whatever they send.
 */
export class PeerByteBudget {
  private readonly loads = new Map<string, LoadBytes>();
  private reservedTotal = 0;
  private receivedTotal = 0;
  private receivedPeak = 0;

  constructor(
    readonly maxBytes = MAX_PEER_BUFFERED_BYTES,
    readonly maxSegmentBytes = MAX_PEER_SEGMENT_BYTES,
  ) {}

  /**
   * Room for a segment of `segmentBytes` for load `key` (a second request of the same load reuses
   * its reservation). False, changing nothing, when the segment is over the per-segment cap or the
   * room left is too small: the load then takes HTTP.
   */
  reserve(key: string, segmentBytes: number): boolean {
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes <= 0 || segmentBytes > this.maxSegmentBytes)
      return false;
    const load = this.loads.get(key);
    const extra = segmentBytes - (load?.reserved ?? 0);
    if (extra <= 0) return true;
    if (this.reservedTotal + extra > this.maxBytes) return false;
    this.reservedTotal += extra;
    if (load) load.reserved = segmentBytes;
    else this.loads.set(key, { reserved: segmentBytes, received: 0 });
    return true;
  }

  /** Bytes from a peer accepted into load `key`. */
  received(key: string, bytes: number): void {
    const load = this.loads.get(key);
    if (!load) return;
    load.received += bytes;
    this.receivedTotal += bytes;
    if (this.receivedTotal > this.receivedPeak) this.receivedPeak = this.receivedTotal;
  }

  /** Load `key` ended (delivered, failed or aborted): its bytes are no longer ours to count. */
  release(key: string): void {
    const load = this.loads.get(key);
    if (!load) return;
    this.loads.delete(key);
    this.reservedTotal -= load.reserved;
    this.receivedTotal -= load.received;
  }

  /** Bytes reserved for loads in flight (≤ maxBytes). */
  get reservedBytes(): number {
    return this.reservedTotal;
  }

  /** Bytes from peers received for loads in flight (≤ reservedBytes for peers that keep the rules). */
  get bufferedBytes(): number {
    return this.receivedTotal;
  }

  /** The most `bufferedBytes` has been since this budget was made. */
  get peakBufferedBytes(): number {
    return this.receivedPeak;
  }
}
