// Bans a peer cannot shed by choosing a new peer_id, that spare its honest neighbours: the id at once,
// the tracker's fingerprint of its address (`nearcast_from` on relayed offers and answers) once a
// second id of it was banned — at the first where nothing verifies peer bytes.
import { describe, expect, it } from "vitest";
import { ADDRESS_BAN_STRIKES, MAX_BANNED_PEERS } from "../../../sdk/src/p2p/constants.js";
import { PeerBans } from "../../../sdk/src/p2p/peer-bans.js";
import { parseTrackerMessage } from "../../../sdk/src/p2p/tracker-messages.js";

const INFO_HASH = "h".repeat(20);
const relayed = (extra: Record<string, unknown>) =>
  JSON.stringify({
    action: "announce",
    info_hash: INFO_HASH,
    peer_id: "-NC0100-aaaaaaaaaaaa",
    offer_id: "o".repeat(20),
    offer: { type: "offer", sdp: "v=0" },
    ...extra,
  });

describe("PeerBans", () => {
  it("bans the id at once, and the address only at its second banned id", () => {
    const bans = new PeerBans(ADDRESS_BAN_STRIKES);
    expect(ADDRESS_BAN_STRIKES).toBe(2);
    expect(bans.ban({ id: "liar-1", fingerprint: "fp-A" })).toBe(true);
    expect(bans.refusal({ id: "liar-1", fingerprint: "fp-A" })).toBe("banned-id");
    expect(bans.refusal({ id: "liar-1" })).toBe("banned-id");
    // A neighbour behind the same address (or the liar under a new id): admitted on probation.
    expect(bans.refusal({ id: "neighbour", fingerprint: "fp-A" })).toBeUndefined();
    expect(bans.onProbation({ id: "neighbour", fingerprint: "fp-A" })).toBe(true);
    expect(bans.onProbation({ id: "other", fingerprint: "fp-B" })).toBe(false);
    expect(bans.onProbation({ id: "other" })).toBe(false);
    // Banning the same id again is no new ban, and no second strike on its address.
    expect(bans.ban({ id: "liar-1", fingerprint: "fp-A" })).toBe(false);
    expect(bans.isBanned({ id: "neighbour", fingerprint: "fp-A" })).toBe(false);
    // The liar back under a new id lies again: the address is banned, for every id.
    expect(bans.ban({ id: "liar-2", fingerprint: "fp-A" })).toBe(true);
    expect(bans.refusal({ id: "liar-3", fingerprint: "fp-A" })).toBe("banned-address");
    expect(bans.refusal({ id: "neighbour", fingerprint: "fp-A" })).toBe("banned-address");
    expect(bans.onProbation({ id: "neighbour", fingerprint: "fp-A" })).toBe(false);
    expect(bans.refusal({ id: "honest", fingerprint: "fp-B" })).toBeUndefined();
    // The same id under another address counts as the peer it is: still banned, not a strike there.
    expect(bans.refusal({ id: "liar-1", fingerprint: "fp-B" })).toBe("banned-id");
  });

  it("with one strike (allowUnverifiedPeers: nothing verifies), the address goes with the first id", () => {
    const bans = new PeerBans(1);
    bans.ban({ id: "liar-1", fingerprint: "fp-A" });
    expect(bans.refusal({ id: "neighbour", fingerprint: "fp-A" })).toBe("banned-address");
    expect(bans.onProbation({ id: "neighbour", fingerprint: "fp-A" })).toBe(false);
  });

  it("without a fingerprint only the id is banned, and nothing is on probation", () => {
    const bans = new PeerBans(1);
    bans.ban({ id: "liar-1" });
    expect(bans.refusal({ id: "liar-1", fingerprint: "fp-A" })).toBe("banned-id");
    expect(bans.refusal({ id: "liar-2" })).toBeUndefined();
    expect(bans.refusal({ id: "liar-2", fingerprint: "fp-A" })).toBeUndefined();
  });

  it("refuses a strike count that cannot ban", () => {
    expect(() => new PeerBans(0)).toThrow(RangeError);
    expect(() => new PeerBans(1.5)).toThrow(RangeError);
  });

  it(`remembers the ${MAX_BANNED_PEERS} most recent ids and addresses`, () => {
    const bans = new PeerBans(1);
    for (let i = 0; i <= MAX_BANNED_PEERS; i++) bans.ban({ id: `p${i}`, fingerprint: `f${i}` });
    expect(bans.isBanned({ id: "p0" })).toBe(false);
    expect(bans.isBanned({ id: "x", fingerprint: "f0" })).toBe(false);
    expect(bans.isBanned({ id: "p1" })).toBe(true);
    expect(bans.isBanned({ id: "x", fingerprint: `f${MAX_BANNED_PEERS}` })).toBe(true);
  });
});

describe("parseTrackerMessage: nearcast_from", () => {
  it("keeps the tracker's fingerprint of the sender on offers and answers", () => {
    expect(parseTrackerMessage(relayed({ nearcast_from: "k3Fz9-Q" }))).toMatchObject({
      kind: "offer",
      from: "k3Fz9-Q",
    });
    const answer = relayed({ offer: undefined, answer: { type: "answer", sdp: "v=0" }, nearcast_from: "fp" });
    expect(parseTrackerMessage(answer)).toMatchObject({ kind: "answer", from: "fp" });
  });

  it("ignores a fingerprint that is not one (absent from other trackers), without failing the signal", () => {
    for (const bad of [42, "", "has space", "x".repeat(129), "ümlaut"]) {
      const message = parseTrackerMessage(relayed({ nearcast_from: bad }));
      expect(message.kind).toBe("offer");
      expect(message).not.toHaveProperty("from");
    }
    expect(parseTrackerMessage(relayed({}))).not.toHaveProperty("from");
  });
});
