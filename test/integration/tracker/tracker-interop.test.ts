import { randomBytes } from "node:crypto";
import { RTCIceCandidate, RTCPeerConnection, RTCSessionDescription } from "node-datachannel/polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBittorrentTrackerClient } from "./bittorrent-tracker-client.js";
import type { BtClient, BtPeer } from "./bittorrent-tracker-client.js";
import { startTracker } from "./helpers.js";
import type { TrackerHarness } from "./helpers.js";

// bittorrent-tracker 11 takes `wrtc` ({RTCPeerConnection, RTCSessionDescription, RTCIceCandidate}),
// but its @thaunknown/simple-peer 10 imports webrtc-polyfill (node-datachannel) itself and only
// uses `wrtc` to decide that WebRTC is available. Passing node-datachannel's polyfill covers both.
const wrtc = { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate };

let h: TrackerHarness;
const clients: BtClient[] = [];
const peers: BtPeer[] = [];

beforeAll(async () => {
  h = await startTracker();
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await Promise.all(clients.map((c) => new Promise<void>((resolve) => c.destroy(() => resolve()))));
  await h.stop();
});

/**
 * The first of the client's peers whose data channel opens. Not simply the first peer it emits: an
 * attempt can hang in node-datachannel on a loaded machine (issue 20), and the client's next announce
 * brings a fresh one, which must count.
 */
function connectedPeer(client: BtClient): Promise<BtPeer> {
  return new Promise((resolve) => {
    client.on("peer", (peer: BtPeer) => {
      peers.push(peer);
      peer.on("error", () => undefined);
      if (peer.connected) resolve(peer);
      else peer.once("connect", () => resolve(peer));
    });
  });
}

/** Re-announces (fresh offers) every `everyMs` until stopped, as a client does at the tracker's interval. */
function reannounce(clients: BtClient[], everyMs: number): () => void {
  const timer = setInterval(() => clients.forEach((c) => c.update()), everyMs);
  return () => clearInterval(timer);
}

describe("interop with the unmodified bittorrent-tracker client", () => {
  it("introduces two clients whose WebRTC peers connect and exchange data", async () => {
    const Client = await loadBittorrentTrackerClient();
    const infoHash = randomBytes(20).toString("hex");
    const make = (viewer: string): BtClient => {
      // Distinct URLs: the client pools one socket per announce URL, real viewers have their own.
      const client = new Client({
        infoHash,
        peerId: randomBytes(20).toString("hex"),
        announce: [`${h.url}?viewer=${viewer}`],
        port: 6881,
        wrtc,
        // No STUN: simple-peer's default servers are public hosts; these tests stay on loopback.
        rtcConfig: { iceServers: [] },
      });
      client.on("warning", () => undefined);
      client.on("error", () => undefined);
      clients.push(client);
      return client;
    };

    // Both start at once: each spends simple-peer's fixed 5 s ICE-gathering timeout on its offers
    // (webrtc-polyfill never signals end-of-candidates), the later announce reaches the earlier peer.
    const [a, b] = [make("a"), make("b")];
    const aPeer = connectedPeer(a);
    const bPeer = connectedPeer(b);
    const updates = [a, b].map(
      (c) => new Promise<{ complete: number; incomplete: number }>((resolve) => c.once("update", resolve)),
    );
    a.start();
    b.start();
    for (const update of await Promise.all(updates)) expect(update.complete).toBe(0);

    // The tracker's interval (120 s) is longer than this test; a hung first attempt is replaced at
    // the clients' next announce, made here every 15 s.
    const stopAnnouncing = reannounce([a, b], 15_000);
    const [pa, pb] = await Promise.all([aPeer, bPeer]).finally(stopAnnouncing);
    const received = new Promise<string>((resolve) =>
      pa.once("data", (d: Uint8Array) => resolve(Buffer.from(d).toString("utf8"))),
    );
    pb.send("hello over webrtc");
    expect(await received).toBe("hello over webrtc");

    const stats = h.tracker.stats();
    expect(stats.offersRelayed).toBeGreaterThanOrEqual(1);
    expect(stats.answersRelayed).toBeGreaterThanOrEqual(1);
    expect(stats.rejectedTotal).toBe(0);
    expect(stats.topSwarms[0]).toMatchObject({ infoHash, peers: 2 });
  });
});
