import { createHash } from "node:crypto";
import { OTHER_STREAM } from "./stream-identity.js";

/** A stream competing for a label: `weight` is its current viewer count. */
export interface LabelCandidate {
  key: string;
  name: string;
  weight: number;
}

/**
 * Bounds the `stream` label of the Prometheus metrics: at most `maxLabels` streams have a label of
 * their own, everything else is `stream="other"`.
 *
 * Labels are sticky so that `nearcast_reported_bytes_total` stays monotonic: bytes are added to whatever label
 * the stream has *when they arrive*. A stream that gains viewers takes the slot of a less-watched one
 * at the next {@link rebalance}; the demoted stream's series ends (its future bytes go to "other") and
 * the promoted one starts a new series from zero. "other" itself only ever grows.
 */
export class LabelAllocator {
  private readonly labels = new Map<string, string>();
  private readonly inUse = new Set<string>();

  constructor(private readonly maxLabels: number) {}

  labelOf(key: string): string {
    return this.labels.get(key) ?? OTHER_STREAM;
  }

  hasOwnLabel(key: string): boolean {
    return this.labels.has(key);
  }

  get size(): number {
    return this.labels.size;
  }

  /** Gives `key` a label of its own if a slot is free; returns the label it ends up with. */
  assign(key: string, name: string): string {
    const existing = this.labels.get(key);
    if (existing !== undefined) return existing;
    if (this.labels.size >= this.maxLabels) return OTHER_STREAM;
    const label = this.uniqueLabel(key, name);
    this.labels.set(key, label);
    this.inUse.add(label);
    return label;
  }

  /** Frees the key's label (stream expired or demoted); returns it, if it had one. */
  release(key: string): string | undefined {
    const label = this.labels.get(key);
    if (label === undefined) return undefined;
    this.labels.delete(key);
    this.inUse.delete(label);
    return label;
  }

  /**
   * Fills free slots with the most-watched unlabelled streams, then swaps a labelled stream for an
   * unlabelled one with strictly more viewers (ties keep the incumbent: no churn). Returns the labels
   * released, whose series end.
   */
  rebalance(candidates: readonly LabelCandidate[]): string[] {
    const released: string[] = [];
    const waiting = candidates.filter((c) => !this.labels.has(c.key)).sort((a, b) => b.weight - a.weight);
    const holders = candidates.filter((c) => this.labels.has(c.key)).sort((a, b) => a.weight - b.weight);
    let next = 0;
    while (next < waiting.length && this.labels.size < this.maxLabels) {
      const candidate = waiting[next++];
      if (candidate !== undefined) this.assign(candidate.key, candidate.name);
    }
    for (const holder of holders) {
      const challenger = waiting[next];
      if (challenger === undefined || challenger.weight <= holder.weight) break;
      const label = this.release(holder.key);
      if (label !== undefined) released.push(label);
      this.assign(challenger.key, challenger.name);
      next++;
    }
    return released;
  }

  private uniqueLabel(key: string, name: string): string {
    if (!this.inUse.has(name)) return name;
    const hash = createHash("sha1").update(key).digest("hex");
    for (let length = 6; length <= hash.length; length += 2) {
      const label = `${name}~${hash.slice(0, length)}`;
      if (!this.inUse.has(label)) return label;
    }
    return `${name}~${hash}~${this.inUse.size}`;
  }
}
