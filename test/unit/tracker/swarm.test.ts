import { describe, expect, it } from "vitest";
import { SwarmRegistry } from "../../../demo-server/src/tracker/swarm.js";
import type { AnnounceInput } from "../../../demo-server/src/tracker/swarm.js";

const id = (n: number): string => n.toString().padStart(20, "0");
const limits = { maxSwarms: 3, maxPeersPerSwarm: 2, maxSwarmsPerConnection: 2, peerTimeoutMs: 1_000 };

function setup() {
  let now = 0;
  const clock = { advance: (ms: number) => (now += ms) };
  const registry = new SwarmRegistry<string>(limits, () => now);
  const announce = (owner: string, info: number, peer: number, extra: Partial<AnnounceInput> = {}) =>
    registry.announce(owner, {
      infoHash: id(info),
      peerId: id(peer),
      event: "update",
      complete: false,
      ipPrefix: undefined,
      region: undefined,
      ...extra,
    });
  return { registry, announce, clock };
}

describe("SwarmRegistry membership", () => {
  it("groups peers by info_hash and counts complete/incomplete", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1, { event: "started" });
    announce("b", 1, 2, { complete: true, event: "completed" });
    announce("c", 2, 3);
    expect(registry.swarmCount).toBe(2);
    expect(registry.peerCount).toBe(3);
    const swarm = registry.getSwarm(id(1));
    expect(swarm?.complete).toBe(1);
    expect(swarm?.incomplete).toBe(1);
    expect(swarm?.downloaded).toBe(1);
  });

  it("re-announcing refreshes rather than duplicates; completing moves a peer to complete", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1);
    announce("a", 1, 1);
    expect(registry.peerCount).toBe(1);
    announce("a", 1, 1, { complete: true, event: "completed" });
    announce("a", 1, 1, { complete: true, event: "completed" });
    const swarm = registry.getSwarm(id(1));
    expect([swarm?.complete, swarm?.incomplete, swarm?.downloaded]).toEqual([1, 0, 1]);
  });

  it("stopped removes the peer and deletes the emptied swarm", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1);
    const outcome = announce("a", 1, 1, { event: "stopped" });
    expect(outcome).toEqual({ ok: true, swarm: undefined, peer: undefined });
    expect(registry.swarmCount).toBe(0);
    expect(registry.peerCount).toBe(0);
    expect(registry.membershipCount("a")).toBe(0);
  });

  it("stopped for an unknown peer creates nothing", () => {
    const { registry, announce } = setup();
    expect(announce("a", 9, 9, { event: "stopped" }).ok).toBe(true);
    expect(registry.swarmCount).toBe(0);
  });

  it("only the owner can remove a membership", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1);
    announce("b", 1, 1, { event: "stopped" });
    expect(registry.peerCount).toBe(1);
  });

  it("removeOwner removes the owner's peers from every swarm", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1);
    announce("a", 2, 1);
    announce("b", 2, 2);
    expect(registry.removeOwner("a")).toBe(2);
    expect(registry.swarmCount).toBe(1);
    expect(registry.peerCount).toBe(1);
    expect(registry.removeOwner("a")).toBe(0);
  });

  it("a peer_id announced from a new owner moves to it (newest socket wins)", () => {
    const { registry, announce } = setup();
    announce("old", 1, 1);
    announce("new", 1, 1);
    expect(registry.getSwarm(id(1))?.peers.get(id(1))?.owner).toBe("new");
    expect(registry.membershipCount("old")).toBe(0);
    expect(registry.removeOwner("old")).toBe(0);
    expect(registry.peerCount).toBe(1);
  });
});

describe("SwarmRegistry TTL", () => {
  it("expires peers silent for longer than the timeout, with an injected clock", () => {
    const { registry, announce, clock } = setup();
    announce("a", 1, 1);
    clock.advance(600);
    announce("b", 1, 2);
    clock.advance(600); // peer 1 silent 1200 ms, peer 2 600 ms
    expect(registry.sweep()).toBe(1);
    expect([...(registry.getSwarm(id(1))?.peers.keys() ?? [])]).toEqual([id(2)]);
    expect(registry.membershipCount("a")).toBe(0);
    clock.advance(1_000);
    expect(registry.sweep()).toBe(1);
    expect(registry.swarmCount).toBe(0);
  });

  it("re-announcing and touch() keep a peer alive", () => {
    const { registry, announce, clock } = setup();
    const outcome = announce("a", 1, 1);
    clock.advance(900);
    announce("a", 1, 1);
    clock.advance(900);
    if (outcome.ok && outcome.peer) registry.touch(outcome.peer);
    clock.advance(900);
    expect(registry.sweep()).toBe(0);
    clock.advance(101);
    expect(registry.sweep()).toBe(1);
  });
});

describe("SwarmRegistry bounds", () => {
  it("refuses new swarms beyond maxSwarms, but still admits peers to existing ones", () => {
    const { registry, announce } = setup();
    for (let i = 0; i < 3; i++) expect(announce(`o${i}`, i, 1).ok).toBe(true);
    expect(announce("x", 99, 1)).toEqual({ ok: false, reason: "swarm_limit" });
    expect(announce("x", 0, 2).ok).toBe(true);
    expect(registry.swarmCount).toBe(3);
  });

  it("refuses peers beyond maxPeersPerSwarm; known peers may re-announce", () => {
    const { announce } = setup();
    announce("a", 1, 1);
    announce("b", 1, 2);
    expect(announce("c", 1, 3)).toEqual({ ok: false, reason: "swarm_full" });
    expect(announce("a", 1, 1).ok).toBe(true);
  });

  it("refuses memberships beyond maxSwarmsPerConnection", () => {
    const { registry, announce } = setup();
    announce("a", 1, 1);
    announce("a", 2, 1);
    expect(announce("a", 3, 1)).toEqual({ ok: false, reason: "connection_swarm_limit" });
    expect(announce("a", 1, 1).ok).toBe(true);
    expect(registry.membershipCount("a")).toBe(2);
  });

  it("stays within maxSwarms under 10,000 random info_hashes", () => {
    const registry = new SwarmRegistry<number>(
      { ...limits, maxSwarms: 100, maxSwarmsPerConnection: 1 },
      () => 0,
    );
    for (let i = 0; i < 10_000; i++) {
      registry.announce(i, {
        infoHash: id(i),
        peerId: id(i),
        event: "started",
        complete: false,
        ipPrefix: undefined,
        region: undefined,
      });
    }
    expect(registry.swarmCount).toBe(100);
    expect(registry.peerCount).toBe(100);
  });
});

describe("SwarmRegistry: no one party crowds a swarm", () => {
  it("holds one peer_id per owner per swarm", () => {
    const { registry, announce } = setup();
    expect(announce("a", 1, 1).ok).toBe(true);
    expect(announce("a", 1, 2)).toEqual({ ok: false, reason: "second_peer_id" });
    expect(registry.getSwarm(id(1))?.peers.size).toBe(1);
    // Another swarm is fine, and after a stop the owner may announce a new peer_id.
    expect(announce("a", 2, 2).ok).toBe(true);
    announce("a", 1, 1, { event: "stopped" });
    expect(announce("a", 1, 3).ok).toBe(true);
  });

  it("admits any number of owners of one prefix while there is room", () => {
    const registry = new SwarmRegistry<string>({ ...limits, maxPeersPerSwarm: 100 }, () => 0);
    const office = { event: "started" as const, complete: false, ipPrefix: "4/10.1.2", region: undefined };
    for (let i = 0; i < 60; i++) {
      expect(registry.announce(`v${i}`, { ...office, infoHash: id(1), peerId: id(100 + i) }).ok).toBe(true);
    }
    expect(registry.getSwarm(id(1))?.prefixCounts.get("4/10.1.2")).toBe(60);
  });

  it("lets a newcomer into a full swarm in place of the crowded prefix's stalest member", () => {
    let now = 0;
    const registry = new SwarmRegistry<string>({ ...limits, maxPeersPerSwarm: 4 }, () => now);
    const join = (owner: string, peer: number, ipPrefix: string) =>
      registry.announce(owner, {
        infoHash: id(1),
        peerId: id(peer),
        event: "started",
        complete: false,
        ipPrefix,
        region: undefined,
      });
    for (let i = 0; i < 4; i++) {
      now = i;
      join(`crowd${i}`, 10 + i, "4/6.6.6");
    }
    now = 10;
    const honest = join("honest", 1, "4/10.0.1");
    expect(honest.ok).toBe(true);
    if (!honest.ok) return;
    expect(honest.evicted?.peerId).toBe(id(10)); // the least recently seen of the crowded prefix
    const swarm = registry.getSwarm(id(1));
    expect(swarm?.peers.size).toBe(4);
    expect(swarm?.prefixCounts.get("4/6.6.6")).toBe(3);
    // Prefixes even out rather than trade places: at 3 against 1, a second honest prefix still gets in…
    expect(join("honest2", 2, "4/10.0.2").ok).toBe(true);
    // …and at 2-1-1 a third crowd member is refused: its own prefix is the most crowded.
    expect(join("crowd9", 19, "4/6.6.6")).toEqual({ ok: false, reason: "swarm_full" });
  });
});
