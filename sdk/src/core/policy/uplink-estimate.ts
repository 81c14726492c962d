/**
 * What this viewer's uplink really carries, measured from its own uploads: the configured
 * `maxUploadBytesPerSec` is all the policy knew before, and a viewer behind a slow link (no cap
 * configured) took itself for a relay, went first for new segments and had its neighbours wait on
 * it in vain (BENCHMARKS.md, real shaping, weak uplinks).
 */
import { Ewma } from "../ewma.js";
import {
  UPLINK_ESTIMATE_HALF_LIFE_SEC,
  UPLINK_ESTIMATE_MAX_AGE_MS,
  UPLINK_ESTIMATE_MIN_BUSY_MS,
} from "./constants.js";

/**
 * The uplink rate, bytes/s, from samples of bytes that left while the uplink was busy (bytes were
 * queued on it the whole time: the link, not the sender, set the pace): an average weighted by busy
 * time ({@link UPLINK_ESTIMATE_HALF_LIFE_SEC}), so a short sample counts little. A data channel's
 * send queue drains in bursts (in a browser under tc, 100–400 kB in one 250-ms reading, then
 * nothing for seconds, on a 500 kbit/s link), so no estimate is given before
 * {@link UPLINK_ESTIMATE_MIN_BUSY_MS} of busy time. None either once the last sample is older than
 * {@link UPLINK_ESTIMATE_MAX_AGE_MS}: the policy then does what it did without one, and the next
 * samples start afresh, so a link that changed is not judged by the past for long.
 */
export class UplinkEstimate {
  private rate = new Ewma(UPLINK_ESTIMATE_HALF_LIFE_SEC);
  private busyMs = 0;
  private lastSampleMs: number | undefined;

  /**
   * `bytes` left this viewer over `busyMs` of uplink time during which it was never idle, ending at
   * `endMs` (ms, the policy's clock). Samples that are not finite and positive in time are ignored.
   */
  sample(bytes: number, busyMs: number, endMs: number): void {
    if (!(busyMs > 0) || !(bytes >= 0) || !Number.isFinite(busyMs + bytes + endMs)) return;
    if (this.lastSampleMs !== undefined && endMs - this.lastSampleMs > UPLINK_ESTIMATE_MAX_AGE_MS) {
      this.rate = new Ewma(UPLINK_ESTIMATE_HALF_LIFE_SEC);
      this.busyMs = 0;
    }
    this.rate.sample(busyMs / 1000, (bytes * 1000) / busyMs);
    this.busyMs += busyMs;
    this.lastSampleMs = Math.max(this.lastSampleMs ?? -Infinity, endMs);
  }

  /** The uplink rate at `nowMs`, bytes/s; undefined without enough recent samples. */
  bytesPerSec(nowMs: number): number | undefined {
    const last = this.lastSampleMs;
    if (last === undefined || this.busyMs < UPLINK_ESTIMATE_MIN_BUSY_MS) return undefined;
    return nowMs - last > UPLINK_ESTIMATE_MAX_AGE_MS ? undefined : this.rate.value(0);
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
