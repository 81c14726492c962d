// Issue 9 item 4: access control at the tracker's boundary. One tracker with every check on (join
// tokens, Origin allow-list, info-hash allow-list); each refusal path is tried by an attacker while
// two well-behaved viewers keep being served, and every refusal is counted by reason.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken } from "../../../demo-server/src/net/join-token.js";
import {
  announce,
  binaryId,
  connect,
  eventually,
  isAnnounceReply,
  isAnswer,
  isFailure,
  isOffer,
  offerList,
  SDP,
  startTracker,
  refusalOf,
} from "./helpers.js";
import type { RawClient, TrackerHarness } from "./helpers.js";

const SECRET = "tracker-access-test-secret-0123456789";
const SITE = "https://site.example";
const STREAM = "https://cdn.example/live/master.m3u8";
const swarmKey = (rendition: string) => `${STREAM}|${rendition}`;
const infoHash = (key: string) => createHash("sha1").update(key).digest().toString("latin1");
const hex = (binary: string) => Buffer.from(binary, "latin1").toString("hex");
const X1 = infoHash(swarmKey("v1"));
const X2 = infoHash(swarmKey("v2"));
const token = (scope: { streams?: string[]; infoHashes?: string[] }, ttlSec = 600, nowMs = Date.now()) =>
  mintJoinToken({ secret: SECRET, ttlSec, nowMs, ...scope });
const site = { origin: SITE };

let h: TrackerHarness;
let viewerA: RawClient;
let viewerB: RawClient;
const [idA, idB] = [binaryId(), binaryId()];
const url = (t?: string) => (t === undefined ? h.url : `${h.url}?token=${encodeURIComponent(t)}`);

beforeAll(async () => {
  h = await startTracker({
    joinTokenSecret: SECRET,
    allowedOrigins: [SITE],
    allowedInfoHashes: [hex(X1), hex(X2)],
  });
  // A holds a stream-scoped token (the SDK sends swarm_key), B an info-hash-scoped one (any client).
  viewerA = await connect(url(token({ streams: [STREAM] })), site);
  viewerB = await connect(url(token({ infoHashes: [hex(X1)] })), site);
  viewerB.send(announce(X1, idB));
  await viewerB.next(isAnnounceReply(X1));
});
afterAll(async () => {
  await h.stop();
});

/** The well-behaved viewers: A's announce is answered and its offer reaches B. */
async function expectStillServing(): Promise<void> {
  viewerA.send(announce(X1, idA, { swarm_key: swarmKey("v1"), offers: offerList(1) }));
  expect(await viewerA.next(isAnnounceReply(X1))).toMatchObject({ incomplete: 2 });
  expect(await viewerB.next(isOffer)).toMatchObject({ peer_id: idA });
}

const stats = () => h.tracker.stats();

describe("tracker access control: strangers refused, viewers served", () => {
  it("serves viewers with valid tokens from the allowed origin", async () => {
    await expectStillServing();
  });

  it("refuses an expired token at the upgrade (401), and missing or forged ones", async () => {
    const expired = token({ streams: [STREAM] }, 60, Date.now() - 61_000);
    expect(await refusalOf(url(expired), site)).toBe("4401 token_expired");
    expect(await refusalOf(url(), site)).toBe("4401 token_missing");
    const forged = token({ streams: [STREAM] }).replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(await refusalOf(url(forged), site)).toBe("4401 token_invalid");
    const otherSecret = mintJoinToken({
      secret: "another-secret-of-16-bytes+",
      streams: [STREAM],
      ttlSec: 60,
    });
    expect(await refusalOf(url(otherSecret), site)).toBe("4401 token_invalid");
    expect(stats().connectionsRejected).toMatchObject({
      token_expired: 1,
      token_missing: 1,
      token_invalid: 2,
    });
    await expectStillServing();
  });

  it("refuses a token for another stream, and a swarm_key that does not make the info_hash", async () => {
    const other = await connect(url(token({ streams: ["https://cdn.example/other/master.m3u8"] })), site);
    other.send(announce(X1, binaryId(), { swarm_key: swarmKey("v1"), offers: offerList(1) }));
    expect(await other.next(isFailure)).toMatchObject({ info_hash: X1 });
    const liar = await connect(url(token({ streams: [STREAM] })), site);
    // A stream-scoped token with a swarm key of the right stream that is not this swarm's.
    liar.send(announce(X2, binaryId(), { swarm_key: swarmKey("v1") }));
    expect(await liar.next(isFailure)).toMatchObject({ info_hash: X2 });
    // An info-hash token for X1 does not open X2.
    const narrow = await connect(url(token({ infoHashes: [hex(X1)] })), site);
    narrow.send(announce(X2, binaryId()));
    await narrow.next(isFailure);
    expect(stats().rejected.token_scope).toBe(3);
    await Promise.all([other.close(), liar.close(), narrow.close()]);
    await expectStillServing();
  });

  it("refuses a foreign Origin and a missing one (403)", async () => {
    const t = token({ streams: [STREAM] });
    expect(await refusalOf(url(t), { origin: "https://evil.example" })).toBe("4403 origin_not_allowed");
    expect(await refusalOf(url(t), { origin: "https://site.example.evil.example" })).toBe(
      "4403 origin_not_allowed",
    );
    expect(await refusalOf(url(t))).toBe("4403 origin_not_allowed");
    expect(stats().connectionsRejected.origin_not_allowed).toBe(3);
    await expectStillServing();
  });

  it("refuses an info-hash that is not on the allow-list, even with a token for it", async () => {
    const unknown = binaryId();
    const client = await connect(url(token({ infoHashes: [hex(unknown)] })), site);
    client.send(announce(unknown, binaryId(), { offers: offerList(1) }));
    expect(await client.next(isFailure)).toMatchObject({ info_hash: unknown });
    expect(stats().rejected.info_hash_not_allowed).toBe(1);
    expect(stats().topSwarms.map((s) => s.infoHash)).not.toContain(hex(unknown));
    await client.close();
    await expectStillServing();
  });

  it("routes no answer across swarms", async () => {
    const attacker = await connect(url(token({ streams: [STREAM] })), site);
    const idX = binaryId();
    attacker.send(announce(X2, idX, { swarm_key: swarmKey("v2") }));
    await attacker.next(isAnnounceReply(X2));
    const answer = { type: "answer", sdp: SDP };
    // A member of X2 answering B (in X1) under X2, and under X1 where it is no member.
    attacker.send({
      action: "announce",
      info_hash: X2,
      peer_id: idX,
      to_peer_id: idB,
      offer_id: "o".repeat(20),
      answer,
    });
    attacker.send({
      action: "announce",
      info_hash: X1,
      peer_id: idX,
      to_peer_id: idB,
      offer_id: "o".repeat(20),
      answer,
    });
    await attacker.next(isFailure);
    await attacker.next(isFailure);
    expect(stats().rejected).toMatchObject({ unknown_peer: 1, answer_without_membership: 1 });
    await attacker.close();
    await expectStillServing();
    expect(viewerB.received.filter(isAnswer)).toEqual([]);
  });

  it("honours `stopped` only from the connection that owns the peer", async () => {
    const attacker = await connect(url(token({ infoHashes: [hex(X1)] })), site);
    attacker.send(announce(X1, idB, { event: "stopped" }));
    expect(await attacker.next(isFailure)).toMatchObject({ info_hash: X1 });
    expect(stats().rejected.stopped_not_owner).toBe(1);
    await attacker.close();
    // B is still in the swarm: A's offer still reaches it.
    await expectStillServing();
  });

  it("counts every refusal by reason", async () => {
    await eventually(() =>
      expect(stats()).toMatchObject({
        connectionsRejected: {
          token_expired: 1,
          token_missing: 1,
          token_invalid: 2,
          origin_not_allowed: 3,
        },
        rejected: {
          token_scope: 3,
          info_hash_not_allowed: 1,
          unknown_peer: 1,
          answer_without_membership: 1,
          stopped_not_owner: 1,
        },
      }),
    );
  });
});

describe("peer_id ownership across networks", () => {
  // trustProxy lets each client claim its own address, so they sit on different networks.
  const as = (ip: string): Record<string, string> => ({ "x-forwarded-for": ip });
  let open: TrackerHarness;
  beforeAll(async () => {
    open = await startTracker({ trustProxy: true });
  });
  afterAll(async () => {
    await open.stop();
  });

  it("a stranger cannot take over a peer_id (and then its `stopped`); the owner reconnecting can", async () => {
    const swarm = binaryId();
    const [victimId, otherId] = [binaryId(), binaryId()];
    const victim = await connect(open.url, as("198.51.100.7"));
    const other = await connect(open.url, as("192.0.2.50"));
    victim.send(announce(swarm, victimId));
    await victim.next(isAnnounceReply(swarm));
    const attacker = await connect(open.url, as("203.0.113.66"));
    attacker.send(announce(swarm, victimId));
    expect(await attacker.next(isFailure)).toMatchObject({ info_hash: swarm });
    attacker.send(announce(swarm, victimId, { event: "stopped" }));
    await attacker.next(isFailure);
    expect(open.tracker.stats().rejected).toMatchObject({ peer_id_in_use: 1, stopped_not_owner: 1 });
    // The victim still gets offers.
    other.send(announce(swarm, otherId, { offers: offerList(1) }));
    expect(await other.next(isAnnounceReply(swarm))).toMatchObject({ incomplete: 2 });
    expect(await victim.next(isOffer)).toMatchObject({ peer_id: otherId });
    // The same viewer on a new socket from its own network takes its peer_id over.
    const again = await connect(open.url, as("198.51.100.7"));
    again.send(announce(swarm, victimId));
    expect(await again.next(isAnnounceReply(swarm))).toMatchObject({ incomplete: 2 });
    await Promise.all([victim.close(), other.close(), attacker.close(), again.close()]);
  });
});
