import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WriteStallWatch } from "../../../demo-server/src/net/write-stall.js";

/** What the watch reads of a socket: bytes accepted by write() and bytes still queued in Node. */
interface FakeSocket {
  bytesWritten: number;
  writableLength: number;
}

let watch: WriteStallWatch | undefined;
afterEach(() => watch?.close());

function setup(writeStallTimeoutMs: number) {
  let now = 0;
  const sockets = new Set<FakeSocket>();
  const stalled: FakeSocket[] = [];
  watch = new WriteStallWatch(
    { writeStallTimeoutMs, checkIntervalMs: 60_000, now: () => now },
    () => sockets as unknown as Iterable<Socket>,
    (socket) => {
      stalled.push(socket as unknown as FakeSocket);
      sockets.delete(socket as unknown as FakeSocket);
    },
  );
  const at = (ms: number) => {
    now = ms;
    watch!.check();
  };
  return { sockets, stalled, at };
}

describe("WriteStallWatch", () => {
  it("cuts a socket whose queued bytes made no progress for the timeout", () => {
    const { sockets, stalled, at } = setup(10_000);
    const reader = { bytesWritten: 200_000, writableLength: 64_000 };
    sockets.add(reader);
    at(0);
    at(9_999);
    expect(stalled).toEqual([]);
    at(10_000);
    expect(stalled).toEqual([reader]);
  });

  it("keeps a slow reader whose bytes reach the kernel now and then (300 kbit/s, 64 KiB writes)", () => {
    const { sockets, stalled, at } = setup(10_000);
    const viewer = { bytesWritten: 128 * 1024, writableLength: 64 * 1024 };
    sockets.add(viewer);
    // 300 kbit/s = 37.5 kB/s: one 64 KiB write finishes every ≈ 1.75 s, and the next is queued.
    for (let t = 0; t <= 60_000; t += 1_000) {
      const finishedWrites = Math.floor(t / 1_750);
      viewer.bytesWritten = (2 + finishedWrites) * 64 * 1024;
      viewer.writableLength = 64 * 1024;
      at(t);
    }
    expect(stalled).toEqual([]);
  });

  it("never cuts a socket with nothing queued (idle keep-alive, a response being prepared, a quiet event stream)", () => {
    const { sockets, stalled, at } = setup(1_000);
    sockets.add({ bytesWritten: 5_000, writableLength: 0 });
    for (let t = 0; t <= 10_000; t += 500) at(t);
    expect(stalled).toEqual([]);
  });

  it("counts the stall from the last progress, not from when bytes were first queued", () => {
    const { sockets, stalled, at } = setup(5_000);
    const socket = { bytesWritten: 100, writableLength: 50 };
    sockets.add(socket);
    at(0);
    socket.bytesWritten = 200; // 50 flushed, 100 more queued: progress at 4 s
    socket.writableLength = 100;
    at(4_000);
    at(8_999);
    expect(stalled).toEqual([]);
    at(9_000);
    expect(stalled).toEqual([socket]);
  });
});
