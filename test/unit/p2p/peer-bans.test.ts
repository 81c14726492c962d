// Bans a peer cannot shed by choosing a new peer_id: the tracker's fingerprint of its address
// (`nearcast_from` on relayed offers and answers) is banned with its id.
import { describe, expect, it } from "vitest";
import { MAX_BANNED_PEERS } from "../../../sdk/src/p2p/constants.js";
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
  it("refuses a banned fingerprint under any peer id, and a banned id without a fingerprint", () => {
    const bans = new PeerBans();
    expect(bans.ban({ id: "liar-1", fingerprint: "fp-A" })).toBe(true);
    expect(bans.isBanned({ id: "liar-2", fingerprint: "fp-A" })).toBe(true);
    expect(bans.isBanned({ id: "liar-1" })).toBe(true);
    expect(bans.isBanned({ id: "honest", fingerprint: "fp-B" })).toBe(false);
    // Banning it again is no new ban.
    expect(bans.ban({ id: "liar-2", fingerprint: "fp-A" })).toBe(false);
  });

  it(`remembers the ${MAX_BANNED_PEERS} most recent ids and fingerprints`, () => {
    const bans = new PeerBans();
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
