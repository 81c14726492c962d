/**
 * What this viewer's uplink really carries, measured from its own uploads: the configured
 * `maxUploadBytesPerSec` is all the policy knew before, and a viewer behind a slow link (no cap
 * configured) took itself for a relay, went first for new segments and had its neighbours wait on
 * it in vain (BENCHMARKS.md, real shaping, weak uplinks).
 */
import {
  UPLINK_MEASUREMENT_MAX_AGE_MS,
  UPLINK_MEASUREMENT_MIN_BUSY_MS,
  UPLINK_MEASUREMENTS_KEPT,
} from "./constants.js";

/**
 * The uplink rate, bytes/s, from samples of bytes that left while the uplink was busy (bytes were
 * queued on it the whole time: the link, not the sender, set the pace). Samples add up to one
 * measurement per {@link UPLINK_MEASUREMENT_MIN_BUSY_MS} of busy time; the estimate is the highest
 * measurement of the last {@link UPLINK_MEASUREMENT_MAX_AGE_MS}. Conservative, because what it
 * decides is that a viewer cannot relay: a slow receiver backs our queue up too (its downlink, not
 * our uplink, sets the pace), and only a measurement *above* that shows what the link can do. With
 * no measurement that recent there is no estimate (undefined), and the policy does what it did
 * without one: the measurements decay by age, so a link that got faster is not judged by the past
 * for long.
 */
export class UplinkEstimate {
  private pendingBytes = 0;
  private pendingBusyMs = 0;
  /** Measurements, oldest first: when each ended (the samples' clock, ms) and its rate, bytes/s. */
  private readonly measurements: { endMs: number; bytesPerSec: number }[] = [];

  /**
   * `bytes` left this viewer over `busyMs` of uplink time during which it was never idle, ending at
   * `endMs` (ms, the policy's clock). Samples that are not finite and positive in time are ignored.
   */
  sample(bytes: number, busyMs: number, endMs: number): void {
    if (!(busyMs > 0) || !(bytes >= 0) || !Number.isFinite(busyMs + bytes + endMs)) return;
    this.pendingBytes += bytes;
    this.pendingBusyMs += busyMs;
    if (this.pendingBusyMs < UPLINK_MEASUREMENT_MIN_BUSY_MS) return;
    this.measurements.push({ endMs, bytesPerSec: (this.pendingBytes * 1000) / this.pendingBusyMs });
    if (this.measurements.length > UPLINK_MEASUREMENTS_KEPT) this.measurements.shift();
    this.pendingBytes = 0;
    this.pendingBusyMs = 0;
  }

  /** The uplink rate at `nowMs`, bytes/s; undefined without a recent measurement. */
  bytesPerSec(nowMs: number): number | undefined {
    let best: number | undefined;
    for (const m of this.measurements) {
      if (nowMs - m.endMs <= UPLINK_MEASUREMENT_MAX_AGE_MS) best = Math.max(best ?? 0, m.bytesPerSec);
    }
    return best;
  }
}

/**
 * The upload rate the policy plans with, bytes/s (0 = no limit known): the configured cap
 * (`maxUploadBytesPerSec`, 0 = none) or the measured rate ({@link UplinkEstimate}, undefined =
 * none), whichever is lower.
 */
export function effectiveUploadBytesPerSec(configuredCap: number, measured: number | undefined): number {
  const limits = [configuredCap > 0 ? configuredCap : Infinity, measured ?? Infinity];
  const lowest = Math.min(...limits);
  return Number.isFinite(lowest) ? Math.max(lowest, Number.MIN_VALUE) : 0;
}
