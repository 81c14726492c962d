/**
 * When a viewer that takes its segments from peers fetches one over HTTP anyway, to learn whether its
 * network could carry a higher rendition (an "ABR probe").
 *
 * Peer deliveries are reported to the player's ABR at the measured HTTP throughput (see
 * hlsjs/loader-stats.ts), so ABR climbs only as far as HTTP measurements allow. A viewer served by
 * peers measures HTTP rarely: when its link gets faster, nothing tells ABR, and it stays on a lower
 * rendition than plain hls.js would pick. So when its last HTTP measurement is old, such a viewer
 * volunteers to fetch the next segment nobody around it has yet — over HTTP, at once, skipping the
 * new-segment hold — and its neighbours take that segment from it. A segment a peer holds still comes
 * from the peer, so a probe costs the CDN little the swarm would not have fetched anyway. The interval
 * grows while the probes find nothing new.
 */
import { ABR_PROBE_FOUND_MORE, ABR_PROBE_MAX_INTERVAL_MS, ABR_PROBE_MIN_INTERVAL_MS } from "./constants.js";
import type { TransferEstimates } from "./transfer-estimates.js";

/** What the probe reads of the HTTP estimates. */
export type ProbeEstimates = Pick<TransferEstimates, "httpBandwidthBps" | "httpSampleAgeMs">;

export class ThroughputProbe {
  private intervalMs = ABR_PROBE_MIN_INTERVAL_MS;

  /**
   * Whether this viewer should fetch the next segment no peer has over HTTP at once, to refresh its
   * throughput estimate: the player could switch up from its rendition (`canSwitchUp`), there is an
   * estimate to refresh, and its last sample is at least the current interval old at `nowMs` (the
   * clock of the estimates' samples).
   */
  due(estimates: ProbeEstimates, nowMs: number, canSwitchUp: boolean): boolean {
    return (
      canSwitchUp && estimates.httpBandwidthBps > 0 && estimates.httpSampleAgeMs(nowMs) >= this.intervalMs
    );
  }

  /**
   * After a probe: the interval starts again if the estimate (bits/s) rose by 15 % or more,
   * otherwise it doubles up to {@link ABR_PROBE_MAX_INTERVAL_MS}.
   */
  done(beforeBps: number, afterBps: number): void {
    this.intervalMs =
      afterBps >= beforeBps * ABR_PROBE_FOUND_MORE
        ? ABR_PROBE_MIN_INTERVAL_MS
        : Math.min(this.intervalMs * 2, ABR_PROBE_MAX_INTERVAL_MS);
  }

  /** Current interval, ms (for logs and tests). */
  get currentIntervalMs(): number {
    return this.intervalMs;
  }
}
