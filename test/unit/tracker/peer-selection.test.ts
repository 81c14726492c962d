import { describe, expect, it } from "vitest";
import { proximityScore, selectOfferTargets } from "../../../demo-server/src/tracker/peer-selection.js";
import type { Candidate } from "../../../demo-server/src/tracker/peer-selection.js";

const peer = (peerId: string, ipPrefix?: string, region?: string): Candidate => ({
  peerId,
  ipPrefix,
  region,
});

/** Deterministic PRNG so "random" choices are reproducible. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const me = { peerId: "me", ipPrefix: "4/10.0.1", region: "eu" };

describe("proximityScore", () => {
  it("ranks prefix+region > prefix > region > neither; unknown hints never match", () => {
    expect(proximityScore(me, peer("a", "4/10.0.1", "eu"))).toBe(3);
    expect(proximityScore(me, peer("a", "4/10.0.1", "us"))).toBe(2);
    expect(proximityScore(me, peer("a", "4/10.0.2", "eu"))).toBe(1);
    expect(proximityScore(me, peer("a", "4/10.0.2", "us"))).toBe(0);
    expect(proximityScore({ peerId: "x", ipPrefix: undefined, region: undefined }, peer("a"))).toBe(0);
  });
});

describe("selectOfferTargets", () => {
  const far = Array.from({ length: 20 }, (_, i) => peer(`far${i}`, `4/192.168.${i}`, "us"));

  it("prefers the same /24 over everyone else", () => {
    const lan = peer("lan", "4/10.0.1");
    const chosen = selectOfferTargets([...far, lan], me, 1, seeded(1));
    expect(chosen.map((c) => c.peerId)).toEqual(["lan"]);
  });

  it("prefers same IPv6 /48 (prefix keys from networkPrefix)", () => {
    const v6me = { peerId: "me", ipPrefix: "6/2001:db8:aa", region: undefined };
    const site = peer("site", "6/2001:db8:aa");
    const other = Array.from({ length: 10 }, (_, i) => peer(`o${i}`, `6/2001:db8:${i}`));
    expect(selectOfferTargets([...other, site], v6me, 1, seeded(2)).map((c) => c.peerId)).toEqual(["site"]);
  });

  it("orders tiers: prefix+region, prefix, region, then the rest", () => {
    const both = peer("both", "4/10.0.1", "eu");
    const lan = peer("lan", "4/10.0.1", "us");
    const region = peer("region", "4/172.16.0", "eu");
    const chosen = selectOfferTargets([...far, region, lan, both], me, 4, seeded(3));
    expect(chosen.slice(0, 3).map((c) => c.peerId)).toEqual(["both", "lan", "region"]);
    expect(chosen[3]?.peerId).toMatch(/^far/);
  });

  it("falls back to random peers, spreading choices across the swarm", () => {
    const seen = new Set<string>();
    const random = seeded(4);
    for (let i = 0; i < 200; i++) {
      for (const c of selectOfferTargets(far, me, 2, random)) seen.add(c.peerId);
    }
    expect(seen.size).toBe(far.length);
  });

  it("never returns the requester, never the same peer twice, never more than asked", () => {
    const self = peer("me", "4/10.0.1", "eu");
    for (let seed = 0; seed < 50; seed++) {
      const chosen = selectOfferTargets([self, ...far], me, 5, seeded(seed));
      expect(chosen).toHaveLength(5);
      expect(chosen.some((c) => c.peerId === "me")).toBe(false);
      expect(new Set(chosen.map((c) => c.peerId)).size).toBe(5);
    }
    expect(selectOfferTargets([self], me, 5)).toEqual([]);
    expect(selectOfferTargets(far, me, 0)).toEqual([]);
    expect(selectOfferTargets(far.slice(0, 3), me, 10)).toHaveLength(3);
  });
});

describe("selectOfferTargets: spread over prefixes", () => {
  it("gives a prefix holding 900 peer_ids no more offers than a prefix with one viewer", () => {
    const crowd = Array.from({ length: 900 }, (_, i) => peer(`crowd${i}`, "4/6.6.6"));
    const honest = Array.from({ length: 4 }, (_, i) => peer(`honest${i}`, `4/192.168.${i}`));
    for (let seed = 0; seed < 50; seed++) {
      const chosen = selectOfferTargets([...crowd, ...honest], me, 5, seeded(seed));
      expect(chosen).toHaveLength(5);
      expect(chosen.filter((c) => c.peerId.startsWith("crowd"))).toHaveLength(1);
      expect(chosen.filter((c) => c.peerId.startsWith("honest"))).toHaveLength(4);
    }
  });

  it("sends at most half the offers to the requester's own prefix when others exist", () => {
    const lan = Array.from({ length: 30 }, (_, i) => peer(`lan${i}`, "4/10.0.1"));
    const far = Array.from({ length: 20 }, (_, i) => peer(`far${i}`, `4/192.168.${i}`, "us"));
    const chosen = selectOfferTargets([...lan, ...far], me, 6, seeded(7));
    expect(chosen.filter((c) => c.peerId.startsWith("lan"))).toHaveLength(3);
    // An office alone in the swarm still gets every offer.
    expect(selectOfferTargets(lan, me, 6, seeded(8))).toHaveLength(6);
  });
});
