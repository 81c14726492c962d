// Attack: one address opens 100 tracker sockets and announces 20 peer_ids on each into the swarm two
// honest viewers (other addresses) are about to join. The honest pair is admitted and introduced
// (offer relayed, answer back), the attacker holds one membership per socket, and in a full swarm
// the honest newcomers still get in.
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import {
  announce,
  binaryId,
  isAnnounceReply,
  isAnswer,
  isOffer,
  offerList,
  RawClient,
  SDP,
  startTracker,
} from "./helpers.js";
import type { Frame, TrackerHarness } from "./helpers.js";

const ATTACKER = "127.0.2.1";
const HONEST = ["127.0.3.1", "127.0.4.1"];
const SOCKETS = 100;
const IDS_PER_SOCKET = 20;

let harness: TrackerHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function connectFrom(url: string, localAddress: string): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress });
    ws.once("open", () => resolve(new RawClient(ws)));
    ws.once("error", reject);
  });
}

/** 100 sockets from one address, 20 peer_ids each into `infoHash`; resolves when all were answered. */
async function crowd(url: string, infoHash: string): Promise<RawClient[]> {
  const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => connectFrom(url, ATTACKER)));
  await Promise.all(
    sockets.map(async (socket) => {
      for (let i = 0; i < IDS_PER_SOCKET; i++)
        socket.send(announce(infoHash, binaryId(), { offers: offerList(2) }));
      // Every announce is answered: a reply for the first, a failure for each further peer_id.
      for (let i = 0; i < IDS_PER_SOCKET; i++) await socket.next((f) => f.info_hash === infoHash, 10_000);
    }),
  );
  return sockets;
}

/** B joins, then A announces with offers: ms until A holds B's answer. */
async function introduce(
  url: string,
  infoHash: string,
): Promise<{ ms: number; replies: Frame[]; idA: string }> {
  const [a, b] = [await connectFrom(url, HONEST[0]!), await connectFrom(url, HONEST[1]!)];
  const [idA, idB] = [binaryId(), binaryId()];
  const started = Date.now();
  b.send(announce(infoHash, idB, { event: "started" }));
  const replyB = await b.next(isAnnounceReply(infoHash), 20_000);
  a.send(announce(infoHash, idA, { event: "started", numwant: 5, offers: offerList(5) }));
  const replyA = await a.next(isAnnounceReply(infoHash), 20_000);
  const offer = await b.next((f) => isOffer(f) && f.peer_id === idA, 20_000);
  b.send(
    announce(infoHash, idB, {
      to_peer_id: idA,
      offer_id: offer.offer_id,
      answer: { type: "answer", sdp: SDP },
    }),
  );
  await a.next((f) => isAnswer(f) && f.peer_id === idB, 20_000);
  return { ms: Date.now() - started, replies: [replyA, replyB], idA };
}

describe("attack: one address crowds a swarm", () => {
  it("100 sockets x 20 ids: the honest pair is admitted and introduced, the attacker holds 100 places", async () => {
    harness = await startTracker({});
    const infoHash = binaryId();
    const attackers = await crowd(harness.url, infoHash);
    const during = harness.tracker.stats();
    expect(during.rejected.second_peer_id).toBe(SOCKETS * (IDS_PER_SOCKET - 1));
    expect(during.topSwarms[0]?.peers).toBe(SOCKETS);

    const { ms, replies, idA } = await introduce(harness.url, infoHash);
    for (const reply of replies) expect(reply["failure reason"]).toBeUndefined();
    expect(ms).toBeLessThan(20_000);
    // A's five offers went one per prefix in turn (all relayed while A's announce was handled): B's
    // prefix got its one before the attacker's got a second; only the leftovers went to the crowd.
    const toAttacker = attackers.flatMap((s) => s.received).filter((f) => isOffer(f) && f.peer_id === idA);
    expect(toAttacker).toHaveLength(4);
    console.log(`[crowding] honest pair introduced in ${ms} ms beside ${SOCKETS} attacker members`);
  });

  it("a swarm the attacker filled still admits and introduces the honest pair", async () => {
    harness = await startTracker({ maxPeersPerSwarm: 50 });
    const infoHash = binaryId();
    await crowd(harness.url, infoHash);
    // 50 sockets got a place; each announce of the other 50 was refused.
    expect(harness.tracker.stats().rejected.swarm_full).toBe((SOCKETS - 50) * IDS_PER_SOCKET);

    const { ms, replies } = await introduce(harness.url, infoHash);
    for (const reply of replies) expect(reply["failure reason"]).toBeUndefined();
    const stats = harness.tracker.stats();
    expect(stats.fairnessEvictions).toBe(2);
    expect(stats.topSwarms[0]?.peers).toBe(50);
    expect(ms).toBeLessThan(20_000);
  });
});

describe("attack: one address fills the tracker", () => {
  it("a newcomer from another address still gets a socket; the crowded address yields one", async () => {
    harness = await startTracker({ maxConnections: 20, maxConnectionsPerIp: 20 });
    const attackers = await Promise.all(
      Array.from({ length: 20 }, () => connectFrom(harness!.url, ATTACKER)),
    );
    expect(harness.tracker.stats().connections).toBe(20);
    const honest = await connectFrom(harness.url, HONEST[0]!);
    const hash = binaryId();
    honest.send(announce(hash, binaryId()));
    expect(await honest.next(isAnnounceReply(hash))).toMatchObject({ complete: 0 });
    const stats = harness.tracker.stats();
    expect(stats.disconnects.fairness).toBe(1);
    expect(stats.connections).toBe(20);
    // The oldest attacker socket made room; the attacker's next one is refused, its own address
    // being the most crowded.
    expect((await attackers[0]!.closed).code).toBe(1006);
    expect(await tryConnectFrom(harness.url, ATTACKER)).toBe(503);
  });
});

function tryConnectFrom(url: string, localAddress: string): Promise<number | "open"> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress });
    ws.once("open", () => (resolve("open"), ws.terminate()));
    ws.once("unexpected-response", (_req, res) => (resolve(res.statusCode ?? 0), ws.terminate()));
    ws.once("error", () => resolve(0));
  });
}
