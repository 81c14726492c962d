import { MAX_SEQS_AHEAD } from "./constants.js";

/**
 * Which report seqs of one client were already counted, so a resent report (same seq, same payload)
 * counts once.
 *
 * Clients number reports 1, 2, … and resend the oldest unacknowledged first, so the counted seqs are
 * nearly always "everything up to N": the tracker keeps that N (`contiguous`) plus the few seqs
 * counted above it, which exist only while an older report is missing. A missing report may still
 * arrive (a retry overtaken by a newer request) and is then counted. When more than
 * {@link MAX_SEQS_AHEAD} seqs wait above a gap, the gap is declared lost: `contiguous` jumps over it
 * and a report from inside it arriving later is treated as a duplicate.
 */
export class SeqTracker {
  private contiguous = 0;
  private readonly ahead = new Set<number>();

  constructor(private readonly maxAhead = MAX_SEQS_AHEAD) {}

  has(seq: number): boolean {
    return seq <= this.contiguous || this.ahead.has(seq);
  }

  /** Records `seq` as counted; returns false if it already was (a duplicate). */
  add(seq: number): boolean {
    if (this.has(seq)) return false;
    if (seq === this.contiguous + 1) {
      this.contiguous = seq;
      this.absorb();
    } else {
      this.ahead.add(seq);
      if (this.ahead.size > this.maxAhead) {
        this.contiguous = Math.min(...this.ahead);
        this.ahead.delete(this.contiguous);
        this.absorb();
      }
    }
    return true;
  }

  /** Highest seq below which every report was counted or given up. */
  get highestContiguous(): number {
    return this.contiguous;
  }

  get pending(): number {
    return this.ahead.size;
  }

  private absorb(): void {
    while (this.ahead.delete(this.contiguous + 1)) this.contiguous += 1;
    // Seqs at or under the new floor are covered by it.
    for (const seq of this.ahead) if (seq <= this.contiguous) this.ahead.delete(seq);
  }
}
