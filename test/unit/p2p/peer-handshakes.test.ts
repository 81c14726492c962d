// A banned peer cannot connect by answering one of our offers either: its answer, stamped with the
// tracker's fingerprint, is refused before it is applied. Real RTCPeerConnection (node-datachannel).
import { RTCPeerConnection } from "node-datachannel/polyfill";
import { afterEach, describe, expect, it } from "vitest";
import { PeerBans } from "../../../sdk/src/p2p/peer-bans.js";
import { PeerHandshakes } from "../../../sdk/src/p2p/peer-handshakes.js";

const handshakes: PeerHandshakes[] = [];
afterEach(() => handshakes.splice(0).forEach((h) => h.destroy()));

describe("PeerHandshakes: answers from banned peers", () => {
  it("drops the offer an answer from a banned fingerprint answers, and never opens the connection", async () => {
    const bans = new PeerBans();
    bans.ban({ id: "-HX0100-first-id-00", fingerprint: "fp-host" });
    const connected: string[] = [];
    const failures: string[] = [];
    const h = new PeerHandshakes({
      RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
      rtcConfiguration: async () => ({ iceServers: [] }),
      log: () => {},
      isBanned: (remote) => bans.isBanned(remote),
      isJoined: () => true,
      onFailure: (swarmKey) => failures.push(swarmKey),
      onPeer: (_swarmKey, remote) => connected.push(remote.id),
    });
    handshakes.push(h);
    const offer = await h.createOffer("s");
    expect(offer).toBeDefined();
    expect(h.pendingOffersFor("s")).toBe(1);
    // A new id from the banned host: refused before its (here meaningless) SDP is even looked at.
    h.takeAnswer(
      offer!.offer_id,
      "s",
      { id: "-HX0100-second-id-0", fingerprint: "fp-host" },
      {
        type: "answer",
        sdp: "v=0",
      },
    );
    expect(h.pendingOffersFor("s")).toBe(0);
    expect(h.connectingCount).toBe(0);
    expect(connected).toEqual([]);
    expect(failures).toEqual([]);
  });
});
