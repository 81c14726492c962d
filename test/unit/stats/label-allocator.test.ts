import { describe, expect, it } from "vitest";
import { LabelAllocator } from "../../../demo-server/src/stats/label-allocator.js";

describe("LabelAllocator", () => {
  it("gives labels to the first streams and 'other' beyond the bound", () => {
    const labels = new LabelAllocator(2);
    expect(labels.assign("k1", "a")).toBe("a");
    expect(labels.assign("k2", "b")).toBe("b");
    expect(labels.assign("k3", "c")).toBe("other");
    expect(labels.labelOf("k3")).toBe("other");
    expect(labels.size).toBe(2);
  });

  it("makes colliding names unique", () => {
    const labels = new LabelAllocator(5);
    const first = labels.assign("id:http://a/live/m.m3u8", "/live/m.m3u8");
    const second = labels.assign("id:http://b/live/m.m3u8", "/live/m.m3u8");
    expect(first).toBe("/live/m.m3u8");
    expect(second).toMatch(/^\/live\/m\.m3u8~[0-9a-f]{6}$/);
  });

  it("frees a slot when a stream is released, and fills it at the next rebalance", () => {
    const labels = new LabelAllocator(1);
    labels.assign("k1", "a");
    labels.assign("k2", "b");
    expect(labels.release("k1")).toBe("a");
    expect(labels.rebalance([{ key: "k2", name: "b", weight: 0 }])).toEqual([]);
    expect(labels.labelOf("k2")).toBe("b");
  });

  it("swaps a less-watched labelled stream for a more-watched one, keeping ties", () => {
    const labels = new LabelAllocator(2);
    labels.assign("k1", "a");
    labels.assign("k2", "b");
    labels.assign("k3", "c");
    expect(
      labels.rebalance([
        { key: "k1", name: "a", weight: 5 },
        { key: "k2", name: "b", weight: 1 },
        { key: "k3", name: "c", weight: 1 },
      ]),
    ).toEqual([]);
    const released = labels.rebalance([
      { key: "k1", name: "a", weight: 5 },
      { key: "k2", name: "b", weight: 1 },
      { key: "k3", name: "c", weight: 9 },
    ]);
    expect(released).toEqual(["b"]);
    expect([labels.labelOf("k1"), labels.labelOf("k2"), labels.labelOf("k3")]).toEqual(["a", "other", "c"]);
  });
});
