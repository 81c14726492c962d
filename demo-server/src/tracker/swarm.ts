import type { BinaryId } from "../net/binary-id.js";
import type { AnnounceEvent } from "./protocol.js";

/** One (swarm, peer_id) membership. `O` is whatever owns it — a socket in production. */
export interface PeerEntry<O> {
  readonly peerId: BinaryId;
  owner: O;
  complete: boolean;
  ipPrefix: string | undefined;
  region: string | undefined;
  lastSeenMs: number;
}

export class Swarm<O> {
  readonly peers = new Map<BinaryId, PeerEntry<O>>();
  /** Members per network prefix (`""` for an unknown one): who holds the most when it is full. */
  readonly prefixCounts = new Map<string, number>();
  complete = 0;
  /** Lower bound of completed downloads (count of `completed` events), as in bittorrent-tracker. */
  downloaded = 0;

  constructor(readonly infoHash: BinaryId) {}

  get incomplete(): number {
    return this.peers.size - this.complete;
  }
}

export interface SwarmLimits {
  maxSwarms: number;
  maxPeersPerSwarm: number;
  maxSwarmsPerConnection: number;
  peerTimeoutMs: number;
}

export interface AnnounceInput {
  infoHash: BinaryId;
  peerId: BinaryId;
  event: AnnounceEvent;
  /** Seeder: `left === 0` or a `completed` event. */
  complete: boolean;
  ipPrefix: string | undefined;
  region: string | undefined;
}

export type AnnounceOutcome<O> =
  | {
      ok: true;
      swarm: Swarm<O> | undefined;
      peer: PeerEntry<O> | undefined;
      /** A member of the most crowded prefix that made room in a full swarm (see `announce`). */
      evicted?: PeerEntry<O>;
    }
  | {
      ok: false;
      reason:
        "swarm_limit" | "swarm_full" | "connection_swarm_limit" | "stopped_not_owner" | "second_peer_id";
    };

interface Membership {
  infoHash: BinaryId;
  peerId: BinaryId;
}

/**
 * Swarm membership with TTLs: the tracker's only state. Pure (no timers, no sockets); the caller
 * supplies the clock and calls `sweep()` periodically. Every table is bounded by `SwarmLimits`.
 */
export class SwarmRegistry<O> {
  private readonly swarms = new Map<BinaryId, Swarm<O>>();
  /** owner → its memberships, keyed by infoHash+peerId (both fixed-length, so unambiguous). */
  private readonly byOwner = new Map<O, Map<string, Membership>>();
  private peerTotal = 0;

  constructor(
    private readonly limits: SwarmLimits,
    private readonly now: () => number = Date.now,
    /** Called for every membership that ends (stopped, socket closed, expired), not for `clear()`. */
    private readonly onLeave: (infoHash: BinaryId, peerId: BinaryId) => void = () => undefined,
  ) {}

  get swarmCount(): number {
    return this.swarms.size;
  }

  get peerCount(): number {
    return this.peerTotal;
  }

  getSwarm(infoHash: BinaryId): Swarm<O> | undefined {
    return this.swarms.get(infoHash);
  }

  allSwarms(): IterableIterator<Swarm<O>> {
    return this.swarms.values();
  }

  membershipCount(owner: O): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }

  /**
   * Applies an announce. A `peer_id` already in the swarm under another owner moves to this one:
   * the newest socket wins, so a client that reconnects is reachable before its old socket dies.
   *
   * One owner holds at most one peer_id per swarm (a viewer needs no more; a second one is refused as
   * `second_peer_id`), so an address's share of a swarm is bounded by its sockets. A full swarm still
   * admits a newcomer from a prefix holding fewer members than the most crowded prefix: the least
   * recently seen member of that prefix makes room (`evicted`). Viewers behind one NAT are never
   * refused for being many; they yield places only once the swarm is full and others wait.
   */
  announce(owner: O, input: AnnounceInput): AnnounceOutcome<O> {
    const existing = this.swarms.get(input.infoHash);
    if (input.event === "stopped") {
      // Only the socket that owns a membership may end it: a stranger knowing a peer_id must not.
      const member = existing?.peers.get(input.peerId);
      if (member !== undefined && member.owner !== owner) return { ok: false, reason: "stopped_not_owner" };
      this.leave(owner, input.infoHash, input.peerId);
      return { ok: true, swarm: this.swarms.get(input.infoHash), peer: undefined };
    }
    const peer = existing?.peers.get(input.peerId);
    const key = input.infoHash + input.peerId;
    const ownsAlready = peer !== undefined && peer.owner === owner;
    if (!ownsAlready && this.ownedPeerIn(owner, input.infoHash) !== undefined) {
      return { ok: false, reason: "second_peer_id" };
    }
    if (!ownsAlready && this.membershipCount(owner) >= this.limits.maxSwarmsPerConnection) {
      return { ok: false, reason: "connection_swarm_limit" };
    }
    if (existing === undefined && this.swarms.size >= this.limits.maxSwarms) {
      return { ok: false, reason: "swarm_limit" };
    }
    let evicted: PeerEntry<O> | undefined;
    if (peer === undefined && existing !== undefined && existing.peers.size >= this.limits.maxPeersPerSwarm) {
      evicted = this.fairEvictionCandidate(existing, input.ipPrefix);
      if (evicted === undefined) return { ok: false, reason: "swarm_full" };
      this.removePeer(existing, evicted);
    }
    const swarm = existing ?? this.createSwarm(input.infoHash);
    const now = this.now();
    if (peer === undefined) {
      const entry: PeerEntry<O> = {
        peerId: input.peerId,
        owner,
        complete: input.complete,
        ipPrefix: input.ipPrefix,
        region: input.region,
        lastSeenMs: now,
      };
      swarm.peers.set(input.peerId, entry);
      countPrefix(swarm, entry.ipPrefix, 1);
      this.peerTotal++;
      if (entry.complete) swarm.complete++;
      if (input.event === "completed") swarm.downloaded++;
      this.index(owner).set(key, { infoHash: input.infoHash, peerId: input.peerId });
      return { ok: true, swarm, peer: entry, ...(evicted === undefined ? {} : { evicted }) };
    }
    if (!ownsAlready) {
      this.byOwner.get(peer.owner)?.delete(key);
      this.dropEmptyIndex(peer.owner);
      peer.owner = owner;
      this.index(owner).set(key, { infoHash: input.infoHash, peerId: input.peerId });
    }
    if (input.complete && !peer.complete) {
      peer.complete = true;
      swarm.complete++;
      if (input.event === "completed") swarm.downloaded++;
    }
    if (peer.ipPrefix !== input.ipPrefix) {
      countPrefix(swarm, peer.ipPrefix, -1);
      countPrefix(swarm, input.ipPrefix, 1);
      peer.ipPrefix = input.ipPrefix;
    }
    peer.region = input.region;
    peer.lastSeenMs = now;
    return { ok: true, swarm, peer };
  }

  /** Marks a member as alive (an answer counts as activity). */
  touch(peer: PeerEntry<O>): void {
    peer.lastSeenMs = this.now();
  }

  /** Removes one membership if `owner` holds it; deletes the swarm when it empties. */
  leave(owner: O, infoHash: BinaryId, peerId: BinaryId): boolean {
    const swarm = this.swarms.get(infoHash);
    const peer = swarm?.peers.get(peerId);
    if (swarm === undefined || peer === undefined || peer.owner !== owner) return false;
    this.removePeer(swarm, peer);
    return true;
  }

  /** Removes every membership of an owner (its socket closed). Returns how many were removed. */
  removeOwner(owner: O): number {
    const memberships = this.byOwner.get(owner);
    if (memberships === undefined) return 0;
    let removed = 0;
    for (const { infoHash, peerId } of [...memberships.values()]) {
      if (this.leave(owner, infoHash, peerId)) removed++;
    }
    this.byOwner.delete(owner);
    return removed;
  }

  /** Forgets peers silent for longer than the timeout. Returns the number expired. */
  sweep(): number {
    const deadline = this.now() - this.limits.peerTimeoutMs;
    let expired = 0;
    for (const swarm of [...this.swarms.values()]) {
      for (const peer of [...swarm.peers.values()]) {
        if (peer.lastSeenMs < deadline) {
          this.removePeer(swarm, peer);
          expired++;
        }
      }
    }
    return expired;
  }

  clear(): void {
    this.swarms.clear();
    this.byOwner.clear();
    this.peerTotal = 0;
  }

  /** The peer_id `owner` holds in swarm `infoHash`, if any. */
  private ownedPeerIn(owner: O, infoHash: BinaryId): BinaryId | undefined {
    for (const membership of this.byOwner.get(owner)?.values() ?? []) {
      if (membership.infoHash === infoHash) return membership.peerId;
    }
    return undefined;
  }

  /**
   * Who makes room in a full swarm for a newcomer from `prefix`: the least recently seen member of
   * the prefix holding the most members, if that prefix holds more than the newcomer's would with
   * the newcomer (so prefixes even out instead of trading places). O(swarm) — only when full.
   */
  private fairEvictionCandidate(swarm: Swarm<O>, prefix: string | undefined): PeerEntry<O> | undefined {
    let crowded: string | undefined;
    let most = 0;
    for (const [key, count] of swarm.prefixCounts) {
      if (count > most) [crowded, most] = [key, count];
    }
    if (crowded === undefined || most <= (swarm.prefixCounts.get(prefix ?? "") ?? 0) + 1) return undefined;
    let victim: PeerEntry<O> | undefined;
    for (const peer of swarm.peers.values()) {
      if ((peer.ipPrefix ?? "") === crowded && (victim === undefined || peer.lastSeenMs < victim.lastSeenMs))
        victim = peer;
    }
    return victim;
  }

  private createSwarm(infoHash: BinaryId): Swarm<O> {
    const swarm = new Swarm<O>(infoHash);
    this.swarms.set(infoHash, swarm);
    return swarm;
  }

  private removePeer(swarm: Swarm<O>, peer: PeerEntry<O>): void {
    swarm.peers.delete(peer.peerId);
    countPrefix(swarm, peer.ipPrefix, -1);
    this.peerTotal--;
    if (peer.complete) swarm.complete--;
    this.byOwner.get(peer.owner)?.delete(swarm.infoHash + peer.peerId);
    this.dropEmptyIndex(peer.owner);
    if (swarm.peers.size === 0) this.swarms.delete(swarm.infoHash);
    this.onLeave(swarm.infoHash, peer.peerId);
  }

  private index(owner: O): Map<string, Membership> {
    let memberships = this.byOwner.get(owner);
    if (memberships === undefined) {
      memberships = new Map();
      this.byOwner.set(owner, memberships);
    }
    return memberships;
  }

  private dropEmptyIndex(owner: O): void {
    if (this.byOwner.get(owner)?.size === 0) this.byOwner.delete(owner);
  }
}

function countPrefix(swarm: Swarm<unknown>, prefix: string | undefined, delta: number): void {
  const key = prefix ?? "";
  const count = (swarm.prefixCounts.get(key) ?? 0) + delta;
  if (count > 0) swarm.prefixCounts.set(key, count);
  else swarm.prefixCounts.delete(key);
}
