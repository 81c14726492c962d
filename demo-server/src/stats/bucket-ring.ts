import { BUCKET_MS, RING_BUCKETS } from "./constants.js";

/**
 * Fixed-size ring of time buckets, each holding `channels` numbers (e.g. http, p2p, upload, origin
 * bytes). Buckets are addressed by their absolute index `floor(ms / bucketMs)`; a slot is reused when
 * time moves past it, so memory is `size × channels` numbers whatever the traffic. Pure: callers pass
 * times.
 */
export class BucketRing {
  private readonly values: Float64Array;
  /** The absolute bucket index each slot holds; NaN = never written. */
  private readonly stamps: Float64Array;

  constructor(
    readonly channels: number,
    readonly size: number = RING_BUCKETS,
    readonly bucketMs: number = BUCKET_MS,
  ) {
    this.values = new Float64Array(size * channels);
    this.stamps = new Float64Array(size).fill(Number.NaN);
  }

  indexOf(ms: number): number {
    return Math.floor(ms / this.bucketMs);
  }

  /** Adds `amounts` (one per channel) to the bucket holding `atMs`. */
  add(atMs: number, amounts: readonly number[]): void {
    this.addToBucket(this.indexOf(atMs), amounts, 1);
  }

  /**
   * Spreads `amounts` evenly over `[fromMs, toMs)`, in proportion to each bucket's overlap, so bytes
   * reported at the end of an interval land where they were moved. An empty interval adds at `toMs`.
   * Buckets already recycled by newer data are skipped.
   */
  addSpread(fromMs: number, toMs: number, amounts: readonly number[]): void {
    if (!(toMs > fromMs)) {
      this.add(toMs, amounts);
      return;
    }
    const span = toMs - fromMs;
    const last = Math.ceil(toMs / this.bucketMs) - 1;
    for (let index = this.indexOf(fromMs); index <= last; index++) {
      const start = Math.max(fromMs, index * this.bucketMs);
      const end = Math.min(toMs, (index + 1) * this.bucketMs);
      if (end > start) this.addToBucket(index, amounts, (end - start) / span);
    }
  }

  /** Per-channel sums of buckets `first..last` (absolute indices, inclusive). */
  sum(first: number, last: number): number[] {
    const out = new Array<number>(this.channels).fill(0);
    for (let index = Math.max(first, last - this.size + 1); index <= last; index++) {
      const slot = this.slotOf(index);
      if (this.stamps[slot] !== index) continue;
      for (let c = 0; c < this.channels; c++)
        out[c] = (out[c] ?? 0) + (this.values[slot * this.channels + c] ?? 0);
    }
    return out;
  }

  /** One channel of one bucket (0 if the bucket holds nothing or was recycled). */
  get(index: number, channel: number): number {
    const slot = this.slotOf(index);
    return this.stamps[slot] === index ? (this.values[slot * this.channels + channel] ?? 0) : 0;
  }

  private addToBucket(index: number, amounts: readonly number[], fraction: number): void {
    const slot = this.slotOf(index);
    const stamp = this.stamps[slot] ?? Number.NaN;
    if (stamp > index) return; // the slot already holds a newer bucket: this one has aged out
    if (stamp !== index) {
      this.stamps[slot] = index;
      this.values.fill(0, slot * this.channels, (slot + 1) * this.channels);
    }
    for (let c = 0; c < this.channels; c++) {
      this.values[slot * this.channels + c] =
        (this.values[slot * this.channels + c] ?? 0) + (amounts[c] ?? 0) * fraction;
    }
  }

  private slotOf(index: number): number {
    return ((index % this.size) + this.size) % this.size;
  }
}
