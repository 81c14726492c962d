import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../bench/sim/event-queue.js";

describe("EventQueue", () => {
  it("runs events in time order and moves the virtual clock to each", () => {
    const q = new EventQueue();
    const seen: [string, number][] = [];
    q.at(30, () => seen.push(["c", q.now]));
    q.at(10, () => seen.push(["a", q.now]));
    q.at(20, () => seen.push(["b", q.now]));
    q.run();
    expect(seen).toEqual([
      ["a", 10],
      ["b", 20],
      ["c", 30],
    ]);
    expect(q.eventsRun).toBe(3);
  });

  it("runs events of equal time in the order they were scheduled", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    for (let i = 0; i < 50; i++) q.at(5, () => seen.push(i));
    q.run();
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("lets events schedule further events, never in the past", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    q.at(10, () => {
      q.after(5, () => seen.push(q.now));
      q.at(3, () => seen.push(q.now)); // the past: runs now, after the current event
    });
    q.run();
    expect(seen).toEqual([10, 15]);
  });

  it("skips cancelled events", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    const e = q.at(1, () => seen.push("cancelled"));
    q.at(2, () => seen.push("kept"));
    e.cancel();
    q.run();
    expect(seen).toEqual(["kept"]);
    expect(q.eventsRun).toBe(1);
  });

  it("stops at the horizon and leaves later events queued", () => {
    const q = new EventQueue();
    const seen: number[] = [];
    for (const t of [5, 15, 25]) q.at(t, () => seen.push(t));
    q.run(20);
    expect(seen).toEqual([5, 15]);
    expect(q.now).toBe(20);
    expect(q.size).toBe(1);
    q.run();
    expect(seen).toEqual([5, 15, 25]);
  });

  it("keeps heap order over many random times", () => {
    const q = new EventQueue();
    const times: number[] = [];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = x % 10_000;
      q.at(t, () => times.push(q.now));
    }
    q.run();
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toHaveLength(2000);
  });

  it("rejects a time that is not finite", () => {
    expect(() => new EventQueue().at(Number.NaN, () => {})).toThrow(RangeError);
  });
});
