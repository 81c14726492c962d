import { describe, expect, it } from "vitest";
import { SegmentStore } from "../../../sdk/src/core/segment-store.js";
import type { Peer } from "../../../sdk/src/p2p/peer.js";
import { decodeMessage, type PeerMessage } from "../../../sdk/src/p2p/protocol.js";
import { Uploader } from "../../../sdk/src/p2p/uploader.js";

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

function setup(maxConcurrentPerSegment: number) {
  const store = new SegmentStore({ maxBytes: 1 << 20 });
  store.put("s", "7", new Uint8Array(200_000).fill(7));
  const uploader = new Uploader({
    store,
    limiter: undefined,
    maxConcurrentPerSegment,
    enabled: () => true,
    isLoading: () => false,
    onUploaded: () => {},
    log: () => {},
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

  it("answers 'absent' for a segment it does not hold", async () => {
    const uploader = setup(Infinity);
    const a = fakePeer("a");
    uploader.handleRequest(a.peer, { type: "request", requestId: 9, segmentId: "nope", rangeStart: 0 });
    await settle();
    expect(a.sent).toEqual([{ type: "absent", requestId: 9 }]);
  });
});
