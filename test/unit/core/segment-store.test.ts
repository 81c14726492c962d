import { describe, expect, it } from "vitest";
import { availabilityProblem, type SegmentAvailability } from "../../../sdk/src/core/availability.js";
import {
  SegmentStore,
  type SegmentStoreChange,
  type SegmentStoreOptions,
} from "../../../sdk/src/core/segment-store.js";
import { seededRandom } from "../p2p/protocol-fixtures.js";

const S = "stream|v1";
const filled = (n: number, value = 1): Uint8Array => new Uint8Array(n).fill(value);
const at = (startTimeSec: number, durationSec = 2) => ({ startTimeSec, durationSec });

function storeWithLog(options: Omit<SegmentStoreOptions, "onChange">): {
  store: SegmentStore;
  changes: SegmentStoreChange[];
} {
  const changes: SegmentStoreChange[] = [];
  const store = new SegmentStore({ ...options, onChange: (c) => changes.push(c) });
  return { store, changes };
}

const complete = (segmentId: string, length: number, swarmKey = S) => ({
  swarmKey,
  segmentId,
  totalLength: length,
  bytesAvailable: length,
  complete: true,
});

describe("SegmentStore basics", () => {
  it("stores, serves, lists and deletes complete segments", () => {
    const store = new SegmentStore({ maxBytes: 1000 });
    expect(store.put(S, "1", filled(100, 7), at(0))).toBe(true);
    expect(store.has(S, "1")).toBe(true);
    const got = store.get(S, "1");
    expect(got).toMatchObject({
      segmentId: "1",
      swarmKey: S,
      complete: true,
      totalLength: 100,
      retainedBytes: 100,
    });
    expect(got?.data).toEqual(filled(100, 7));
    expect(got?.timing).toEqual(at(0));
    expect(store.list(S)).toEqual([
      { segmentId: "1", totalLength: 100, bytesAvailable: 100, complete: true },
    ]);
    expect(store.totalBytes).toBe(100);
    expect(store.delete(S, "1")).toBe(true);
    expect(store.delete(S, "1")).toBe(false);
    expect(store.get(S, "1")).toBeUndefined();
    expect(store.totalBytes).toBe(0);
    expect(store.list(S)).toEqual([]);
  });

  it("keys segments by swarm and id: renditions reuse sequence numbers", () => {
    const store = new SegmentStore({ maxBytes: 1000 });
    store.put("s|720p", "12", filled(10, 1));
    store.put("s|1080p", "12", filled(20, 2));
    expect(store.get("s|720p", "12")?.data).toEqual(filled(10, 1));
    expect(store.get("s|1080p", "12")?.data).toEqual(filled(20, 2));
    expect(store.list("s|720p")).toHaveLength(1);
    expect(store.totalBytes).toBe(30);
  });

  it("owns its bytes: copies on put, so the caller may reuse or mutate its buffer", () => {
    const store = new SegmentStore({ maxBytes: 1000 });
    const frame = filled(500, 3);
    store.put(S, "v", frame.subarray(10, 20));
    store.put(S, "w", frame);
    frame.fill(0);
    expect(store.get(S, "v")?.data).toEqual(filled(10, 3));
    expect(store.get(S, "w")?.data).toEqual(filled(500, 3));
    expect(store.totalBytes).toBe(510);
  });

  it("drops a segment whose buffer a caller transferred away, keeping the byte count right", () => {
    const { store, changes } = storeWithLog({ maxBytes: 1000 });
    store.put(S, "t", filled(100));
    store.begin(S, "p", 50);
    store.append(S, "p", 0, filled(10));
    for (const id of ["t", "p"]) {
      const view = store.get(S, id)?.data;
      if (!view) throw new Error("expected data");
      structuredClone(view.buffer, { transfer: [view.buffer as ArrayBuffer] }); // as hls.js does to its worker
    }
    changes.length = 0;
    expect(store.get(S, "t")).toBeUndefined();
    expect(store.append(S, "p", 10, filled(1))).toBe("not-found");
    expect(store.totalBytes).toBe(0);
    expect(changes.flatMap((c) => c.removed)).toEqual([
      { swarmKey: S, segmentId: "t", reason: "dropped" },
      { swarmKey: S, segmentId: "p", reason: "dropped" },
    ]);
  });

  it("refuses empty and oversized segments without touching the store", () => {
    const { store, changes } = storeWithLog({ maxBytes: 100 });
    store.put(S, "a", filled(60));
    expect(store.put(S, "big", filled(101))).toBe(false);
    expect(store.put(S, "empty", new Uint8Array(0))).toBe(false);
    expect(store.begin(S, "big", 101)).toBe(false);
    expect(store.has(S, "a")).toBe(true);
    expect(store.totalBytes).toBe(60);
    expect(changes).toHaveLength(1);
  });

  it("treats a second put of a complete segment as a use, not a change", () => {
    const { store, changes } = storeWithLog({ maxBytes: 100 });
    store.put(S, "a", filled(40));
    store.put(S, "b", filled(40));
    expect(store.put(S, "a", filled(40, 9))).toBe(true);
    store.put(S, "c", filled(40)); // evicts the least recently used: b
    expect(store.has(S, "a")).toBe(true);
    expect(store.has(S, "b")).toBe(false);
    expect(store.get(S, "a")?.data).toEqual(filled(40));
    expect(changes).toHaveLength(3);
  });

  it("bounds the number of entries", () => {
    const store = new SegmentStore({ maxBytes: 1000, maxEntries: 3 });
    for (const id of ["a", "b", "c", "d"]) store.put(S, id, filled(1));
    expect(store.size).toBe(3);
    expect(store.has(S, "a")).toBe(false);
  });

  it("rejects impossible options and arguments", () => {
    expect(() => new SegmentStore({ maxBytes: 0 })).toThrow(RangeError);
    expect(() => new SegmentStore({ maxBytes: 1.5 })).toThrow(RangeError);
    expect(() => new SegmentStore({ maxBytes: 10, keepBehindSec: -1 })).toThrow(RangeError);
    expect(() => new SegmentStore({ maxBytes: 10, maxEntries: 0 })).toThrow(RangeError);
    const store = new SegmentStore({ maxBytes: 10 });
    expect(() => store.setPlayhead(Number.NaN)).toThrow(RangeError);
    expect(() => store.put(S, "a", filled(1), at(Number.POSITIVE_INFINITY))).toThrow(RangeError);
    expect(() => store.begin(S, "a", -1)).toThrow(RangeError);
    expect(() => store.append(S, "a", -1, filled(1))).toThrow(RangeError);
  });
});

describe("SegmentStore eviction", () => {
  it("evicts segments behind the playhead first, furthest behind first, even if recently used", () => {
    const { store, changes } = storeWithLog({ maxBytes: 500, keepBehindSec: 30 });
    // Five 100-byte segments of 2 s at t = 0, 2, 20, 40, 60.
    for (const [id, start] of [
      ["s0", 0],
      ["s2", 2],
      ["s20", 20],
      ["s40", 40],
      ["s60", 60],
    ] as const) {
      store.put(S, id, filled(100), at(start));
    }
    for (const id of ["s0", "s2", "s20"]) store.get(S, id); // most recently used, yet behind
    store.setPlayhead(60); // horizon 30 s: s0, s2 and s20 ended before it
    changes.length = 0;
    store.put(S, "n1", filled(100), at(62));
    store.put(S, "n2", filled(150), at(64));
    expect(changes.map((c) => c.removed.map((r) => r.segmentId))).toEqual([["s0"], ["s2", "s20"]]);
    expect(changes[0]?.removed[0]?.reason).toBe("evicted");
    // Nothing else is behind: least recently used among the rest goes next (s40, then s60).
    store.put(S, "n3", filled(100), at(66));
    expect(changes[2]?.removed.map((r) => r.segmentId)).toEqual(["s40"]);
    expect(store.totalBytes).toBeLessThanOrEqual(500);
  });

  it("keeps segments within keepBehindSec of the playhead, and never counts untimed ones as behind", () => {
    const store = new SegmentStore({ maxBytes: 300, keepBehindSec: 30 });
    store.put(S, "init", filled(100)); // untimed, oldest use
    store.put(S, "s25", filled(100), at(25)); // ends at 27: within 30 s of playhead 50
    store.put(S, "s10", filled(100), at(10)); // ends at 12: behind
    store.setPlayhead(50);
    store.put(S, "new", filled(100), at(50));
    expect(store.has(S, "s10")).toBe(false);
    store.put(S, "new2", filled(100), at(52));
    expect(store.has(S, "init")).toBe(false); // LRU among the rest
    expect(store.has(S, "s25")).toBe(true);
  });

  it("evicts by least recent use when no playhead is known", () => {
    const store = new SegmentStore({ maxBytes: 300 });
    store.put(S, "a", filled(100), at(0));
    store.put(S, "b", filled(100), at(2));
    store.put(S, "c", filled(100), at(4));
    store.get(S, "a");
    store.put(S, "d", filled(100), at(6));
    expect(["a", "b", "c", "d"].filter((id) => store.has(S, id))).toEqual(["a", "c", "d"]);
  });

  it("uses a swarm's own playhead over the default one", () => {
    const store = new SegmentStore({ maxBytes: 300, keepBehindSec: 0 });
    store.put("audio", "a5", filled(100), at(5));
    store.put("video", "v5", filled(100), at(5));
    store.put("video", "v0", filled(100), at(0));
    store.setPlayhead(100); // default: everything is behind
    store.setPlayhead(0, "video"); // but nothing of video is
    store.put("video", "v7", filled(100), at(7));
    expect(store.has("audio", "a5")).toBe(false);
    expect(store.has("video", "v0")).toBe(true);
  });

  it("never evicts partial segments: a put that would need to fails and evicts nothing", () => {
    const { store, changes } = storeWithLog({ maxBytes: 300 });
    store.put(S, "c", filled(100));
    expect(store.begin(S, "p1", 100)).toBe(true);
    expect(store.begin(S, "p2", 100)).toBe(true);
    expect(store.append(S, "p1", 0, filled(10))).toBe("appended");
    expect(store.put(S, "big", filled(150))).toBe(false); // would need p1 or p2 gone
    expect(store.has(S, "c")).toBe(true);
    expect(store.put(S, "d", filled(100))).toBe(true); // c can go
    expect(store.has(S, "c")).toBe(false);
    expect(store.begin(S, "p3", 101)).toBe(false); // d alone cannot make room for it
    expect(changes.flatMap((c) => c.removed.map((r) => r.segmentId))).toEqual(["c"]);
  });
});

describe("SegmentStore partial segments", () => {
  it("accepts in-order chunks, rejects gaps, overlaps and writes past the end, completes at totalLength", () => {
    const store = new SegmentStore({ maxBytes: 1000 });
    expect(store.begin(S, "p", 10, at(0))).toBe(true);
    expect(store.begin(S, "p", 10)).toBe(false);
    expect(store.totalBytes).toBe(10); // the whole length is reserved up front
    expect(store.get(S, "p")).toBeUndefined(); // nothing to serve yet
    expect(store.has(S, "p")).toBe(false);
    expect(store.append(S, "p", 0, new Uint8Array([1, 2, 3]))).toBe("appended");
    expect(store.append(S, "p", 5, filled(1))).toBe("gap");
    expect(store.append(S, "p", 2, filled(2))).toBe("overlap");
    expect(store.append(S, "p", 3, filled(8))).toBe("past-end");
    expect(store.append(S, "p", 3, new Uint8Array(0))).toBe("appended");
    expect(store.get(S, "p")).toMatchObject({ bytesAvailable: 3, complete: false, totalLength: 10 });
    expect(store.get(S, "p")?.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(store.append(S, "p", 3, new Uint8Array([4, 5, 6, 7, 8, 9, 10]))).toBe("completed");
    expect(store.get(S, "p")?.data).toEqual(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(store.append(S, "p", 10, filled(1))).toBe("already-complete");
    expect(store.append(S, "nope", 0, filled(1))).toBe("not-found");
    expect(store.finish(S, "p")).toBe(true);
    expect(store.totalBytes).toBe(10);
  });

  it("grows a segment of unknown size and trims it on finish", () => {
    const { store, changes } = storeWithLog({ maxBytes: 1_000_000 });
    expect(store.begin(S, "u", 0)).toBe(true);
    expect(store.finish(S, "u")).toBe(false); // no bytes yet
    for (let offset = 0; offset < 100_000; offset += 10_000) {
      expect(store.append(S, "u", offset, filled(10_000, offset / 10_000))).toBe("appended");
    }
    expect(store.totalBytes).toBeGreaterThanOrEqual(100_000);
    expect(store.list(S)).toEqual([
      { segmentId: "u", totalLength: 0, bytesAvailable: 100_000, complete: false },
    ]);
    expect(store.finish(S, "u")).toBe(true);
    expect(store.totalBytes).toBe(100_000);
    expect(store.get(S, "u")).toMatchObject({ complete: true, totalLength: 100_000, retainedBytes: 100_000 });
    expect(store.get(S, "u")?.data[95_000]).toBe(9);
    expect(changes.at(-1)).toEqual({ added: [], updated: [complete("u", 100_000)], removed: [] });
  });

  it("refuses to finish a segment of known size before its last byte", () => {
    const store = new SegmentStore({ maxBytes: 100 });
    store.begin(S, "k", 10);
    store.append(S, "k", 0, filled(5));
    expect(store.finish(S, "k")).toBe(false);
    expect(store.finish(S, "missing")).toBe(false);
  });

  it("drops a segment of unknown size that outgrows the budget, evicting complete ones first", () => {
    const { store, changes } = storeWithLog({ maxBytes: 100_000 });
    store.put(S, "old", filled(50_000));
    store.begin(S, "u", 0);
    // Growth goes in steps of at least 64 KiB; that step does not fit beside "old", which goes.
    expect(store.append(S, "u", 0, filled(40_000))).toBe("appended");
    expect(store.has(S, "old")).toBe(false);
    expect(store.append(S, "u", 40_000, filled(40_000))).toBe("appended");
    expect(store.totalBytes).toBeLessThanOrEqual(100_000);
    expect(store.append(S, "u", 80_000, filled(30_000))).toBe("over-budget");
    expect(store.has(S, "u")).toBe(false);
    expect(store.totalBytes).toBe(0);
    expect(changes.at(-1)).toEqual({
      added: [],
      updated: [],
      removed: [{ swarmKey: S, segmentId: "u", reason: "dropped" }],
    });
  });

  it("lets a complete put replace a partial segment", () => {
    const { store, changes } = storeWithLog({ maxBytes: 100 });
    store.begin(S, "p", 50);
    store.append(S, "p", 0, filled(10));
    expect(store.put(S, "p", filled(40, 5))).toBe(true);
    expect(store.totalBytes).toBe(40);
    expect(store.get(S, "p")?.data).toEqual(filled(40, 5));
    expect(store.append(S, "p", 10, filled(1))).toBe("already-complete");
    expect(changes.at(-1)).toEqual({ added: [], updated: [complete("p", 40)], removed: [] });
  });
});

describe("SegmentStore change notifications", () => {
  it("reports exactly what became available, grew, and went away, one change per call", () => {
    const { store, changes } = storeWithLog({ maxBytes: 200 });
    store.begin(S, "p", 100); // nothing available yet
    store.append(S, "p", 0, filled(30));
    store.append(S, "p", 30, filled(30));
    store.append(S, "p", 60, filled(40));
    store.put(S, "a", filled(100));
    store.put(S, "b", filled(50)); // evicts p (least recently used), adds b
    store.begin(S, "q", 10);
    store.delete(S, "q"); // never announced: nothing to retract
    store.delete(S, "a");
    store.put(S, "huge", filled(201)); // refused: no change
    const partial = (bytesAvailable: number) => ({
      swarmKey: S,
      segmentId: "p",
      totalLength: 100,
      bytesAvailable,
      complete: false,
    });
    expect(changes).toEqual([
      { added: [partial(30)], updated: [], removed: [] },
      { added: [], updated: [partial(60)], removed: [] },
      { added: [], updated: [complete("p", 100)], removed: [] },
      { added: [complete("a", 100)], updated: [], removed: [] },
      {
        added: [complete("b", 50)],
        updated: [],
        removed: [{ swarmKey: S, segmentId: "p", reason: "evicted" }],
      },
      { added: [], updated: [], removed: [{ swarmKey: S, segmentId: "a", reason: "deleted" }] },
    ]);
  });

  it("frees everything on destroy, reports nothing, and refuses later writes", () => {
    const { store, changes } = storeWithLog({ maxBytes: 200 });
    store.put(S, "a", filled(100));
    store.begin(S, "p", 50);
    changes.length = 0;
    store.destroy();
    store.destroy();
    expect(store.totalBytes).toBe(0);
    expect(store.size).toBe(0);
    expect(store.put(S, "b", filled(10))).toBe(false);
    expect(store.begin(S, "c", 10)).toBe(false);
    expect(store.append(S, "p", 0, filled(1))).toBe("not-found");
    expect(store.finish(S, "p")).toBe(false);
    expect(store.delete(S, "a")).toBe(false);
    expect(store.get(S, "a")).toBeUndefined();
    expect(store.list(S)).toEqual([]);
    expect(changes).toEqual([]);
  });
});

describe("SegmentStore with requireConfirmation: a copy is shared whole only once confirmed", () => {
  it("tells peers of a complete copy as one byte short until confirm(), then as complete", () => {
    const { store, changes } = storeWithLog({ maxBytes: 1000, requireConfirmation: true });
    store.begin(S, "p", 10);
    store.append(S, "p", 0, filled(4));
    expect(store.append(S, "p", 4, filled(6))).toBe("completed");
    const shortOfOne = { swarmKey: S, segmentId: "p", totalLength: 10, bytesAvailable: 9, complete: false };
    expect(changes.at(-1)).toEqual({ added: [], updated: [shortOfOne], removed: [] });
    expect(store.list(S)).toEqual([{ segmentId: "p", totalLength: 10, bytesAvailable: 9, complete: false }]);
    expect(store.get(S, "p")).toMatchObject({ complete: true, confirmed: false, bytesAvailable: 10 });
    expect(store.confirm(S, "p")).toBe(true);
    expect(changes.at(-1)).toEqual({ added: [], updated: [complete("p", 10)], removed: [] });
    expect(store.get(S, "p")?.confirmed).toBe(true);
    // Confirming again changes nothing; a partial or absent segment cannot be confirmed.
    expect(store.confirm(S, "p")).toBe(true);
    expect(changes).toHaveLength(3);
    store.begin(S, "q", 10);
    expect(store.confirm(S, "q")).toBe(false);
    expect(store.confirm(S, "none")).toBe(false);
  });

  it("a put says whether its copy is confirmed; a one-byte copy is announced only once confirmed", () => {
    const { store, changes } = storeWithLog({ maxBytes: 1000, requireConfirmation: true });
    store.put(S, "a", filled(20), undefined, { confirmed: true });
    expect(changes.at(-1)).toEqual({ added: [complete("a", 20)], updated: [], removed: [] });
    store.put(S, "one", filled(1));
    expect(changes).toHaveLength(1);
    expect(store.list(S).map((a) => a.segmentId)).toEqual(["a"]);
    store.confirm(S, "one");
    expect(changes.at(-1)).toEqual({ added: [complete("one", 1)], updated: [], removed: [] });
  });

  it("gives each copy of a segment its own generation", () => {
    const store = new SegmentStore({ maxBytes: 1000, requireConfirmation: true });
    store.put(S, "a", filled(20));
    const first = store.get(S, "a")?.generation;
    store.delete(S, "a");
    store.put(S, "a", filled(20));
    expect(store.get(S, "a")?.generation).not.toBe(first);
  });
});

describe("SegmentStore random operations", () => {
  it("keeps its invariants over 10,000 seeded random operations", () => {
    const random = seededRandom(0x5e9_5707);
    const int = (n: number): number => Math.floor(random() * n);
    const maxBytes = 50_000;
    const maxEntries = 40;
    let op = 0;
    // Plain checks rather than expect(): 10,000 operations × a dozen assertions must stay fast.
    const check = (ok: boolean, what: string): void => {
      if (!ok) throw new Error(`operation ${op}: ${what}`);
    };
    const key = (swarmKey: string, segmentId: string): string => `${swarmKey}\n${segmentId}`;
    // What a peer would believe from the change stream alone.
    const announced = new Map<string, SegmentAvailability & { swarmKey: string }>();
    let evictions = 0;
    const store = new SegmentStore({
      maxBytes,
      maxEntries,
      keepBehindSec: 10,
      onChange: (change) => {
        for (const r of change.removed) {
          check(announced.delete(key(r.swarmKey, r.segmentId)), "removed unknown");
          if (r.reason === "evicted") evictions++;
        }
        for (const a of change.added) {
          check(!announced.has(key(a.swarmKey, a.segmentId)), "added twice");
          announced.set(key(a.swarmKey, a.segmentId), a);
        }
        for (const u of change.updated) {
          check(announced.has(key(u.swarmKey, u.segmentId)), "updated unknown");
          announced.set(key(u.swarmKey, u.segmentId), u);
        }
      },
    });
    const swarms = ["s|a", "s|b", "s|c"];
    // The byte at offset i of a segment is a function of its id, so corruption or misplaced chunks show.
    const byteOf = (segmentId: string, i: number): number => (Number(segmentId) * 7 + i) & 0xff;
    const chunkOf = (segmentId: string, offset: number, n: number): Uint8Array =>
      new Uint8Array(n).map((_, i) => byteOf(segmentId, offset + i));
    const open = new Set<string>(); // partial segments begun here and not yet ended here
    let completed = 0;

    for (op = 0; op < 10_000; op++) {
      const swarmKey = swarms[int(swarms.length)] ?? "s|a";
      const segmentId = `${int(60)}`;
      const timing = at(Number(segmentId) * 2);
      const roll = int(100);
      if (roll < 30) {
        if (store.put(swarmKey, segmentId, chunkOf(segmentId, 0, 1 + int(6_000)), timing)) {
          open.delete(key(swarmKey, segmentId));
        }
      } else if (roll < 45) {
        if (store.begin(swarmKey, segmentId, int(3) === 0 ? 0 : 1 + int(8_000), timing)) {
          open.add(key(swarmKey, segmentId));
        }
      } else if (roll < 80) {
        const partials = store.entries().filter((e) => !e.complete);
        const seg = partials[int(partials.length)];
        if (seg) {
          const k = key(seg.swarmKey, seg.segmentId);
          // Mostly in order; sometimes one byte early or late, which must be refused.
          const offset = Math.max(0, int(10) === 0 ? seg.bytesAvailable + int(3) - 1 : seg.bytesAvailable);
          const left = seg.totalLength === 0 ? 3_000 : seg.totalLength - seg.bytesAvailable;
          // Usually within the segment; sometimes past its end, which must be refused.
          const length = int(10) === 0 ? int(3_000) : Math.min(left, 1 + int(3_000));
          const chunk = chunkOf(seg.segmentId, offset, length);
          const result = store.append(seg.swarmKey, seg.segmentId, offset, chunk);
          if (offset !== seg.bytesAvailable) {
            check(result === "gap" || result === "overlap", `misplaced: ${result}`);
          } else if (length > left) {
            check(result === "past-end", `past the end: ${result}`);
          }
          if (result === "completed") completed++;
          if (result === "completed" || result === "over-budget") open.delete(k);
          if (int(5) === 0 && seg.totalLength === 0 && store.finish(seg.swarmKey, seg.segmentId))
            open.delete(k);
        }
      } else if (roll < 90) {
        store.get(swarmKey, segmentId);
      } else if (roll < 95) {
        if (store.delete(swarmKey, segmentId)) open.delete(key(swarmKey, segmentId));
      } else {
        store.setPlayhead(int(140), int(2) === 0 ? undefined : swarmKey);
      }

      const entries = store.entries();
      const retained = entries.reduce((sum, e) => sum + e.retainedBytes, 0);
      check(store.totalBytes === retained, `totalBytes ${store.totalBytes} != ${retained}`);
      check(store.totalBytes <= maxBytes, `totalBytes ${store.totalBytes} over budget`);
      check(store.size === entries.length && store.size <= maxEntries, `size ${store.size}`);
      const held = new Set(entries.map((e) => key(e.swarmKey, e.segmentId)));
      for (const k of open) check(held.has(k), `partial ${k} was evicted`);
      for (const e of entries) {
        if (e.bytesAvailable > 0)
          check(availabilityProblem(e) === undefined, `bad availability ${e.segmentId}`);
        if (e.complete) check(e.data.byteLength === e.totalLength, "complete data length");
        const i = int(Math.max(1, e.bytesAvailable));
        if (e.bytesAvailable > 0)
          check(e.data[i] === byteOf(e.segmentId, i), `corrupt byte ${i} of ${e.segmentId}`);
      }
      const listed = swarms.flatMap((s) => store.list(s).map((a) => ({ ...a, swarmKey: s })));
      check(listed.length === announced.size, "announced count");
      for (const a of listed) {
        const b = announced.get(key(a.swarmKey, a.segmentId));
        check(
          b?.bytesAvailable === a.bytesAvailable && b.complete === a.complete,
          `announced ${a.segmentId}`,
        );
        check(b?.totalLength === a.totalLength, `announced length ${a.segmentId}`);
      }
    }
    // The run must exercise what it claims to: completed partial writes and a full store.
    expect(completed).toBeGreaterThan(100);
    expect(evictions).toBeGreaterThan(100);
  });
});
