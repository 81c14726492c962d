// Offers cost: every offer is an RTCPeerConnection gathering ICE, kept up to 50 s, and every answer
// another. A viewer that already knows everyone in its swarm makes no more offers, and an offer from
// a peer it is already connected to is not answered (it would only make a duplicate to close). The
// real engine against a scripted peer, through the real tracker.
import { RTCPeerConnection } from "node-datachannel/polyfill";
import { describe, expect, it } from "vitest";
import { UNDERFULL_ANNOUNCE_INTERVAL_MS } from "../../../sdk/src/p2p/constants.js";
import { createObservedEngine, peerConnected } from "../../support/fault-harness.js";
import { HostilePeer } from "../../support/hostile-peer.js";
import { useP2pLab } from "../../support/p2p-lab.js";
import { sleep, waitFor } from "../../support/wait-for.js";

const lab = useP2pLab();

/** An engine connected to one scripted peer, the only other viewer of its swarm. */
async function engineWithOnePeer(name: string) {
  const { trackerUrl, engines, peers } = lab();
  const swarmKey = `offers-${name}|360p`;
  const peer = await HostilePeer.start({ trackerUrl, swarmKey, segments: new Map(), behaviour: "honest" });
  peers.push(peer);
  const created = { count: 0 };
  class CountedPeerConnection extends RTCPeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      created.count++;
    }
  }
  const observed = createObservedEngine({ trackerUrls: [trackerUrl] }, CountedPeerConnection);
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  await peerConnected(observed, peer);
  return { peer, observed, created };
}

describe("offers only where they can connect", () => {
  it("an offer from a peer it is already connected to gets no answer", async () => {
    const { peer, observed, created } = await engineWithOnePeer("duplicate");
    const relayed = lab().server.tracker.stats().offersRelayed;
    const before = created.count;
    const offerId = await peer.offerAgain();
    await waitFor(
      () => lab().server.tracker.stats().offersRelayed > relayed,
      5_000,
      "the tracker to relay the offer",
    );
    // The engine decides on receipt (loopback: well under a millisecond after the relay); an answer
    // would start with a new RTCPeerConnection at once and reach the peer after ICE gathering.
    await sleep(1_000);
    expect(created.count - before, "RTCPeerConnections made for the duplicate offer").toBe(0);
    expect(peer.answeredOffers.has(offerId), "the engine answered a duplicate offer").toBe(false);
    expect(observed.engine.getStats().connectedPeers).toBe(1);
  });

  it("knowing everyone in its swarm, its re-announces carry no offers", { timeout: 60_000 }, async () => {
    const { observed, created } = await engineWithOnePeer("full");
    const before = created.count;
    // With a peer slot free it announces again within UNDERFULL_ANNOUNCE_INTERVAL_MS ± 10 %; its
    // offers, if any, are made before the announce leaves, so the count is final once it arrives.
    const announces = lab().server.tracker.stats().announces;
    await waitFor(
      () => lab().server.tracker.stats().announces > announces,
      UNDERFULL_ANNOUNCE_INTERVAL_MS * 1.1 + 5_000,
      "the engine's next under-full announce",
      { intervalMs: 100 },
    );
    expect(created.count - before, "RTCPeerConnections created after the swarm was known").toBe(0);
    expect(observed.engine.getStats().connectedPeers).toBe(1);
  });
});
