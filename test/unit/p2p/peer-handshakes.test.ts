// A banned peer cannot connect by answering one of our offers either: its answer, stamped with the
// tracker's fingerprint of a banned address, is refused before it is applied. Real RTCPeerConnection (node-datachannel).
import { RTCPeerConnection } from "node-datachannel/polyfill";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADDRESS_BAN_STRIKES, CONNECT_TIMEOUT_MS } from "../../../sdk/src/p2p/constants.js";
import { PeerBans } from "../../../sdk/src/p2p/peer-bans.js";
import { PeerHandshakes } from "../../../sdk/src/p2p/peer-handshakes.js";

const handshakes: PeerHandshakes[] = [];
afterEach(() => handshakes.splice(0).forEach((h) => h.destroy()));

describe("PeerHandshakes: answers from banned peers", () => {
  it("drops the offer an answer from a banned fingerprint answers, and never opens the connection", async () => {
    const bans = new PeerBans(ADDRESS_BAN_STRIKES);
    // Two ids of one host banned: the host's address is.
    bans.ban({ id: "-HX0100-first-id-00", fingerprint: "fp-host" });
    bans.ban({ id: "-HX0100-other-id-00", fingerprint: "fp-host" });
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
    // A third id from the banned host: refused before its (here meaningless) SDP is even looked at.
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

/**
 * A stand-in for a WebRTC stack that leaves a call unsettled: everything works up to applying the
 * remote description, which never resolves (node-datachannel did this now and then on a loaded
 * machine). Only what PeerHandshakes calls is implemented.
 */
class HangingConnection {
  localDescription: { type: string; sdp: string } | null = null;
  iceGatheringState = "complete";
  ondatachannel: ((event: { channel: unknown }) => void) | null = null;
  closed = false;
  createDataChannel() {
    return { readyState: "connecting", close() {}, addEventListener() {}, removeEventListener() {} };
  }
  async createOffer() {
    return { type: "offer", sdp: "v=0 offer" };
  }
  async createAnswer() {
    return { type: "answer", sdp: "v=0 answer" };
  }
  async setLocalDescription(description: { type: string; sdp: string }) {
    this.localDescription = description;
  }
  setRemoteDescription(): Promise<void> {
    return new Promise(() => {});
  }
  addEventListener() {}
  removeEventListener() {}
  close() {
    this.closed = true;
  }
}

describe("PeerHandshakes: a WebRTC call that never settles", () => {
  afterEach(() => vi.useRealTimers());

  function hangingHandshakes(failures: string[]): PeerHandshakes {
    const h = new PeerHandshakes({
      RTCPeerConnection: HangingConnection as unknown as typeof globalThis.RTCPeerConnection,
      rtcConfiguration: async () => ({ iceServers: [] }),
      log: () => {},
      isBanned: () => false,
      isJoined: () => true,
      onFailure: (swarmKey) => failures.push(swarmKey),
      onPeer: () => {
        throw new Error("no connection can open here");
      },
    });
    handshakes.push(h);
    return h;
  }

  it("fails an attempt whose answer is never applied after the connect deadline, so it is retried", async () => {
    vi.useFakeTimers();
    const failures: string[] = [];
    const h = hangingHandshakes(failures);
    const offer = await h.createOffer("s");
    expect(offer).toBeDefined();
    h.takeAnswer(offer!.offer_id, "s", { id: "-NC0100-remote-0000" }, { type: "answer", sdp: "v=0" });
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS - 1);
    expect(failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(failures).toEqual(["s"]);
  });

  it("fails an answer to an offer whose description is never applied", async () => {
    vi.useFakeTimers();
    const failures: string[] = [];
    const h = hangingHandshakes(failures);
    const answered: unknown[] = [];
    const answering = h.answer("s", { id: "-NC0100-remote-0000" }, { type: "offer", sdp: "v=0" }, (a) =>
      answered.push(a),
    );
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS + 1);
    await answering;
    expect(answered).toEqual([]);
    expect(failures).toEqual(["s"]);
  });
});
