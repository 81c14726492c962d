/**
 * Rules of how news of a segment crosses a large swarm's mesh. Pure functions of their inputs.
 */
import {
  FIRST_FETCHER_ELECTION_MIN_SWARM,
  FIRST_FETCHER_SHARE,
  FIRST_FETCHERS_PER_SWARM,
} from "./constants.js";

/**
 * Whether the swarm counts as large: more viewers (the tracker's count of the others, plus us) than
 * {@link FIRST_FETCHER_ELECTION_MIN_SWARM}; undefined (no count from the tracker) is not large.
 */
export function isLargeSwarm(othersReported: number | undefined): boolean {
  return othersReported !== undefined && othersReported + 1 > FIRST_FETCHER_ELECTION_MIN_SWARM;
}

/**
 * Whether a viewer announces `fetching` as a peer download of a segment starts, not only before an
 * HTTP fetch (the gossip rule). In a small swarm, yes: a neighbour that hears of it early may ask us,
 * and waits at most one transfer. In a large one, no: bytes from peers are held until the trust
 * ladder vouched for the whole segment (SegmentAssembly's `holdUnverifiedP2p`), so a neighbour that
 * asks us gets its first byte only once our copy is complete and verified — one transfer and a round
 * trip behind ours, per relay — and a segment crosses several relays there: the neighbours of relays
 * queued past their budget and fell back to the CDN (bench:sim live-1000, BENCHMARKS.md "Toward the
 * limit"). They learn of our copy when it is complete, as a holder. An HTTP fetch streams on as its
 * bytes arrive and is always announced. `variant` (the simulator's earlier rules) overrides: true
 * everywhere, false nowhere.
 */
export function announcesPeerDownload(largeSwarm: boolean, variant: boolean | undefined): boolean {
  return variant ?? !largeSwarm;
}

/**
 * Viewers elected, in expectation, to fetch a new live segment first in a swarm of `swarmSize`
 * viewers (waits.ts `firstFetchRole`): {@link FIRST_FETCHER_SHARE} of the swarm, at least
 * {@link FIRST_FETCHERS_PER_SWARM}. A segment reaches each viewer through relays that pass it on only
 * once they hold it whole and verified, so each elected fetcher covers a bounded neighbourhood within
 * the window the buffers leave, whatever the swarm's size: the elected must grow with it.
 * `variant` (the simulator's comparisons) replaces the count; Infinity: everyone may fetch first.
 */
export function electedFirstFetchers(swarmSize: number | undefined, variant?: number): number {
  if (variant !== undefined) return variant;
  return Math.max(FIRST_FETCHERS_PER_SWARM, FIRST_FETCHER_SHARE * (swarmSize ?? 0));
}
