import { describe, expect, it } from "vitest";
import { EventQueue } from "../../../bench/sim/event-queue.js";
import { Downlink, oneWayMs, transmitMs, Uplink, type UplinkSender } from "../../../bench/sim/link-model.js";

/** A sender with `chunks` chunks of `bytes` each, recording when each left the uplink. */
function sender(
  name: string,
  chunks: number,
  bytes: number,
  log: string[],
  uplink: () => Uplink,
): UplinkSender {
  let left = chunks;
  return {
    nextChunkBytes: () => (left > 0 ? bytes : 0),
    chunkSent(size, endMs) {
      left--;
      log.push(`${name}@${endMs}`);
      if (left > 0) uplink().ready(this);
    },
  };
}

describe("Uplink", () => {
  it("sends one chunk at a time at its rate", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 1000); // 1000 bytes/s: 100 bytes = 100 ms
    const log: string[] = [];
    up.ready(sender("a", 3, 100, log, () => up));
    q.run();
    expect(log).toEqual(["a@100", "a@200", "a@300"]);
    expect(up.sentBytes).toBe(300);
  });

  it("shares the link round-robin, chunk by chunk, between uploads", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 1000);
    const log: string[] = [];
    up.ready(sender("a", 2, 100, log, () => up));
    up.ready(sender("b", 2, 100, log, () => up));
    q.run();
    expect(log).toEqual(["a@100", "b@200", "a@300", "b@400"]);
  });

  it("drops a removed sender from the line", () => {
    const q = new EventQueue();
    const up = new Uplink(q, 1000);
    const log: string[] = [];
    up.ready(sender("a", 1, 100, log, () => up));
    const b = sender("b", 1, 100, log, () => up);
    up.ready(b);
    up.remove(b);
    q.run();
    expect(log).toEqual(["a@100"]);
  });

  it("with no rate limit, chunks leave at once", () => {
    const q = new EventQueue();
    const up = new Uplink(q, Number.POSITIVE_INFINITY);
    const log: string[] = [];
    up.ready(sender("a", 2, 65_536, log, () => up));
    q.run();
    expect(log).toEqual(["a@0", "a@0"]);
  });

  it("rejects a rate that is not positive", () => {
    expect(() => new Uplink(new EventQueue(), 0)).toThrow(RangeError);
  });
});

describe("Downlink", () => {
  it("receives chunks first come, first served at the slower of its rate and the cap", () => {
    const down = new Downlink(1000);
    expect(down.receive(0, 100)).toBe(100);
    // Arrives while the first is still being received: queues behind it.
    expect(down.receive(50, 100)).toBe(200);
    // Capped at 500 bytes/s (a CDN's per-request rate).
    expect(down.receive(1000, 100, 500)).toBe(1200);
  });
});

describe("latency and transmit time", () => {
  it("adds both ends' access latency", () => {
    expect(oneWayMs(15, 40)).toBe(55);
  });
  it("converts bytes at a rate to milliseconds", () => {
    expect(transmitMs(125_000, 1_250_000)).toBe(100);
    expect(transmitMs(125_000, Number.POSITIVE_INFINITY)).toBe(0);
  });
});
