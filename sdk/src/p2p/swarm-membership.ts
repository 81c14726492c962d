import type { Logger } from "../core/logger.js";
import { SWARM_IDLE_MS, SWARM_LEAVE_DRAIN_MS, SWARM_SWITCH_GRACE_MS } from "./constants.js";
import type { Peer } from "./peer.js";
import type { Swarm } from "./swarm.js";

/** Why a swarm is left: the player switched to another rendition of its track, or used none for long. */
export type LeaveReason = "switched away" | "idle";

/**
 * Whether to leave a swarm now. `current`: the swarm is its track's latest used (or has no track);
 * `loading`: a load of ours in it is in flight (a slow fetch outlasting the grace keeps its swarm).
 */
export function leaveReason(input: {
  nowMs: number;
  lastUsedMs: number;
  current: boolean;
  loading: boolean;
}): LeaveReason | undefined {
  if (input.loading) return undefined;
  const unusedMs = input.nowMs - input.lastUsedMs;
  if (!input.current && unusedMs >= SWARM_SWITCH_GRACE_MS) return "switched away";
  if (unusedMs >= SWARM_IDLE_MS) return "idle";
  return undefined;
}

export interface SwarmMembershipDeps {
  swarms: Map<string, Swarm>;
  /** Announce `stopped` for the swarm to every tracker and drop its pending offers. */
  leaveTrackers(swarmKey: string): void;
  /** Announce the swarm again (`started`). */
  joinTrackers(swarmKey: string): void;
  /** A load of ours in this swarm is in flight. */
  loading(swarmKey: string): boolean;
  /** The peer has requests of ours to serve still open (queued or being sent). */
  uploadsOpen(peer: Peer): boolean;
  /** Tell the swarm's peers what we hold: everything (`true`, rejoined) or nothing (`false`, leaving). */
  announceHoldings(swarm: Swarm, holding: boolean): void;
  log: Logger;
}

/**
 * Keeps this viewer in the swarms of the renditions its player plays, and only those: a track (one
 * stream's video, or its alternate audio) plays one rendition at a time, so when the player moves to
 * another rendition of the track, the old one's swarm is left after SWARM_SWITCH_GRACE_MS — `stopped`
 * on the trackers at once (WebTorrent's announce event: the tracker drops us from the swarm, and its
 * counts stop listing us), the connections once the uploads peers already asked of us are sent (at
 * most SWARM_LEAVE_DRAIN_MS). Meanwhile our availability there is withdrawn, so no new request comes.
 * A swarm used again while being left is rejoined with the connections it still has.
 */
export class SwarmMembership {
  /** The swarm key each track used last. */
  private readonly currentByTrack = new Map<string, string>();

  constructor(private readonly deps: SwarmMembershipDeps) {}

  /** The player used (or is about to use) this swarm, for `track` when it names one. */
  used(swarm: Swarm, track: string | undefined, nowMs = Date.now()): void {
    swarm.lastUsedMs = nowMs;
    if (track !== undefined) {
      swarm.track = track;
      this.currentByTrack.set(track, swarm.key);
    }
    if (swarm.leavingSinceMs === undefined) return;
    swarm.leavingSinceMs = undefined;
    this.deps.log("rejoined swarm %s", swarm.key);
    this.deps.joinTrackers(swarm.key);
    this.deps.announceHoldings(swarm, true);
  }

  /** Whether the swarm is being left (no new connections, no new requests to serve). */
  isLeaving(swarmKey: string): boolean {
    return this.deps.swarms.get(swarmKey)?.leavingSinceMs !== undefined;
  }

  /** Start leaving swarms the player no longer uses; finish leaving those whose uploads ended. */
  sweep(nowMs = Date.now()): void {
    for (const [key, swarm] of this.deps.swarms) {
      if (swarm.leavingSinceMs !== undefined) {
        this.finishLeaving(swarm, nowMs);
        continue;
      }
      const current = swarm.track === undefined || this.currentByTrack.get(swarm.track) === key;
      const reason = leaveReason({
        nowMs,
        lastUsedMs: swarm.lastUsedMs,
        current,
        loading: this.deps.loading(key),
      });
      if (reason === undefined) continue;
      this.deps.log("leaving swarm %s (%s)", key, reason);
      swarm.leavingSinceMs = nowMs;
      if (current && swarm.track !== undefined) this.currentByTrack.delete(swarm.track);
      this.deps.leaveTrackers(key);
      this.deps.announceHoldings(swarm, false);
      this.finishLeaving(swarm, nowMs);
    }
  }

  private finishLeaving(swarm: Swarm, nowMs: number): void {
    const draining = [...swarm.peers.values()].some((peer) => this.deps.uploadsOpen(peer));
    if (draining && nowMs - swarm.leavingSinceMs! < SWARM_LEAVE_DRAIN_MS) return;
    swarm.closeAll("left the swarm");
    this.deps.swarms.delete(swarm.key);
  }
}
