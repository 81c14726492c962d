import { describe, expect, it, vi } from "vitest";
import type { Peer } from "../../../sdk/src/p2p/peer.js";
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
