import { binaryIdToHex } from "../net/binary-id.js";
import {
  TRACKER_CONNECTION_REFUSALS,
  TRACKER_DISCONNECT_REASONS,
  TRACKER_MESSAGE_REFUSALS,
  zeroCounts,
} from "../net/refusal-reasons.js";
import type {
  TrackerConnectionRefusal,
  TrackerDisconnectReason,
  TrackerMessageRefusal,
} from "../net/refusal-reasons.js";
import type { FederationStats } from "./federation.js";
import type { Swarm } from "./swarm.js";

export interface SwarmPeerCount {
  /** 40 hex chars. */
  infoHash: string;
  peers: number;
  complete: number;
  incomplete: number;
}

/** A snapshot; every field is JSON-serialisable and every collection is bounded. */
export interface TrackerStats {
  /** Current gauges. */
  swarms: number;
  peers: number;
  connections: number;
  /** Cumulative counters since the tracker started. */
  announces: number;
  offersRelayed: number;
  answersRelayed: number;
  scrapes: number;
  /** Messages answered with a `failure reason` (or dropped as undecodable), by reason. */
  rejected: Record<TrackerMessageRefusal, number>;
  rejectedTotal: number;
  /** Messages dropped unread by the per-socket rate limit. */
  dropped: number;
  /** Peers forgotten because they stopped announcing. */
  expiredPeers: number;
  /**
   * Members of a full swarm's most crowded network prefix that made room for a newcomer from a less
   * crowded one (see `SwarmRegistry.announce`).
   */
  fairnessEvictions: number;
  connectionsAccepted: number;
  /** Upgrades that carried `X-Forwarded-For` while `trustProxy` is off (the header was ignored). */
  forwardedForIgnored: number;
  connectionsRejected: Record<TrackerConnectionRefusal, number>;
  disconnects: Record<TrackerDisconnectReason, number>;
  /** Largest swarms first, at most `topSwarmsInStats` entries (this instance's members only). */
  topSwarms: SwarmPeerCount[];
  /** Sharing with other instances through Redis; null for a single process. */
  federation: FederationStats | null;
}

/** Mutable counters behind `stats()`. */
export class TrackerCounters {
  announces = 0;
  offersRelayed = 0;
  answersRelayed = 0;
  scrapes = 0;
  dropped = 0;
  expiredPeers = 0;
  fairnessEvictions = 0;
  connectionsAccepted = 0;
  forwardedForIgnored = 0;
  readonly rejected = zeroCounts(TRACKER_MESSAGE_REFUSALS);
  readonly connectionsRejected = zeroCounts(TRACKER_CONNECTION_REFUSALS);
  readonly disconnects = zeroCounts(TRACKER_DISCONNECT_REASONS);

  snapshot(state: {
    swarms: Iterable<Swarm<unknown>>;
    swarmCount: number;
    peerCount: number;
    connections: number;
    topSwarms: number;
    federation: FederationStats | null;
  }): TrackerStats {
    return {
      swarms: state.swarmCount,
      peers: state.peerCount,
      connections: state.connections,
      announces: this.announces,
      offersRelayed: this.offersRelayed,
      answersRelayed: this.answersRelayed,
      scrapes: this.scrapes,
      rejected: { ...this.rejected },
      rejectedTotal: Object.values<number>(this.rejected).reduce((a, b) => a + b, 0),
      dropped: this.dropped,
      expiredPeers: this.expiredPeers,
      fairnessEvictions: this.fairnessEvictions,
      connectionsAccepted: this.connectionsAccepted,
      forwardedForIgnored: this.forwardedForIgnored,
      connectionsRejected: { ...this.connectionsRejected },
      disconnects: { ...this.disconnects },
      topSwarms: largestSwarms(state.swarms, state.topSwarms),
      federation: state.federation,
    };
  }
}

function largestSwarms(swarms: Iterable<Swarm<unknown>>, limit: number): SwarmPeerCount[] {
  return [...swarms]
    .sort((a, b) => b.peers.size - a.peers.size)
    .slice(0, limit)
    .map((swarm) => ({
      infoHash: binaryIdToHex(swarm.infoHash),
      peers: swarm.peers.size,
      complete: swarm.complete,
      incomplete: swarm.incomplete,
    }));
}

/** Body for a stats endpoint such as `/api/tracker/stats` (framework-free). */
export function trackerStatsJson(tracker: { stats(): TrackerStats }): string {
  return JSON.stringify(tracker.stats());
}
