// When a viewer leaves a swarm (rendition switched away from, or idle), and what becomes of the
// uploads peers there had asked of it: they finish (up to SWARM_LEAVE_DRAIN_MS), then the rest is cut.
import { describe, expect, it } from "vitest";
import {
  SWARM_IDLE_MS,
  SWARM_LEAVE_DRAIN_MS,
  SWARM_SWITCH_GRACE_MS,
} from "../../../sdk/src/p2p/constants.js";
import type { Peer } from "../../../sdk/src/p2p/peer.js";
import { Swarm } from "../../../sdk/src/p2p/swarm.js";
import { leaveReason, SwarmMembership } from "../../../sdk/src/p2p/swarm-membership.js";

function fakePeer(id: string): Peer & { closedWith: string | undefined } {
  const peer = {
    id,
    initiator: true,
    closedWith: undefined as string | undefined,
    close(reason: string) {
      peer.closedWith = reason;
    },
  };
  return peer as unknown as Peer & { closedWith: string | undefined };
}

function setup() {
  const swarms = new Map<string, Swarm>();
  const calls: string[] = [];
  const busy = new Set<Peer>();
  const loading = new Set<string>();
  const membership = new SwarmMembership({
    swarms,
    leaveTrackers: (key) => calls.push(`stopped ${key}`),
    joinTrackers: (key) => calls.push(`started ${key}`),
    loading: (key) => loading.has(key),
    uploadsOpen: (peer) => busy.has(peer),
    announceHoldings: (swarm, holding) => calls.push(`${holding ? "holding" : "nothing"} ${swarm.key}`),
    log: () => {},
  });
  const join = (key: string, nowMs: number, track?: string) => {
    const swarm = swarms.get(key) ?? new Swarm(key, "self", 10);
    swarms.set(key, swarm);
    membership.used(swarm, track, nowMs);
    return swarm;
  };
  return { swarms, calls, busy, loading, membership, join };
}

describe("leaveReason", () => {
  it("leaves a rendition switched away from after the grace, a current one only when idle", () => {
    const at = (unusedMs: number, current: boolean, loading = false) =>
      leaveReason({ nowMs: 100_000 + unusedMs, lastUsedMs: 100_000, current, loading });
    expect(at(SWARM_SWITCH_GRACE_MS - 1, false)).toBeUndefined();
    expect(at(SWARM_SWITCH_GRACE_MS, false)).toBe("switched away");
    expect(at(SWARM_SWITCH_GRACE_MS, true)).toBeUndefined();
    expect(at(SWARM_IDLE_MS, true)).toBe("idle");
    expect(at(SWARM_IDLE_MS, false, true)).toBeUndefined();
  });
});

describe("SwarmMembership", () => {
  it("keeps the other track's swarm, and a switched-away swarm's connection until its upload ends", () => {
    const { swarms, calls, busy, membership, join } = setup();
    const r1 = join("s|v1", 0, "s|main");
    join("s|a", 0, "s|audio");
    const uploading = fakePeer("p1");
    const idle = fakePeer("p2");
    r1.add(uploading);
    r1.add(idle);
    busy.add(uploading);
    join("s|v2", 1000, "s|main");
    join("s|a", 1000, "s|audio");

    membership.sweep(SWARM_SWITCH_GRACE_MS - 1);
    expect(calls).toEqual([]);
    membership.sweep(SWARM_SWITCH_GRACE_MS);
    expect(calls).toEqual(["stopped s|v1", "nothing s|v1"]);
    expect(membership.isLeaving("s|v1")).toBe(true);
    expect(uploading.closedWith).toBeUndefined();

    busy.delete(uploading);
    membership.sweep(SWARM_SWITCH_GRACE_MS + 2000);
    expect(uploading.closedWith).toBe("left the swarm");
    expect(idle.closedWith).toBe("left the swarm");
    expect([...swarms.keys()].sort()).toEqual(["s|a", "s|v2"]);
  });

  it("cuts an upload that outlasts the drain, and rejoins a swarm used again while leaving", () => {
    const { swarms, calls, busy, membership, join } = setup();
    const r1 = join("s|v1", 0, "s|main");
    const peer = fakePeer("p1");
    r1.add(peer);
    busy.add(peer);
    join("s|v2", 0, "s|main");
    membership.sweep(SWARM_SWITCH_GRACE_MS);
    membership.sweep(SWARM_SWITCH_GRACE_MS + SWARM_LEAVE_DRAIN_MS - 1);
    expect(peer.closedWith).toBeUndefined();
    membership.sweep(SWARM_SWITCH_GRACE_MS + SWARM_LEAVE_DRAIN_MS);
    expect(peer.closedWith).toBe("left the swarm");
    expect(swarms.has("s|v1")).toBe(false);

    // v2 is being left (v3 took over); the player comes back to v2 before it is gone.
    const v2 = swarms.get("s|v2")!;
    const kept = fakePeer("p2");
    v2.add(kept);
    busy.add(kept);
    join("s|v3", 20_000, "s|main");
    membership.sweep(20_000 + SWARM_SWITCH_GRACE_MS);
    expect(membership.isLeaving("s|v2")).toBe(true);
    calls.length = 0;
    join("s|v2", 20_000 + SWARM_SWITCH_GRACE_MS + 100, "s|main");
    expect(calls).toEqual(["started s|v2", "holding s|v2"]);
    expect(membership.isLeaving("s|v2")).toBe(false);
    membership.sweep(20_000 + SWARM_SWITCH_GRACE_MS + SWARM_LEAVE_DRAIN_MS + 1000);
    expect(kept.closedWith).toBeUndefined();
    expect(swarms.has("s|v2")).toBe(true);
  });

  it("does not leave a swarm while a load of ours in it is in flight", () => {
    const { loading, membership, join, swarms } = setup();
    join("s|v1", 0, "s|main");
    join("s|v2", 0, "s|main");
    loading.add("s|v1");
    membership.sweep(SWARM_SWITCH_GRACE_MS * 2);
    expect(membership.isLeaving("s|v1")).toBe(false);
    loading.delete("s|v1");
    membership.sweep(SWARM_SWITCH_GRACE_MS * 2 + 1);
    expect(swarms.has("s|v1")).toBe(false);
  });
});
