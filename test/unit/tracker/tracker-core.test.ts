import { describe, expect, it } from "vitest";
import { resolveTrackerOptions } from "../../../demo-server/src/tracker/options.js";
import type { TrackerOptions } from "../../../demo-server/src/tracker/options.js";
import { TrackerCounters } from "../../../demo-server/src/tracker/stats.js";
import { TrackerCore } from "../../../demo-server/src/tracker/tracker-core.js";
import type { ClientChannel } from "../../../demo-server/src/tracker/client-channel.js";

const bin = (n: number): string => Buffer.alloc(20, n).toString("latin1");
const HASH = bin(0xaa);
const SDP = "v=0\r\n";

class FakeClient implements ClientChannel {
  readonly frames: Record<string, unknown>[] = [];
  constructor(
    readonly ipPrefix: string | undefined = undefined,
    readonly region: string | undefined = undefined,
  ) {}
  send(frame: string): void {
    this.frames.push(JSON.parse(frame) as Record<string, unknown>);
  }
  take(): Record<string, unknown>[] {
    return this.frames.splice(0);
  }
}

function setup(overrides: Partial<TrackerOptions> = {}) {
  let now = 0;
  const counters = new TrackerCounters();
  const core = new TrackerCore<FakeClient>(resolveTrackerOptions(overrides), counters, () => now);
  const send = (client: FakeClient, msg: Record<string, unknown>) =>
    core.handleText(client, JSON.stringify(msg));
  const offers = (n: number, tag = 0) =>
    Array.from({ length: n }, (_, i) => ({
      offer_id: bin(tag * 16 + i),
      offer: { type: "offer", sdp: SDP },
    }));
  const announce = (client: FakeClient, peer: string, extra: Record<string, unknown> = {}) =>
    send(client, { action: "announce", info_hash: HASH, peer_id: peer, ...extra });
  return { core, counters, send, offers, announce, advance: (ms: number) => (now += ms) };
}

describe("TrackerCore announce", () => {
  it("answers with interval (s), complete, incomplete and the info_hash", () => {
    const { announce } = setup();
    const a = new FakeClient();
    announce(a, bin(1), { event: "started", left: 0 });
    expect(a.take()).toEqual([
      { action: "announce", interval: 120, info_hash: HASH, complete: 1, incomplete: 0 },
    ]);
  });

  it("relays each offer to a different peer, never back to the sender", () => {
    const { announce, offers, counters } = setup();
    const peers = [1, 2, 3].map(() => new FakeClient());
    peers.forEach((p, i) => announce(p, bin(i + 1)));
    const a = new FakeClient();
    announce(a, bin(9), { numwant: 5, offers: offers(5) });
    expect(a.take()).toHaveLength(1); // only the announce response
    const relayed = peers.flatMap((p) => p.take().filter((f) => f.offer !== undefined));
    expect(relayed).toHaveLength(3);
    for (const peer of peers) expect(peer.frames).toHaveLength(0);
    expect(new Set(relayed.map((f) => f.offer_id)).size).toBe(3);
    for (const f of relayed) {
      expect(f).toMatchObject({
        action: "announce",
        peer_id: bin(9),
        info_hash: HASH,
        offer: { type: "offer" },
      });
    }
    expect(counters.offersRelayed).toBe(3);
  });

  it("relays at most numwant offers", () => {
    const { announce, offers, counters } = setup();
    for (let i = 1; i <= 5; i++) announce(new FakeClient(), bin(i));
    announce(new FakeClient(), bin(9), { numwant: 2, offers: offers(5) });
    expect(counters.offersRelayed).toBe(2);
  });

  it("prefers peers on the same network prefix", () => {
    const { announce, offers } = setup();
    const far = Array.from({ length: 10 }, (_, i) => new FakeClient(`4/192.168.${i}`));
    far.forEach((p, i) => announce(p, bin(i + 1)));
    const near = new FakeClient("4/10.0.0");
    announce(near, bin(50));
    announce(new FakeClient("4/10.0.0"), bin(60), { offers: offers(1) });
    expect(near.take().filter((f) => f.offer !== undefined)).toHaveLength(1);
  });

  it("uses the announce region over the socket's region", () => {
    const { announce, offers } = setup();
    const eu = new FakeClient(undefined, "eu");
    const us = new FakeClient(undefined, "us");
    announce(eu, bin(1));
    announce(us, bin(2));
    announce(new FakeClient(undefined, "eu"), bin(3), { region: "us", offers: offers(1) });
    expect(us.take().some((f) => f.offer !== undefined)).toBe(true);
    expect(eu.take().some((f) => f.offer !== undefined)).toBe(false);
  });

  it("sends warnings as 'warning message' without failing the announce", () => {
    const { announce } = setup();
    const a = new FakeClient();
    announce(a, bin(1), { numwant: 500 });
    const [reply] = a.take();
    expect(reply?.["warning message"]).toMatch(/numwant/);
    expect(reply?.complete).toBe(0);
    expect(reply?.incomplete).toBe(1);
  });

  it("stopped leaves the swarm and relays no offers", () => {
    const { announce, offers, core } = setup();
    const b = new FakeClient();
    announce(b, bin(2));
    const a = new FakeClient();
    announce(a, bin(1));
    announce(a, bin(1), { event: "stopped", offers: offers(1) });
    expect(a.take().at(-1)).toMatchObject({ complete: 0, incomplete: 1 });
    expect(b.take()).toHaveLength(1);
    expect(core.registry.peerCount).toBe(1);
  });

  it("limit failures carry action and info_hash and are counted", () => {
    const { send, counters } = setup({ maxSwarmsPerConnection: 1 });
    const a = new FakeClient();
    const other = bin(0xbb);
    send(a, { action: "announce", info_hash: HASH, peer_id: bin(1) });
    send(a, { action: "announce", info_hash: other, peer_id: bin(1) });
    expect(a.take()[1]).toEqual({
      "failure reason": "too many swarms on this connection",
      nearcast_reason: "connection_swarm_limit",
      action: "announce",
      info_hash: other,
    });
    expect(counters.rejected.connection_swarm_limit).toBe(1);
  });
});

describe("TrackerCore answer", () => {
  function offered() {
    const t = setup();
    const a = new FakeClient();
    const b = new FakeClient();
    t.announce(b, bin(2));
    t.announce(a, bin(1), { offers: t.offers(1) });
    const offer = b.take().find((f) => f.offer !== undefined);
    a.take();
    return { ...t, a, b, offerId: offer?.offer_id };
  }

  it("routes B's answer to A with the same offer_id, and sends B nothing back", () => {
    const { a, b, announce, offerId, counters } = offered();
    announce(b, bin(2), { to_peer_id: bin(1), offer_id: offerId, answer: { type: "answer", sdp: SDP } });
    expect(a.take()).toEqual([
      {
        action: "announce",
        answer: { type: "answer", sdp: SDP },
        offer_id: offerId,
        peer_id: bin(2),
        info_hash: HASH,
      },
    ]);
    expect(b.take()).toEqual([]);
    expect(counters.answersRelayed).toBe(1);
  });

  it("rejects an answer to an unknown peer, or to itself", () => {
    const { b, announce, offerId, counters } = offered();
    const answer = { offer_id: offerId, answer: { type: "answer", sdp: SDP } };
    announce(b, bin(2), { ...answer, to_peer_id: bin(77) });
    announce(b, bin(2), { ...answer, to_peer_id: bin(2) });
    expect(b.take().map((f) => f["failure reason"])).toHaveLength(2);
    expect(counters.rejected.unknown_peer).toBe(2);
  });

  it("rejects an answer from a socket that did not announce that peer_id in the swarm", () => {
    const { announce, offerId, counters, a } = offered();
    const stranger = new FakeClient();
    announce(stranger, bin(2), {
      to_peer_id: bin(1),
      offer_id: offerId,
      answer: { type: "answer", sdp: SDP },
    });
    expect(stranger.take()[0]?.["failure reason"]).toMatch(/not announced/);
    expect(a.take()).toEqual([]);
    expect(counters.rejected.answer_without_membership).toBe(1);
  });
});

describe("TrackerCore scrape, disconnect, sweep, bad input", () => {
  it("scrapes named swarms (unknown ones as zeros) and all swarms", () => {
    const { announce, send, counters } = setup();
    announce(new FakeClient(), bin(1), { left: 0 });
    announce(new FakeClient(), bin(2));
    const c = new FakeClient();
    send(c, { action: "scrape", info_hash: [HASH, bin(0xcc)] });
    send(c, { action: "scrape" });
    const [named, all] = c.take();
    expect(named).toEqual({
      action: "scrape",
      files: {
        [HASH]: { complete: 1, incomplete: 1, downloaded: 0 },
        [bin(0xcc)]: { complete: 0, incomplete: 0, downloaded: 0 },
      },
      flags: { min_request_interval: 120 },
    });
    expect(Object.keys((all as { files: object }).files)).toEqual([HASH]);
    expect(counters.scrapes).toBe(2);
  });

  it("disconnect removes the client from all its swarms", () => {
    const { core, send } = setup();
    const a = new FakeClient();
    send(a, { action: "announce", info_hash: HASH, peer_id: bin(1) });
    send(a, { action: "announce", info_hash: bin(0xbb), peer_id: bin(1) });
    expect(core.registry.swarmCount).toBe(2);
    core.disconnect(a);
    expect(core.registry.swarmCount).toBe(0);
  });

  it("sweep expires peers after peerTimeoutMs and counts them", () => {
    const { core, announce, advance, counters } = setup();
    announce(new FakeClient(), bin(1));
    advance(240_001);
    core.sweep();
    expect(core.registry.peerCount).toBe(0);
    expect(counters.expiredPeers).toBe(1);
  });

  it("answers malformed input with a failure reason and counts it by reason", () => {
    const { core, counters } = setup();
    const a = new FakeClient();
    core.handleText(a, "not json");
    core.handleText(a, JSON.stringify({ action: "announce", info_hash: "x", peer_id: bin(1) }));
    expect(a.take()).toEqual([
      { "failure reason": "message is not valid JSON", nearcast_reason: "invalid_json" },
      {
        "failure reason": "invalid info_hash: expected 20 bytes as a binary string",
        nearcast_reason: "invalid_info_hash",
        action: "announce",
      },
    ]);
    expect(counters.rejected.invalid_json).toBe(1);
    expect(counters.rejected.invalid_info_hash).toBe(1);
  });
});

describe("TrackerCore refusals of a swarm", () => {
  it("are logged at info level, one line per reason a minute with the count since; stray messages only at debug", () => {
    const lines: { level: string; message: string }[] = [];
    const log =
      (level: string) =>
      (_fields: unknown, message?: string): void => {
        lines.push({ level, message: message ?? "" });
      };
    const { announce, send, advance, counters } = setup({
      allowedInfoHashes: [Buffer.alloc(20, 0xbb).toString("hex")],
      logger: { debug: log("debug"), info: log("info"), warn: log("warn") },
    });
    const a = new FakeClient();
    for (let i = 0; i < 3; i++) announce(a, bin(1));
    send(a, { action: "dance" });
    expect(counters.rejected.info_hash_not_allowed).toBe(3);
    const info = () => lines.filter((l) => l.level === "info").map((l) => l.message);
    expect(info()).toEqual([
      "tracker: refused an announce: info_hash_not_allowed: the info_hash is not in --tracker-allowed-info-hashes",
    ]);
    expect(lines.filter((l) => l.level === "debug").length).toBeGreaterThan(0);
    advance(60_000);
    announce(a, bin(1));
    expect(info()[1]).toMatch(/info_hash_not_allowed: .* \(3 since the last line about it\)$/);
  });
});
