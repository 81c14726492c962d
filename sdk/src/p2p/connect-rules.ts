// How many peers a viewer looks for, and when: pure rules that the PeerConnector (peer-connector.ts)
// and Swarm follow with a real tracker, and the simulator (bench/sim) with a modelled one. Random
// draws are arguments, so a simulation with a seeded generator stays reproducible.
import {
  MAX_OFFERS_PER_ANNOUNCE,
  RETRY_AFTER_FAILURE_MS,
  UNDERFULL_ANNOUNCE_INTERVAL_MS,
} from "./constants.js";

/**
 * How many new connections an offer of ours could still make: the peers wanted, but once a tracker
 * has counted the swarm (`othersReported`: its complete + incomplete minus us), no more than the
 * viewers in it we are not connected to yet. Every offer is an RTCPeerConnection gathering ICE and
 * kept up to 50 s; in a small swarm where we already know everyone, offers only reach peers we are
 * connected to. New viewers still reach us: they offer to us.
 */
export function offersWanted(
  wantedPeers: number,
  othersReported: number | undefined,
  connected: number,
): number {
  if (othersReported === undefined) return wantedPeers;
  return Math.min(wantedPeers, Math.max(0, othersReported - connected));
}

/** Offers an announce carries: what is wanted, at most {@link MAX_OFFERS_PER_ANNOUNCE}, minus those still pending. */
export function offersToMake(wanted: number, pendingOffers: number): number {
  return Math.max(0, Math.min(wanted, MAX_OFFERS_PER_ANNOUNCE) - pendingOffers);
}

/** Whether to answer an offer relayed to us: we still want a peer beyond those being connected. */
export function answersOffer(wantedPeers: number, connecting: number): boolean {
  return wantedPeers > connecting;
}

/**
 * Time to the next announce, ms: the tracker's interval, or {@link UNDERFULL_ANNOUNCE_INTERVAL_MS}
 * while the swarm wants peers (if shorter), ± 10 % (`random` in [0, 1)) so that viewers that joined
 * together do not announce together.
 */
export function announceDelayMs(underfull: boolean, trackerIntervalMs: number, random: number): number {
  const delay = underfull ? Math.min(UNDERFULL_ANNOUNCE_INTERVAL_MS, trackerIntervalMs) : trackerIntervalMs;
  return delay * (0.9 + random * 0.2);
}

/**
 * After a failed connection attempt: announce again soon (0.5–1.5 × {@link RETRY_AFTER_FAILURE_MS},
 * by `random` in [0, 1)) rather than at the next interval, but at most once per
 * RETRY_AFTER_FAILURE_MS (`lastRetryMs`: when the last retry was scheduled). Undefined: no retry now.
 */
export function retryDelayMs(lastRetryMs: number, nowMs: number, random: () => number): number | undefined {
  if (nowMs - lastRetryMs < RETRY_AFTER_FAILURE_MS) return undefined;
  return RETRY_AFTER_FAILURE_MS * (0.5 + random());
}
