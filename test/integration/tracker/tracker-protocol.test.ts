import { WebSocket, WebSocketServer } from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  SDP,
  announce,
  binaryId,
  connect,
  eventually,
  isAnnounceReply,
  isAnswer,
  isOffer,
  offerList,
  startTracker,
} from "./helpers.js";
import type { RawClient, TrackerHarness } from "./helpers.js";

let h: TrackerHarness;
const open: RawClient[] = [];

async function client(query = "", headers: Record<string, string> = {}): Promise<RawClient> {
  const c = await connect(h.url + query, headers);
  open.push(c);
  return c;
}

beforeAll(async () => {
  h = await startTracker({ trustProxy: true });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await h.stop();
});

describe("tracker over raw WebSockets", () => {
  it("answers an announce with interval, complete and incomplete", async () => {
    const a = await client();
    const hash = binaryId();
    a.send(announce(hash, binaryId(), { event: "started", left: 0, numwant: 0 }));
    expect(await a.next(isAnnounceReply(hash))).toEqual({
      action: "announce",
      interval: 120,
      info_hash: hash,
      complete: 1,
      incomplete: 0,
      // Nearcast's addition: the viewer's session (other WebTorrent clients ignore the field).
      nearcast: { session: expect.stringMatching(/^ns1\.[\w-]+\.[\w-]+$/), expires_in: 600 },
    });
  });

  it("relays A's offer to B (not A) and B's answer back to A with the same offer_id", async () => {
    const [a, b] = [await client(), await client()];
    const [hash, idA, idB] = [binaryId(), binaryId(), binaryId()];
    b.send(announce(hash, idB, { event: "started" }));
    await b.next(isAnnounceReply(hash));
    const offers = offerList(3);
    a.send(announce(hash, idA, { event: "started", numwant: 3, offers }));
    expect(await a.next(isAnnounceReply(hash))).toMatchObject({ complete: 0, incomplete: 2 });

    const offer = await b.next(isOffer);
    expect(offer).toEqual({
      action: "announce",
      offer: { type: "offer", sdp: SDP },
      offer_id: offers[0]?.offer_id,
      peer_id: idA,
      info_hash: hash,
      // The sender's address fingerprint, for bans by address (both clients are on 127.0.0.1).
      nearcast_from: expect.stringMatching(/^[\w-]{22}$/),
    });
    b.send(
      announce(hash, idB, {
        to_peer_id: idA,
        offer_id: offer.offer_id,
        answer: { type: "answer", sdp: SDP },
      }),
    );
    expect(await a.next(isAnswer)).toEqual({
      action: "announce",
      answer: { type: "answer", sdp: SDP },
      offer_id: offer.offer_id,
      peer_id: idB,
      info_hash: hash,
      nearcast_from: offer.nearcast_from,
    });
    // One offer per target: B got exactly one, A none of its own.
    await new Promise((r) => setTimeout(r, 50));
    expect(b.received.filter(isOffer)).toHaveLength(0);
    expect(a.received.filter(isOffer)).toHaveLength(0);
  });

  it("removes a peer on `stopped`", async () => {
    const [a, b] = [await client(), await client()];
    const hash = binaryId();
    const idA = binaryId();
    a.send(announce(hash, idA));
    await a.next(isAnnounceReply(hash));
    b.send(announce(hash, binaryId()));
    expect(await b.next(isAnnounceReply(hash))).toMatchObject({ incomplete: 2 });
    a.send(announce(hash, idA, { event: "stopped" }));
    expect(await a.next(isAnnounceReply(hash))).toMatchObject({ incomplete: 1 });
    b.send({ action: "scrape", info_hash: hash });
    expect(await b.next((f) => f.action === "scrape")).toMatchObject({
      files: { [hash]: { complete: 0, incomplete: 1, downloaded: 0 } },
    });
  });

  it("removes a closed socket's peer from all its swarms", async () => {
    const a = await connect(h.url);
    const peer = binaryId();
    const hashes = [binaryId(), binaryId(), binaryId()];
    for (const hash of hashes) {
      a.send(announce(hash, peer));
      await a.next(isAnnounceReply(hash));
    }
    const before = h.tracker.stats();
    await a.close();
    await eventually(() => {
      const after = h.tracker.stats();
      expect(after.peers).toBe(before.peers - 3);
      expect(after.swarms).toBe(before.swarms - 3);
    });
  });

  it("scrapes one, several, and all swarms", async () => {
    const a = await client();
    const [h1, h2] = [binaryId(), binaryId()];
    a.send(announce(h1, binaryId(), { left: 0, event: "completed" }));
    await a.next(isAnnounceReply(h1));
    a.send({ action: "scrape", info_hash: [h1, h2] });
    const scrape = await a.next((f) => f.action === "scrape");
    expect(scrape.files).toEqual({
      [h1]: { complete: 1, incomplete: 0, downloaded: 1 },
      [h2]: { complete: 0, incomplete: 0, downloaded: 0 },
    });
    a.send({ action: "scrape" });
    const all = await a.next((f) => f.action === "scrape");
    expect(Object.keys(all.files as object)).toContain(h1);
    expect(h.tracker.stats().scrapes).toBeGreaterThanOrEqual(2);
  });

  it("lets one socket announce one peer_id in several swarms, and relays per swarm", async () => {
    const [a, b] = [await client(), await client()];
    const [h1, h2, idA, idB] = [binaryId(), binaryId(), binaryId(), binaryId()];
    for (const hash of [h1, h2]) {
      b.send(announce(hash, idB));
      await b.next(isAnnounceReply(hash));
    }
    a.send(announce(h2, idA, { offers: offerList(1) }));
    expect(await b.next(isOffer)).toMatchObject({ info_hash: h2, peer_id: idA });
  });

  it("prefers peers on the same /24 (addresses from X-Forwarded-For with trustProxy)", async () => {
    const hash = binaryId();
    const far = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client("", { "x-forwarded-for": `172.16.${i}.1` })),
    );
    const near = await client("", { "x-forwarded-for": "6.6.6.6, 10.20.30.40" });
    for (const c of [...far, near]) {
      c.send(announce(hash, binaryId()));
      await c.next(isAnnounceReply(hash));
    }
    const me = await client("", { "x-forwarded-for": "10.20.30.99" });
    const myId = binaryId();
    for (let round = 0; round < 5; round++) {
      me.send(announce(hash, myId, { offers: offerList(1) }));
      await near.next(isOffer);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(far.every((c) => c.received.filter(isOffer).length === 0)).toBe(true);
  });

  it("prefers peers with the same ?region= URL hint", async () => {
    const hash = binaryId();
    const others = await Promise.all(Array.from({ length: 6 }, (_, i) => client(`?region=r${i}`)));
    const same = await client("?region=eu-west");
    for (const c of [...others, same]) {
      c.send(announce(hash, binaryId()));
      await c.next(isAnnounceReply(hash));
    }
    const me = await client("?region=eu-west");
    me.send(announce(hash, binaryId(), { offers: offerList(1) }));
    await same.next(isOffer);
    expect(others.every((c) => c.received.filter(isOffer).length === 0)).toBe(true);
  });

  it("answers a failure reason to an answer for an unknown peer", async () => {
    const a = await client();
    const [hash, id] = [binaryId(), binaryId()];
    a.send(announce(hash, id));
    await a.next(isAnnounceReply(hash));
    a.send(
      announce(hash, id, {
        to_peer_id: binaryId(),
        offer_id: binaryId(),
        answer: { type: "answer", sdp: SDP },
      }),
    );
    expect(await a.next((f) => f["failure reason"] !== undefined)).toMatchObject({
      action: "announce",
      info_hash: hash,
    });
    expect(h.tracker.stats().rejected.unknown_peer).toBeGreaterThanOrEqual(1);
  });
});

describe("attach()", () => {
  it("handles only its path and leaves other upgrade paths to other listeners", async () => {
    const other = new WebSocketServer({ noServer: true });
    h.server.on("upgrade", (req, socket, head) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("other-server"));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/other`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once("message", (d) => resolve(String(d)));
      ws.once("error", reject);
    });
    expect(first).toBe("other-server");
    ws.close();
    other.close();
  });
});
