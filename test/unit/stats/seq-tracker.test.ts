import { describe, expect, it } from "vitest";
import { SeqTracker } from "../../../demo-server/src/stats/seq-tracker.js";

describe("SeqTracker", () => {
  it("counts in-order seqs once and keeps no set for them", () => {
    const seqs = new SeqTracker();
    for (let seq = 1; seq <= 100; seq++) expect(seqs.add(seq)).toBe(true);
    expect(seqs.add(50)).toBe(false);
    expect(seqs.highestContiguous).toBe(100);
    expect(seqs.pending).toBe(0);
  });

  it("remembers seqs above a gap and closes the gap when the missing one arrives", () => {
    const seqs = new SeqTracker();
    seqs.add(1);
    seqs.add(3);
    seqs.add(4);
    expect(seqs.has(2)).toBe(false);
    expect(seqs.add(4)).toBe(false);
    expect(seqs.add(2)).toBe(true);
    expect(seqs.highestContiguous).toBe(4);
    expect(seqs.pending).toBe(0);
  });

  it("gives up a gap once too many seqs wait above it", () => {
    const seqs = new SeqTracker(3);
    seqs.add(1);
    for (const seq of [3, 4, 5, 6]) seqs.add(seq);
    expect(seqs.highestContiguous).toBe(6);
    expect(seqs.pending).toBe(0);
    expect(seqs.add(2)).toBe(false); // lost for good: a late arrival is not counted
  });

  it("accepts a client that starts above 1 (its first reports were lost)", () => {
    const seqs = new SeqTracker();
    expect(seqs.add(7)).toBe(true);
    expect(seqs.add(8)).toBe(true);
    expect(seqs.add(7)).toBe(false);
  });
});
