import type { BinaryId } from "../net/binary-id.js";

/** What selection needs to know about a peer (a `PeerEntry` satisfies it). */
export interface Candidate {
  readonly peerId: BinaryId;
  readonly ipPrefix: string | undefined;
  readonly region: string | undefined;
}

export interface Requester {
  peerId: BinaryId;
  ipPrefix: string | undefined;
  region: string | undefined;
}

/**
 * Proximity score: same network prefix outranks same region, both together outrank either, and
 * peers with neither come last. A missing hint never matches (two unknowns are not "near").
 */
export function proximityScore(requester: Requester, candidate: Candidate): 0 | 1 | 2 | 3 {
  const samePrefix = requester.ipPrefix !== undefined && candidate.ipPrefix === requester.ipPrefix;
  const sameRegion = requester.region !== undefined && candidate.region === requester.region;
  return ((samePrefix ? 2 : 0) + (sameRegion ? 1 : 0)) as 0 | 1 | 2 | 3;
}

/**
 * Chooses up to `count` distinct peers to receive the requester's offers: nearest tier first, random
 * within a tier (so load spreads and no pair is favoured forever). The requester itself is never
 * chosen. One linear pass plus a partial shuffle: O(candidates).
 */
export function selectOfferTargets<C extends Candidate>(
  candidates: Iterable<C>,
  requester: Requester,
  count: number,
  random: () => number = Math.random,
): C[] {
  if (count <= 0) return [];
  const tiers: [C[], C[], C[], C[]] = [[], [], [], []];
  for (const candidate of candidates) {
    if (candidate.peerId === requester.peerId) continue;
    tiers[proximityScore(requester, candidate)].push(candidate);
  }
  const chosen: C[] = [];
  for (let score = 3; score >= 0 && chosen.length < count; score--) {
    const tier = tiers[score as 0 | 1 | 2 | 3];
    takeRandom(tier, count - chosen.length, random, chosen);
  }
  return chosen;
}

/** Partial Fisher–Yates: moves `n` random items of `pool` (mutated) into `out`. */
function takeRandom<C>(pool: C[], n: number, random: () => number, out: C[]): void {
  const take = Math.min(n, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const picked = pool[j] as C;
    pool[j] = pool[i] as C;
    pool[i] = picked;
    out.push(picked);
  }
}
