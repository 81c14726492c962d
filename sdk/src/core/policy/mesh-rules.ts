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
 * HTTP fetch (the gossip rule): yes, so a neighbour that hears of it early may ask us and wait at
 * most one transfer. In a large swarm our copy streams on as it arrives because the digest service
 * (which serves swarms of its `--digests-min-swarm`, 100 by default, and more) sends a SHA-256 per
 * 64-KiB chunk and each verified chunk is shared at once (verified cut-through, docs/trust.md).
 * Before cut-through, peer bytes were held until the whole segment was verified and gossip in large
 * swarms queued neighbours on relays that could not stream; that rule (`"small-swarms"`) is kept for
 * the simulator to compare (bench:sim live-1000: offload 0.937 with it, 0.958 without; BENCHMARKS.md
 * "Toward the limit"). `variant` overrides: true everywhere, false nowhere, `"small-swarms"`.
 */
export function announcesPeerDownload(
  largeSwarm: boolean,
  variant: boolean | "small-swarms" | undefined,
): boolean {
  if (variant === "small-swarms") return !largeSwarm;
  return variant ?? true;
}

/**
 * Viewers elected, in expectation, to fetch a new live segment first in a swarm of `swarmSize`
 * viewers (waits.ts `firstFetchRole`): {@link FIRST_FETCHER_SHARE} of the swarm, at least
 * {@link FIRST_FETCHERS_PER_SWARM}. A segment reaches each viewer through relays, each hop costing at
 * least a verified chunk and a round trip (a whole segment where no chunk digests are served), so each
 * elected fetcher covers a bounded neighbourhood within the window the buffers leave, whatever the
 * swarm's size: the elected must grow with it.
 * `variant` (the simulator's comparisons) replaces the count; Infinity: everyone may fetch first.
 */
export function electedFirstFetchers(swarmSize: number | undefined, variant?: number): number {
  if (variant !== undefined) return variant;
  return Math.max(FIRST_FETCHERS_PER_SWARM, FIRST_FETCHER_SHARE * (swarmSize ?? 0));
}
