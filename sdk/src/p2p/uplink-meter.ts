/**
 * Measures what this viewer's uplink carries, for the delivery policy's uplink estimate
 * (core/policy/uplink-estimate.ts). The uploader hands a data channel up to SEND_HIGH_WATER_BYTES
 * at once, so when a chunk was *sent* says nothing about the link; what left is read from the
 * channels' send queues instead: over an interval, bytes handed to them + what was queued at its
 * start − what is queued at its end. Only intervals with a backlog at both ends are reported (the
 * link, not the uploader, set the pace); the interval timer runs only while something is queued.
 */
import { UPLINK_BACKLOG_MIN_BYTES, UPLINK_METER_INTERVAL_MS } from "./constants.js";

/** A data channel's send side as the meter reads it (a Peer). */
export interface MeteredSender {
  /** Bytes queued on the channel and not yet sent (RTCDataChannel `bufferedAmount`). */
  readonly bufferedBytes: number;
}

export interface UplinkMeterOptions {
  /** `bytes` left over `busyMs` of backlogged uplink time ending at `endMs` (the `now` clock). */
  onSample(bytes: number, busyMs: number, endMs: number): void;
  /** @default performance.now */
  now?: () => number;
  /** @default setInterval / clearInterval */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (timer: unknown) => void;
}

export class UplinkMeter {
  /** Channels that had bytes handed to them since they were last found empty. */
  private readonly senders = new Set<MeteredSender>();
  /** Bytes handed to channels since the last tick. */
  private handed = 0;
  private queuedAtTick = 0;
  private tickMs = 0;
  private timer: unknown;
  private readonly now: () => number;

  constructor(private readonly options: UplinkMeterOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** `bytes` were just handed to `sender`'s channel (after the send call). */
  handedOver(sender: MeteredSender, bytes: number): void {
    this.senders.add(sender);
    if (this.timer !== undefined) {
      this.handed += bytes;
      return;
    }
    // The first bytes on an idle uplink: they are in the queue read now, not in `handed`.
    this.handed = 0;
    this.tickMs = this.now();
    this.queuedAtTick = this.queued();
    const every = this.options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    this.timer = every(() => this.tick(), UPLINK_METER_INTERVAL_MS);
  }

  /** Stop measuring (the network is destroyed). */
  destroy(): void {
    this.stop();
    this.senders.clear();
  }

  private tick(): void {
    const nowMs = this.now();
    const queued = this.queued();
    const left = this.handed + this.queuedAtTick - queued;
    if (this.queuedAtTick >= UPLINK_BACKLOG_MIN_BYTES && queued >= UPLINK_BACKLOG_MIN_BYTES) {
      this.options.onSample(Math.max(0, left), nowMs - this.tickMs, nowMs);
    }
    this.handed = 0;
    this.queuedAtTick = queued;
    this.tickMs = nowMs;
    if (queued === 0) {
      this.stop();
      this.senders.clear();
    }
  }

  /** Bytes queued on the channels now; channels found empty are forgotten. */
  private queued(): number {
    let total = 0;
    for (const sender of this.senders) {
      const bytes = sender.bufferedBytes;
      if (bytes > 0) total += bytes;
      else this.senders.delete(sender);
    }
    return total;
  }

  private stop(): void {
    if (this.timer === undefined) return;
    (this.options.clearInterval ?? ((t) => clearInterval(t as ReturnType<typeof setInterval>)))(this.timer);
    this.timer = undefined;
  }
}
