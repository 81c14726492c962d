// Issue 18: a banned peer cannot come back under a new peer_id. The Nearcast tracker stamps every
// relayed offer and answer with `nearcast_from`, an opaque fingerprint of the sender's address; here a
// relay in front of the demo tracker stamps what it forwards to the engine under test, from a rule
// the test sets (all scripted peers share one "host", real engines have their own), so the engine
// sees what it would see behind a Nearcast tracker. Real WebRTC (node-datachannel).
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  loadAsPlayer,
  peerConnected,
  releaseAll,
  type ObservedEngine,
} from "../../support/fault-harness.js";
import { HostilePeer } from "../../support/hostile-peer.js";
import { waitFor } from "../../support/wait-for.js";

const RENDITION = "360p";
const SCRIPTED_HOST = "fp-scripted-host";

let server: RunningServer;
let trackerUrl: string;
let relay: { url: string; close(): Promise<void> };
const engines: Engine[] = [];
const hostiles: HostilePeer[] = [];

/**
 * A WebSocket relay to `upstream` that adds `nearcast_from` to the offers and answers it delivers:
 * `fingerprintOf(sender peer_id)`, or nothing when that returns undefined.
 */
async function startStampingRelay(
  upstream: string,
  fingerprintOf: (peerId: string) => string | undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (client) => {
    const tracker = new WebSocket(upstream);
    const early: string[] = [];
    tracker.on("open", () => early.splice(0).forEach((m) => tracker.send(m)));
    client.on("message", (data) => {
      const text = String(data);
      if (tracker.readyState === WebSocket.OPEN) tracker.send(text);
      else early.push(text);
    });
    tracker.on("message", (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      const from = typeof message.peer_id === "string" ? fingerprintOf(message.peer_id) : undefined;
      if ((message.offer || message.answer) && from) message.nearcast_from = from;
      if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(message));
    });
    client.on("close", () => tracker.close());
    tracker.on("close", () => client.close());
    client.on("error", () => undefined);
    tracker.on("error", () => undefined);
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
  relay = await startStampingRelay(trackerUrl, (peerId) =>
    peerId.startsWith("-HX") ? SCRIPTED_HOST : `fp-engine-${peerId.slice(-4)}`,
  );
});

afterEach(() => releaseAll(engines, hostiles));

afterAll(async () => {
  await relay?.close();
  await server?.close();
});

function engineVia(url: string, swarmKey: string): ObservedEngine {
  const observed = createObservedEngine({ trackerUrls: [url] });
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  return observed;
}

/**
 * A garbage-sending peer, a viewer that connects to it through `viewerTrackerUrl` and loads a
 * segment it holds (so the peer is rejected), the peer gone; then the same scripted host back under
 * a new peer_id, honest-looking, offering to the swarm (the viewer now its only other member).
 */
async function banThenReturn(viewerTrackerUrl: string, swarmKey: string) {
  const segments = new Map([["3", demoVodSegmentFromDisk(RENDITION, 3)]]);
  const liar = await HostilePeer.start({ trackerUrl, swarmKey, segments, behaviour: "garbage" });
  hostiles.push(liar);
  const viewer = engineVia(viewerTrackerUrl, swarmKey);
  await peerConnected(viewer, liar);
  const { result } = await loadAsPlayer(viewer.engine, demoVodRequest(server.url, swarmKey, RENDITION, 3), 6);
  expect(result.source).toBe("http");
  const rejected = eventsNamed(viewer.events, "peer-rejected").map((e) => e.arg);
  await liar.stop();
  const returning = await HostilePeer.start({
    trackerUrl,
    swarmKey,
    segments,
    behaviour: "honest",
    offers: 1,
  });
  hostiles.push(returning);
  return { liar, viewer, rejected, returning };
}

describe("bans by what the tracker knows of a peer, not only by the id it chose", () => {
  it("a peer banned for a protocol violation is refused under a new peer_id from the same address", async () => {
    const swarmKey = `bans-fingerprint|${RENDITION}`;
    const { liar, viewer, rejected, returning } = await banThenReturn(relay.url, swarmKey);
    expect(rejected).toEqual([
      expect.objectContaining({
        peerId: liar.peerId,
        reason: "protocol-violation",
        fingerprint: SCRIPTED_HOST,
      }),
    ]);
    await waitFor(
      () => viewer.engine.getStats().bannedPeerRefusals >= 1,
      10_000,
      "the viewer to refuse the returning peer's offer",
    );
    // The returning peer is reachable: a viewer that has not banned it connects to it.
    const other = engineVia(trackerUrl, swarmKey);
    await peerConnected(other, returning);
    console.log(
      `bans: ${returning.peerId} (the banned ${liar.peerId} under a new id) refused ` +
        `${viewer.engine.getStats().bannedPeerRefusals} time(s); it connected to ` +
        `${JSON.stringify(returning.connections.filter((c) => c.openedAtMs !== undefined).map((c) => c.remotePeerId))}`,
    );
    expect(eventsNamed(viewer.events, "peer-connected").map((e) => e.arg.peerId)).not.toContain(
      returning.peerId,
    );
    expect(returning.connections.filter((c) => c.remotePeerId === viewer.engine.peerId && c.open)).toEqual(
      [],
    );
    expect(viewer.engine.getStats().bannedPeers).toBe(1);
  });

  it("behind a tracker that sends no fingerprint, the ban holds for the peer_id alone", async () => {
    const { liar, viewer, rejected, returning } = await banThenReturn(
      trackerUrl,
      `bans-no-fingerprint|${RENDITION}`,
    );
    expect(rejected).toEqual([
      expect.objectContaining({ peerId: liar.peerId, reason: "protocol-violation" }),
    ]);
    expect(rejected[0]).not.toHaveProperty("fingerprint");
    // Nothing tells the viewer that a new id is the same host: it connects (the ICE pair's address is
    // not used to ban: viewers behind one NAT or TURN server share it).
    await peerConnected(viewer, returning);
    expect(viewer.engine.getStats().bannedPeerRefusals).toBe(0);
  });
});
