// Several tracker instances sharing swarms through a real redis-server: offers and answers cross
// instances, a killed instance's peers leave within their TTL, and a Redis outage degrades every
// instance to local-only swarms until Redis returns.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TrackerLogger } from "../../../demo-server/src/tracker/index.js";
import { startRedis, type RedisProcess } from "../../support/redis-server.js";
import { sleep, waitFor } from "../../support/wait-for.js";
import {
  announce,
  binaryId,
  connect,
  isAnnounceReply,
  isAnswer,
  isOffer,
  offerList,
  startTracker,
  SDP,
  type RawClient,
  type TrackerHarness,
} from "../tracker/helpers.js";

let redis: RedisProcess;
const trackers: TrackerHarness[] = [];
const clients: RawClient[] = [];
const children: ChildProcess[] = [];
const warnings: string[] = [];

const logger: TrackerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_obj, msg) => warnings.push(msg ?? ""),
};

async function instance(): Promise<TrackerHarness> {
  const harness = await startTracker({ redisUrl: redis.url, logger });
  trackers.push(harness);
  await waitFor(() => harness.tracker.stats().federation?.connected, 5_000, "the instance to reach Redis");
  return harness;
}

async function client(harness: { url: string }): Promise<RawClient> {
  const c = await connect(harness.url);
  clients.push(c);
  return c;
}

async function join(c: RawClient, infoHash: string, peerId: string, offers = 0) {
  c.send(announce(infoHash, peerId, offers > 0 ? { offers: offerList(offers), numwant: offers } : {}));
  return c.next(isAnnounceReply(infoHash));
}

/** A tracker instance in its own process, killable like a crashed machine. */
async function processInstance(
  options: Record<string, number>,
): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL("../../support/tracker-instance.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, TRACKER_REDIS_URL: redis.url, TRACKER_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) =>
      resolve((JSON.parse(String(chunk)) as { port: number }).port),
    );
    child.once("exit", (code) => reject(new Error(`tracker instance exited with ${code}`)));
  });
  return { url: `ws://127.0.0.1:${port}/tracker`, child };
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  for (const child of children) child.kill("SIGKILL");
  for (const t of trackers) await t.stop();
  await redis?.stop();
});

describe("tracker instances sharing swarms through Redis", () => {
  it("relays an offer and its answer between peers on different instances", async () => {
    const [one, two] = [await instance(), await instance()];
    const infoHash = binaryId();
    const [a, b] = [await client(one), await client(two)];
    const [peerA, peerB] = [binaryId(), binaryId()];
    await join(a, infoHash, peerA);
    const reply = await join(b, infoHash, peerB, 1);
    expect(reply.incomplete).toBe(2); // b itself and a, who is on the other instance
    const offer = await a.next(isOffer);
    expect(offer.peer_id).toBe(peerB);
    a.send(
      announce(infoHash, peerA, {
        to_peer_id: peerB,
        offer_id: offer.offer_id,
        answer: { type: "answer", sdp: SDP },
      }),
    );
    const answer = await b.next(isAnswer);
    expect(answer.peer_id).toBe(peerA);
    expect(answer.offer_id).toBe(offer.offer_id);
    expect(one.tracker.stats().federation).toMatchObject({
      relaysIn: 1,
      relaysOut: 1,
      relaysUndeliverable: 0,
    });
    expect(two.tracker.stats().federation).toMatchObject({
      relaysIn: 1,
      relaysOut: 1,
      relaysUndeliverable: 0,
    });
  });

  it("a peer that moves to another instance stays reachable when its old socket closes", async () => {
    const [one, two] = [trackers[0]!, trackers[1]!];
    const infoHash = binaryId();
    const mover = binaryId();
    const [before, after] = [await client(one), await client(two)];
    await join(before, infoHash, mover);
    await join(after, infoHash, mover); // reconnected to instance two under the same peer_id
    await before.close(); // instance one's late "left" must not erase instance two's entry
    await sleep(600); // past instance one's remote-peer cache (read when `before` joined)
    const offerer = await client(one);
    await join(offerer, infoHash, binaryId(), 1);
    expect((await after.next(isOffer)).info_hash).toBe(infoHash);
  });

  it("a killed instance loses only its own sockets; its peers leave the shared swarm within their TTL", async () => {
    const [one, two] = [trackers[0]!, trackers[1]!];
    const ttlMs = 3_000;
    const doomed = await processInstance({
      announceIntervalMs: 1_000,
      peerTimeoutMs: ttlMs,
      sweepIntervalMs: 500,
    });
    const infoHash = binaryId();
    const [a, b, c] = [await client(one), await client(two), await client(doomed)];
    const peerB = binaryId();
    await join(a, infoHash, binaryId());
    await join(c, infoHash, binaryId());
    await sleep(600); // past the remote-peer cache
    expect((await join(b, infoHash, peerB)).incomplete).toBe(3);

    doomed.child.kill("SIGKILL");
    await c.closed;
    const killedAtMs = Date.now();
    let incomplete = 3;
    while (incomplete === 3 && Date.now() - killedAtMs < ttlMs + 2_000) {
      await sleep(200);
      incomplete = (await join(b, infoHash, peerB)).incomplete as number;
    }
    expect(incomplete).toBe(2); // a and b: the dead instance's peer is gone, nobody else is
    expect(Date.now() - killedAtMs).toBeLessThan(ttlMs + 1_000);
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    expect(b.ws.readyState).toBe(b.ws.OPEN);
  });

  it("Redis going away degrades to local-only swarms (logged, counted) and recovers when it returns", async () => {
    const [one, two] = [trackers[0]!, trackers[1]!];
    const infoHash = binaryId();
    const [a, b, d] = [await client(one), await client(two), await client(one)];
    const [peerA, peerB, peerD] = [binaryId(), binaryId(), binaryId()];
    await join(a, infoHash, peerA);
    await join(b, infoHash, peerB);

    await redis.stop();
    await waitFor(
      () => !one.tracker.stats().federation?.connected && !two.tracker.stats().federation?.connected,
      5_000,
      "both instances to notice the outage",
    );
    expect(warnings.some((w) => w.includes("Redis unavailable"))).toBe(true);
    // Still a tracker: announces are answered, and peers on one instance meet each other.
    expect((await join(b, infoHash, peerB, 1)).incomplete).toBe(1);
    await join(d, infoHash, peerD, 1);
    expect((await a.next(isOffer)).peer_id).toBe(peerD);
    await sleep(300);
    expect(a.received.filter(isOffer).concat(d.received.filter(isOffer))).toEqual([]); // nothing from b

    await redis.restart();
    await waitFor(
      () =>
        one.tracker.stats().federation?.recoveries === 1 && two.tracker.stats().federation?.recoveries === 1,
      10_000,
      "both instances to recover",
      { intervalMs: 50 },
    );
    // Recovery writes every local membership to Redis again: b's instance then counts all three.
    await waitFor(
      async () => (await join(b, infoHash, peerB)).incomplete === 3,
      5_000,
      "the memberships written again on recovery",
      { intervalMs: 50 },
    );
    expect((await join(b, infoHash, peerB, 2)).incomplete).toBe(3);
    const offers = [await a.next(isOffer), await d.next(isOffer)];
    expect(offers.map((o) => o.peer_id)).toEqual([peerB, peerB]);
  });
});
