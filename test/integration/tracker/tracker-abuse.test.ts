import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  announce,
  binaryId,
  connect,
  eventually,
  isAnnounceReply,
  isFailure,
  isOffer,
  offerList,
  startTracker,
  tryConnect,
} from "./helpers.js";
import type { RawClient, TrackerHarness } from "./helpers.js";

// trustProxy lets each test client claim its own address via X-Forwarded-For, so the per-address
// connection limit applies to the attacker and not to the well-behaved viewers.
const OPTIONS = { trustProxy: true, maxConnections: 400, maxConnectionsPerIp: 100 } as const;
const as = (ip: string): Record<string, string> => ({ "x-forwarded-for": ip });

let h: TrackerHarness;
let viewerA: RawClient;
let viewerB: RawClient;
const swarm = binaryId();
const [idA, idB] = [binaryId(), binaryId()];

beforeAll(async () => {
  h = await startTracker(OPTIONS);
  viewerA = await connect(h.url, as("192.168.1.10"));
  viewerB = await connect(h.url, as("192.168.2.20"));
  viewerB.send(announce(swarm, idB));
  await viewerB.next(isAnnounceReply(swarm));
});
afterAll(async () => {
  await h.stop();
});

/** The well-behaved viewer still gets its announce answered and its offer relayed. */
async function expectStillServing(): Promise<void> {
  viewerA.send(announce(swarm, idA, { offers: offerList(1) }));
  expect(await viewerA.next(isAnnounceReply(swarm))).toMatchObject({ incomplete: 2 });
  expect(await viewerB.next(isOffer)).toMatchObject({ peer_id: idA });
}

describe("abuse: the tracker keeps serving well-behaved viewers", () => {
  it("random binary frames get a failure reason and are counted", async () => {
    const attacker = await connect(h.url, as("10.66.0.1"));
    for (let i = 0; i < 5; i++) attacker.ws.send(randomBytes(512));
    expect(await attacker.next(isFailure)).toEqual({
      "failure reason": "binary frames are not supported",
      nearcast_reason: "binary_frame",
    });
    await eventually(() => expect(h.tracker.stats().rejected.binary_frame).toBe(5));
    await attacker.close();
    await expectStillServing();
  });

  it("a 1 MB frame closes that socket with 1009 before it is buffered", async () => {
    const attacker = await connect(h.url, as("10.66.0.2"));
    attacker.ws.send("x".repeat(1024 * 1024));
    expect((await attacker.closed).code).toBe(1009);
    await eventually(() => expect(h.tracker.stats().rejected.message_too_large).toBe(1));
    expect(h.tracker.stats().disconnects.message_too_large).toBe(1);
    await expectStillServing();
  });

  it("invalid JSON and invalid fields are answered and counted by reason", async () => {
    const attacker = await connect(h.url, as("10.66.0.3"));
    attacker.ws.send("{not json");
    attacker.ws.send(JSON.stringify({ action: "announce", info_hash: "ab".repeat(20), peer_id: binaryId() }));
    attacker.ws.send(JSON.stringify({ action: "hack" }));
    const failures = [
      await attacker.next(isFailure),
      await attacker.next(isFailure),
      await attacker.next(isFailure),
    ];
    expect(failures.map((f) => f["failure reason"])).toEqual([
      "message is not valid JSON",
      "invalid info_hash: expected 20 bytes as a binary string",
      "invalid action in WS request",
    ]);
    const { rejected } = h.tracker.stats();
    expect([rejected.invalid_json, rejected.invalid_info_hash, rejected.invalid_action]).toEqual([1, 1, 1]);
    await attacker.close();
    await expectStillServing();
  });

  it("a flood of 5,000 messages is dropped unread, counted, and the socket closed", async () => {
    const attacker = await connect(h.url, as("10.66.0.4"));
    const peer = binaryId();
    const before = h.tracker.stats();
    for (let i = 0; i < 5_000; i++) attacker.send(announce(binaryId(), peer));
    await attacker.closed;
    const stats = h.tracker.stats();
    expect(stats.disconnects.flood).toBe(1);
    expect(stats.dropped - before.dropped).toBeGreaterThanOrEqual(200);
    // Only the burst (plus refill during the send) was processed; the rest was dropped unparsed,
    // and of those, at most maxSwarmsPerConnection became swarms, all gone with the socket.
    const processed = stats.announces + stats.rejected.connection_swarm_limit - before.announces;
    expect(processed).toBeLessThan(100);
    expect(stats.rejected.connection_swarm_limit).toBeGreaterThan(0);
    expect(stats.swarms).toBe(before.swarms);
    await expectStillServing();
  });

  it("200 connections from one address: 100 admitted, the rest refused with 429", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, () => tryConnect(h.url, as("10.77.0.1"))));
    const sockets = results.filter((r): r is WebSocket => r instanceof WebSocket);
    expect(sockets).toHaveLength(100);
    expect(results.filter((r) => r === 429)).toHaveLength(100);
    expect(h.tracker.stats().connectionsRejected.ip_limit).toBe(100);
    await expectStillServing();
    for (const ws of sockets) ws.terminate();
    await eventually(() => expect(h.tracker.stats().connections).toBe(2));
  });
});

describe("abuse: global bounds", () => {
  // Rate limits raised so that all 10,000 announces are processed and the swarm bounds are what stop them.
  // The attacker sends all 10,000 before it reads a reply: it may leave them unread meanwhile.
  const unthrottled = {
    rateLimitBurst: 20_000,
    rateLimitPerSec: 20_000,
    floodCloseDrops: 20_000,
    maxUnreadBytes: 4 * 1024 * 1024,
  };

  async function announceRandomHashes(attacker: RawClient, count: number): Promise<Record<string, unknown>> {
    const peer = binaryId();
    const last = binaryId();
    for (let i = 0; i < count - 1; i++) attacker.send(announce(binaryId(), peer));
    attacker.send(announce(last, peer));
    return attacker.next((f) => f.info_hash === last, 15_000);
  }

  it("10,000 random info_hashes from one socket stop at maxSwarmsPerConnection", async () => {
    const t = await startTracker(unthrottled);
    try {
      const attacker = await connect(t.url);
      expect(await announceRandomHashes(attacker, 10_000)).toMatchObject({
        "failure reason": "too many swarms on this connection",
      });
      const stats = t.tracker.stats();
      expect(stats.swarms).toBe(20);
      expect(stats.rejected.connection_swarm_limit).toBe(9_980);
      await attacker.close();
      await eventually(() => expect(t.tracker.stats().swarms).toBe(0));
    } finally {
      await t.stop();
    }
  });

  it("10,000 random info_hashes never exceed maxSwarms; existing swarms keep working", async () => {
    const t = await startTracker({ ...unthrottled, maxSwarms: 100, maxSwarmsPerConnection: 10_000 });
    try {
      const [viewerX, viewerY] = [await connect(t.url), await connect(t.url)];
      const hash = binaryId();
      viewerY.send(announce(hash, binaryId()));
      await viewerY.next(isAnnounceReply(hash));
      const attacker = await connect(t.url);
      expect(await announceRandomHashes(attacker, 10_000)).toMatchObject({
        "failure reason": "tracker is full: no new swarms accepted",
      });
      const stats = t.tracker.stats();
      expect(stats.swarms).toBe(100);
      expect(stats.peers).toBe(100);
      expect(stats.rejected.swarm_limit).toBe(9_901);
      expect(stats.topSwarms.length).toBe(100);
      viewerX.send(announce(hash, binaryId(), { offers: offerList(1) }));
      expect(await viewerX.next(isAnnounceReply(hash))).toMatchObject({ incomplete: 2 });
      await viewerY.next(isOffer);
    } finally {
      await t.stop();
    }
  });

  it("refuses upgrades beyond maxConnections from the address that fills it", async () => {
    const t = await startTracker({ maxConnections: 5, maxConnectionsPerIp: 5 });
    try {
      const results = await Promise.all(Array.from({ length: 8 }, () => tryConnect(t.url)));
      expect(results.filter((r) => r instanceof WebSocket)).toHaveLength(5);
      expect(results.filter((r) => r === 503 || r === 429)).toHaveLength(3);
      // That address is at its own cap too (a newcomer from another address would get a socket:
      // tracker-crowding.test.ts).
      expect(t.tracker.stats().connectionsRejected.ip_limit).toBe(3);
    } finally {
      await t.stop();
    }
  });
});
