import { describe, expect, it, vi } from "vitest";
import type { Peer } from "../../../sdk/src/p2p/peer.js";
import { ANSWER_HEADROOM_PEERS } from "../../../sdk/src/p2p/constants.js";
import { Swarm } from "../../../sdk/src/p2p/swarm.js";

/** Only what Swarm.add reads of a connected peer. */
function fakePeer(id: string): Peer {
  return { id, initiator: true, close: () => {} } as unknown as Peer;
}

describe("Swarm.offersWanted: offers only where they can make a new connection", () => {
  it("wants up to maxPeers offers before any tracker has counted the swarm", () => {
    const swarm = new Swarm("s|360p", "me", 8);
    expect(swarm.offersWanted).toBe(8);
    swarm.add(fakePeer("a"));
    expect(swarm.offersWanted).toBe(7);
  });

  it("no more than the counted viewers it is not connected to yet", () => {
    const swarm = new Swarm("s|360p", "me", 8);
    swarm.trackerReported(3);
    expect(swarm.offersWanted).toBe(3);
    for (const id of ["a", "b", "c"]) swarm.add(fakePeer(id));
    // Everyone in the swarm is a peer already: an offer could only reach one of them.
    expect(swarm.offersWanted).toBe(0);
    // …while answering a newcomer's offer stays open.
    expect(swarm.wantedPeers).toBe(5);
    swarm.trackerReported(5);
    expect(swarm.offersWanted).toBe(2);
  });

  it("a tracker that sends no counts leaves the limit at wantedPeers", () => {
    const swarm = new Swarm("s|360p", "me", 4);
    swarm.trackerReported(undefined);
    swarm.add(fakePeer("a"));
    expect(swarm.offersWanted).toBe(3);
  });
});

describe("Swarm.answerRoom: a large swarm's headroom for viewers that lack peers", () => {
  it("in a swarm of more than 100 viewers, answers offers and keeps peers past maxPeers by the headroom only", () => {
    const swarm = new Swarm("s|360p", "me", 2);
    swarm.trackerReported(500);
    for (const id of ["a", "b"]) expect(swarm.add(fakePeer(id))).toBeUndefined();
    // Full for our own offers…
    expect(swarm.wantedPeers).toBe(0);
    expect(swarm.offersWanted).toBe(0);
    // …but an offer from a viewer that lacks peers is still answered and kept.
    expect(swarm.answerRoom).toBe(ANSWER_HEADROOM_PEERS);
    for (let i = 0; i < ANSWER_HEADROOM_PEERS; i++) expect(swarm.add(fakePeer(`x${i}`))).toBeUndefined();
    expect(swarm.answerRoom).toBe(0);
    const extra = fakePeer("one-too-many");
    expect(swarm.add(extra)).toBe(extra);
    expect(swarm.connectedPeers).toBe(2 + ANSWER_HEADROOM_PEERS);
  });

  it("in a small swarm (or with no count) a full viewer answers nothing and refuses a further peer", () => {
    for (const others of [100 - 1, undefined]) {
      const swarm = new Swarm("s|360p", "me", 2);
      swarm.trackerReported(others);
      for (const id of ["a", "b"]) swarm.add(fakePeer(id));
      expect(swarm.answerRoom).toBe(0);
      const extra = fakePeer("c");
      expect(swarm.add(extra)).toBe(extra);
    }
  });
});

describe("Swarm.offersWanted after a rendition switch: offers wait for the tracker's count", () => {
  it("makes none until a tracker counted the swarm, then only for the viewers there", () => {
    const swarm = new Swarm("s|540p", "me", 8);
    swarm.offersAwaitCountMs = 3000;
    expect(swarm.awaitingCount).toBe(true);
    expect(swarm.offersWanted).toBe(0);
    // The swarm of a brief ABR dip: nobody else there, so no RTCPeerConnection is made for it.
    swarm.trackerReported(0);
    expect(swarm.awaitingCount).toBe(false);
    expect(swarm.offersWanted).toBe(0);
    swarm.trackerReported(2);
    expect(swarm.offersWanted).toBe(2);
  });

  it("offers as usual once the wait has run out without a count", () => {
    vi.useFakeTimers();
    try {
      const swarm = new Swarm("s|540p", "me", 8);
      swarm.offersAwaitCountMs = 3000;
      vi.advanceTimersByTime(2999);
      expect(swarm.offersWanted).toBe(0);
      vi.advanceTimersByTime(1);
      expect(swarm.offersWanted).toBe(8);
    } finally {
      vi.useRealTimers();
    }
  });
});
