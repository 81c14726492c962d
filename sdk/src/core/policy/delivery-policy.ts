/**
 * The delivery policy of one viewer: its config slice, the state its loads share (the ABR probe's
 * interval, the segments whose HTTP fetch failed lately), and a {@link LoadPolicy} per segment load.
 */
import { RECENT_HTTP_FAILURES } from "./constants.js";
import type { LoadContext, PolicyConfig, PolicyVariant, ViewerState } from "./load-context.js";
import { LoadPolicy } from "./load-policy.js";
import { ThroughputProbe } from "./throughput-probe.js";

export class DeliveryPolicy implements ViewerState {
  readonly probe = new ThroughputProbe();
  /**
   * Segments whose HTTP fetch failed lately (ids, oldest first, at most {@link RECENT_HTTP_FAILURES}):
   * the player retries such a segment after its back-off, and the retry skips the new-segment hold.
   */
  private readonly recentHttpFailures = new Set<string>();

  constructor(
    readonly config: PolicyConfig,
    readonly variant: PolicyVariant = {},
  ) {}

  /** The policy of a new segment load. */
  begin(ctx: LoadContext): LoadPolicy {
    return new LoadPolicy(ctx, this);
  }

  failedRecently(segmentId: string): boolean {
    return this.recentHttpFailures.has(segmentId);
  }

  /** Remember a failed HTTP fetch of `segmentId` (bounded: the oldest is forgotten first). */
  noteHttpFailure(segmentId: string): void {
    this.recentHttpFailures.delete(segmentId);
    this.recentHttpFailures.add(segmentId);
    if (this.recentHttpFailures.size > RECENT_HTTP_FAILURES) {
      const oldest = this.recentHttpFailures.values().next().value;
      if (oldest !== undefined) this.recentHttpFailures.delete(oldest);
    }
  }

  noteHttpSuccess(segmentId: string): void {
    this.recentHttpFailures.delete(segmentId);
  }
}
