// How bytes cross the simulated network. Deliberately small; each rule says what it stands for.
//
// - Latency: every viewer has an access latency; a message between two viewers takes the sum of
//   theirs one way (viewer → origin: the viewer's plus the CDN's). No loss, no reordering: data
//   channels are ordered and reliable, and the SDK's messages ride on them.
// - Uplink: a viewer's upload is one serial link shared round-robin, one chunk (≤ 64 KiB) at a
//   time, by every upload it serves. That is what the SDK's uploader does under a cap (every chunk
//   takes its turn at one token bucket) and what SCTP associations sharing one uplink approximate.
// - Downlink: chunks arriving at a viewer queue first-come first-served at its download rate (a
//   viewer receives one segment at a time, from one source, so there is little to share).
import type { EventQueue } from "./event-queue.js";

/** Something with chunks to send: asked for its next chunk when it reaches the head of the line. */
export interface UplinkSender {
  /** Size of the next chunk it can send now, in bytes; 0 when it has nothing ready (it leaves the line). */
  nextChunkBytes(): number;
  /** Its chunk left the uplink at `endMs` (the caller adds propagation and the receiver's downlink). */
  chunkSent(bytes: number, endMs: number): void;
}

/** A viewer's upload: one chunk at a time, senders served round-robin. */
export class Uplink {
  private readonly line: UplinkSender[] = [];
  private readonly queued = new Set<UplinkSender>();
  private busy = false;
  /** Bytes sent so far. */
  sentBytes = 0;

  /**
   * @param bytesPerSec upload rate; Infinity = not a bottleneck (chunks leave at once).
   * @param onSent each chunk that left: its bytes, the time the link was busy with it and when it
   *   ended (the engine's uplink measurement, sdk/src/core/policy/uplink-estimate.ts).
   */
  constructor(
    private readonly queue: EventQueue,
    readonly bytesPerSec: number,
    private readonly onSent?: (bytes: number, busyMs: number, endMs: number) => void,
  ) {
    if (!(bytesPerSec > 0)) throw new RangeError(`upload rate must be > 0, got ${bytesPerSec}`);
  }

  /** Senders waiting for their turn (the one being served excluded). */
  get waiting(): number {
    return this.line.length;
  }

  /** `sender` has a chunk ready: it joins the back of the line (once). */
  ready(sender: UplinkSender): void {
    if (this.queued.has(sender)) return;
    this.queued.add(sender);
    this.line.push(sender);
    if (!this.busy) this.serveNext();
  }

  /** Forget a sender (its upload was cancelled); a chunk already on the wire still completes. */
  remove(sender: UplinkSender): void {
    if (!this.queued.delete(sender)) return;
    const i = this.line.indexOf(sender);
    if (i >= 0) this.line.splice(i, 1);
  }

  private serveNext(): void {
    while (this.line.length > 0) {
      const sender = this.line.shift()!;
      this.queued.delete(sender);
      const bytes = sender.nextChunkBytes();
      if (bytes <= 0) continue;
      this.busy = true;
      const busyMs = transmitMs(bytes, this.bytesPerSec);
      const endMs = this.queue.now + busyMs;
      this.sentBytes += bytes;
      this.queue.at(endMs, () => {
        this.onSent?.(bytes, busyMs, endMs);
        // Still busy while the sender reacts: if it is ready again it joins the back of the line.
        sender.chunkSent(bytes, endMs);
        this.busy = false;
        this.serveNext();
      });
      return;
    }
  }
}

/** A viewer's download: chunks are received in arrival order at its rate. */
export class Downlink {
  private freeAtMs = 0;

  constructor(readonly bytesPerSec: number) {
    if (!(bytesPerSec > 0)) throw new RangeError(`download rate must be > 0, got ${bytesPerSec}`);
  }

  /**
   * A chunk of `bytes` reaches the viewer's access link at `arriveMs`, limited to `capBytesPerSec`
   * (a CDN's per-request rate, say): returns when it has been received whole.
   */
  receive(arriveMs: number, bytes: number, capBytesPerSec = Number.POSITIVE_INFINITY): number {
    const start = Math.max(arriveMs, this.freeAtMs);
    const rate = Math.min(this.bytesPerSec, capBytesPerSec);
    this.freeAtMs = start + transmitMs(bytes, rate);
    return this.freeAtMs;
  }
}

/** Milliseconds to push `bytes` through a link of `bytesPerSec` (0 for an unlimited link). */
export function transmitMs(bytes: number, bytesPerSec: number): number {
  return Number.isFinite(bytesPerSec) ? (bytes / bytesPerSec) * 1000 : 0;
}

/** One-way delay between two endpoints with these access latencies, ms. */
export function oneWayMs(aLatencyMs: number, bLatencyMs: number): number {
  return aLatencyMs + bLatencyMs;
}
