import type { OriginStatsSnapshot } from "../origin/origin-counters.js";

/**
 * Turns the origin's cumulative per-stream media byte counters into per-interval deltas. Bytes
 * served before the sampler started are not counted; a counter that went down (the origin's stats
 * were reset) restarts from zero, so its whole new value is the delta.
 */
export class OriginSampler {
  private readonly previous = new Map<string, number>();

  constructor(initial: OriginStatsSnapshot | undefined) {
    for (const [name, counters] of Object.entries(initial?.streams ?? {}))
      this.previous.set(name, counters.mediaBytes);
  }

  /** Bytes served per origin stream since the previous call (streams with none are left out). */
  sample(snapshot: OriginStatsSnapshot): Map<string, number> {
    const deltas = new Map<string, number>();
    const seen = new Set<string>();
    for (const [name, counters] of Object.entries(snapshot.streams)) {
      seen.add(name);
      const before = this.previous.get(name) ?? 0;
      const now = counters.mediaBytes;
      const delta = now >= before ? now - before : now;
      this.previous.set(name, now);
      if (delta > 0) deltas.set(name, delta);
    }
    // A stream gone from the snapshot was reset: its next value counts from zero.
    for (const name of this.previous.keys()) if (!seen.has(name)) this.previous.delete(name);
    return deltas;
  }
}
