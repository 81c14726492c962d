import { describe, expect, it } from "vitest";
import { SegmentStore } from "../../../sdk/src/core/segment-store.js";
import type { Peer } from "../../../sdk/src/p2p/peer.js";
import { decodeMessage } from "../../../sdk/src/p2p/protocol.js";
import type { PeerMessage } from "../../../sdk/src/p2p/protocol-types.js";
import { Uploader, type UploaderOptions } from "../../../sdk/src/p2p/uploader.js";

/** A peer stand-in that records every frame the uploader sends it. */
function fakePeer(id: string) {
  const sent: PeerMessage[] = [];
  const peer = {
    id,
    swarmKey: "s",
    isClosed: false,
    canSendData: true,
    send: (m: PeerMessage) => sent.push(m),
    sendFrame: (f: Uint8Array) => sent.push(decodeMessage(f)),
    waitForDrain: () => Promise.resolve(),
    close: () => {},
  };
  return { peer: peer as unknown as Peer, sent };
}

/** An uploader holding segment "7" (200 kB, lasting `durationSec` when given). */
function setup(maxConcurrentPerSegment: number, extra: Partial<UploaderOptions> = {}, durationSec?: number) {
  const store = new SegmentStore({ maxBytes: 1 << 20 });
  const timing = durationSec === undefined ? undefined : { startTimeSec: 0, durationSec };
  store.put("s", "7", new Uint8Array(200_000).fill(7), timing);
  const uploader = new Uploader({
    store,
    limiter: undefined,
    maxConcurrentPerSegment,
    enabled: () => true,
    isLoading: () => false,
    onUploaded: () => {},
    log: () => {},
    ...extra,
  });
  return uploader;
}

const request = (requestId: number) => ({
  type: "request" as const,
  requestId,
  segmentId: "7",
  rangeStart: 0,
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("Uploader", () => {
  it("serves a whole segment in chunks of at most 64 KiB", async () => {
    const uploader = setup(Infinity);
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, request(1));
    await settle();
    const data = a.sent.filter((m) => m.type === "data");
    expect(data.map((m) => (m.type === "data" ? m.payload.byteLength : 0))).toEqual([
      65536, 65536, 65536, 3392,
    ]);
  });

  it("with one upload per segment, answers a second requester 'absent' so it turns to another peer", async () => {
    const uploader = setup(1);
    const a = fakePeer("a");
    const b = fakePeer("b");
    uploader.handleRequest(a.peer, request(1));
    uploader.handleRequest(b.peer, request(2));
    await settle();
    expect(b.sent).toEqual([{ type: "absent", requestId: 2 }]);
    expect(a.sent.filter((m) => m.type === "data")).toHaveLength(4);
    // Once the first upload is done, the segment is served again.
    uploader.handleRequest(b.peer, request(3));
    await settle();
    expect(b.sent.filter((m) => m.type === "data")).toHaveLength(4);
  });

  it("answers 'absent' when its measured uplink cannot pass the segment on in real time", async () => {
    // 200 kB over 2 s needs 100 kB/s.
    let uplink: number | undefined = 40_000;
    const uploader = setup(Infinity, { measuredUplinkBytesPerSec: () => uplink }, 2);
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, request(1));
    await settle();
    expect(a.sent).toEqual([{ type: "absent", requestId: 1 }]);
    // Measured fast enough (or no estimate any more): served again.
    uplink = 150_000;
    uploader.handleRequest(a.peer, request(2));
    await settle();
    expect(a.sent.filter((m) => m.type === "data")).toHaveLength(4);
    uplink = undefined;
    uploader.handleRequest(a.peer, request(3));
    await settle();
    expect(a.sent.filter((m) => m.type === "data")).toHaveLength(8);
  });

  it("answers 'absent' for a segment it does not hold", async () => {
    const uploader = setup(Infinity);
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, { type: "request", requestId: 9, segmentId: "nope", rangeStart: 0 });
    await settle();
    expect(a.sent).toEqual([{ type: "absent", requestId: 9 }]);
  });
});

/** An uploader over a store that shares copies whole only once confirmed, as the engine's does. */
function confirmingSetup(loading: { now: boolean }) {
  const store = new SegmentStore({ maxBytes: 1 << 20, requireConfirmation: true });
  const uploader = new Uploader({
    store,
    limiter: undefined,
    maxConcurrentPerSegment: Infinity,
    enabled: () => true,
    isLoading: () => loading.now,
    onUploaded: () => {},
    log: () => {},
  });
  const notify = () => uploader.notify("s", "7");
  return { store, uploader, notify };
}

const dataOf = (sent: PeerMessage[]) =>
  sent.flatMap((m) =>
    m.type === "data" ? [{ offset: m.offset, bytes: m.payload.byteLength, total: m.totalLength }] : [],
  );

describe("Uploader: what it sends is what receivers hold senders to", () => {
  it("holds back the last byte of a copy until it is confirmed, then sends it", async () => {
    const loading = { now: true };
    const { store, uploader, notify } = confirmingSetup(loading);
    store.begin("s", "7", 1000);
    store.append("s", "7", 0, new Uint8Array(1000));
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, {
      type: "request",
      requestId: 1,
      segmentId: "7",
      rangeStart: 0,
      rangeEnd: 1000,
    });
    await settle();
    expect(dataOf(a.sent)).toEqual([{ offset: 0, bytes: 999, total: 1000 }]);
    store.confirm("s", "7");
    notify();
    await settle();
    expect(dataOf(a.sent).at(-1)).toEqual({ offset: 999, bytes: 1, total: 1000 });
  });

  it("never sends a frame of unknown size: a copy whose length no response stated waits until it is confirmed", async () => {
    const loading = { now: true };
    const { store, uploader, notify } = confirmingSetup(loading);
    store.begin("s", "7", 0);
    store.append("s", "7", 0, new Uint8Array(500));
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, request(1));
    await settle();
    expect(a.sent).toEqual([]);
    // Its bytes ended: now of known length, but nothing vouches for it yet (it may be cut short).
    store.finish("s", "7");
    expect(store.list("s")).toEqual([
      { segmentId: "7", totalLength: 0, bytesAvailable: 500, complete: false },
    ]);
    notify();
    await settle();
    expect(a.sent).toEqual([]);
    store.confirm("s", "7");
    notify();
    await settle();
    expect(dataOf(a.sent).every((d) => d.total === 500)).toBe(true);
    expect(dataOf(a.sent).reduce((n, d) => n + d.bytes, 0)).toBe(500);
  });

  it("answers 'absent' to a request that expects another size than its copy has", async () => {
    const { store, uploader } = confirmingSetup({ now: false });
    store.put("s", "7", new Uint8Array(1000), undefined, { confirmed: true });
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, {
      type: "request",
      requestId: 4,
      segmentId: "7",
      rangeStart: 0,
      rangeEnd: 2000,
    });
    await settle();
    expect(a.sent).toEqual([{ type: "absent", requestId: 4 }]);
  });

  it("ends an upload with 'absent' when the copy it streams is dropped and another takes its place", async () => {
    const loading = { now: true };
    const { store, uploader, notify } = confirmingSetup(loading);
    store.begin("s", "7", 200_000);
    store.append("s", "7", 0, new Uint8Array(70_000));
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, request(1));
    await settle();
    expect(dataOf(a.sent).length).toBeGreaterThan(0);
    // The copy is refuted and refetched: the new copy's bytes need not continue the old one's.
    store.delete("s", "7");
    store.begin("s", "7", 200_000);
    store.append("s", "7", 0, new Uint8Array(150_000));
    notify();
    await settle();
    expect(a.sent.at(-1)).toEqual({ type: "absent", requestId: 1 });
    expect(dataOf(a.sent).reduce((n, d) => n + d.bytes, 0)).toBe(70_000);
  });
});
