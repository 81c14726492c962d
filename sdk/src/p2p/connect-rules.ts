// How many peers a viewer looks for, and when: pure rules that the PeerConnector (peer-connector.ts)
// and Swarm follow with a real tracker, and the simulator (bench/sim) with a modelled one. Random
// draws are arguments, so a simulation with a seeded generator stays reproducible.
import { isLargeSwarm } from "../core/policy/mesh-rules.js";
import {
  ANSWER_HEADROOM_PEERS,
  CONNECT_TIMEOUT_MS,
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

/**
 * How many offers a retry after a failed connection attempt makes: one for every viewer the tracker
 * counted (`othersReported`), not only for those we lack, while we lack any. The tracker, not we,
 * picks who receives each offer, one offer per viewer: with fewer offers than viewers the peer we
 * failed to reach may get none — its offer goes to a viewer we are connected to, which ignores it —
 * and, in a small swarm, stay out of reach until the next interval. Bounded by `wantedPeers` and, per
 * announce, by {@link MAX_OFFERS_PER_ANNOUNCE}.
 */
export function retryOffersWanted(
  wantedPeers: number,
  othersReported: number | undefined,
  connected: number,
): number {
  if (othersReported === undefined) return wantedPeers;
  return othersReported > connected ? Math.min(wantedPeers, othersReported) : 0;
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
 * The most connections a swarm keeps (`maxPeers`, the config's; `othersReported`, the tracker's count
 * of the other viewers): `maxPeers`, and in a large swarm (mesh-rules.ts `isLargeSwarm`: more than
 * 100 viewers) {@link ANSWER_HEADROOM_PEERS} more, taken only by answering offers — our own offers
 * still stop at `maxPeers` ({@link offersWanted}). Only a viewer that lacks peers offers, and the
 * tracker hands each offer to a random member: in a large swarm that member is nearly always full
 * and ignored the offer, so a viewer that lost peers or joined late kept one or two for minutes, and
 * the new segments none of them held in time came from the CDN (BENCHMARKS.md, "Toward the limit").
 * With the headroom a full
 * viewer answers, and the mesh's degree stays within `maxPeers` + the headroom. In a small swarm
 * every viewer is offered to within a few announces: no headroom, as before. `maxPeers` 0 (no
 * peers wanted) stays 0.
 */
export function peerLimit(maxPeers: number, othersReported: number | undefined): number {
  return maxPeers > 0 && isLargeSwarm(othersReported) ? maxPeers + ANSWER_HEADROOM_PEERS : maxPeers;
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
 * RETRY_AFTER_FAILURE_MS (`lastRetryMs`: when the last retry was scheduled). Undefined: no retry now
 * (the PeerConnector then retries when that window closes: {@link deferredRetryDelayMs}).
 */
export function retryDelayMs(lastRetryMs: number, nowMs: number, random: () => number): number | undefined {
  if (nowMs - lastRetryMs < RETRY_AFTER_FAILURE_MS) return undefined;
  return RETRY_AFTER_FAILURE_MS * (0.5 + random());
}

/**
 * A failure inside the RETRY_AFTER_FAILURE_MS window of the last retry (when {@link retryDelayMs}
 * says "not now") is retried once the window closes, not dropped: the last retry's own attempt can
 * fail at once (node-datachannel refusing an answer under load), and a dropped failure left the peer
 * out of reach until the next announce with room for offers — up to OFFER_TIMEOUT_MS (issue 20).
 */
export function deferredRetryDelayMs(lastRetryMs: number, nowMs: number, random: () => number): number {
  return Math.max(0, lastRetryMs + RETRY_AFTER_FAILURE_MS - nowMs) + RETRY_AFTER_FAILURE_MS * 0.5 * random();
}

/**
 * Offers made before this time (`Date.now()` based) no longer hold back new ones: an offer that
 * reached a viewer is answered within that viewer's CONNECT_TIMEOUT_MS (its answer is made under
 * that deadline) plus a tracker round trip; one still pending after that reached nobody (a tracker
 * delivers one offer per other viewer: the rest of a larger batch goes nowhere) or a viewer that
 * will not answer (already connected to us, full, gone). It stays open for a late answer until
 * OFFER_TIMEOUT_MS, but counted as pending it kept a viewer from offering again for that long.
 */
export function pendingOffersSinceMs(nowMs: number): number {
  return nowMs - CONNECT_TIMEOUT_MS;
}
