import { describe, expect, it } from "vitest";
import { BucketRing } from "../../../demo-server/src/stats/bucket-ring.js";

describe("BucketRing", () => {
  it("adds into the bucket holding the time and sums ranges per channel", () => {
    const ring = new BucketRing(2, 10, 1000);
    ring.add(500, [1, 10]);
    ring.add(999, [2, 20]);
    ring.add(1000, [4, 40]);
    expect(ring.get(0, 0)).toBe(3);
    expect(ring.sum(0, 1)).toEqual([7, 70]);
    expect(ring.sum(1, 1)).toEqual([4, 40]);
  });

  it("recycles a slot when time moves a whole ring past it", () => {
    const ring = new BucketRing(1, 4, 1000);
    ring.add(0, [5]);
    ring.add(4000, [7]); // same slot, four buckets later
    expect(ring.get(0, 0)).toBe(0);
    expect(ring.get(4, 0)).toBe(7);
    expect(ring.sum(0, 4)).toEqual([7]);
  });

  it("ignores a late add for a bucket whose slot holds newer data", () => {
    const ring = new BucketRing(1, 4, 1000);
    ring.add(4000, [7]);
    ring.add(0, [5]);
    expect(ring.sum(0, 4)).toEqual([7]);
  });

  it("spreads an interval in proportion to each bucket's overlap", () => {
    const ring = new BucketRing(1, 10, 1000);
    ring.addSpread(500, 2500, [200]);
    expect([0, 1, 2].map((i) => ring.get(i, 0))).toEqual([50, 100, 50]);
    ring.addSpread(3000, 3000, [9]);
    expect(ring.get(3, 0)).toBe(9);
    ring.addSpread(4000, 5000, [8]);
    expect([ring.get(4, 0), ring.get(5, 0)]).toEqual([8, 0]);
  });

  it("works with negative times (a fake clock near zero)", () => {
    const ring = new BucketRing(1, 4, 1000);
    ring.addSpread(-2000, 0, [4]);
    expect(ring.sum(-2, -1)).toEqual([4]);
  });

  it("never sums more than one ring's worth of buckets", () => {
    const ring = new BucketRing(1, 4, 1000);
    for (let t = 0; t < 10_000; t += 1000) ring.add(t, [1]);
    expect(ring.sum(-100, 9)).toEqual([4]);
  });
});
