// Which peers receive an announcer's offers: near ones first, but spread over network prefixes, so
// one address holding many peer_ids cannot capture a swarm's offers.
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
 * Chooses up to `count` distinct peers to receive the requester's offers. The requester itself is
 * never chosen. O(candidates).
 *
 * 1. Peers on the requester's own network prefix (a LAN, an office behind one NAT: P2P's best case),
 *    same region first, but at most half of `count`: whoever shares the requester's prefix (a
 *    carrier-grade NAT, a crowd of fake peer_ids) cannot take every offer.
 * 2. Then one peer per other prefix in turn, prefixes with a same-region peer first, in random order:
 *    a prefix with 900 peer_ids gets no more offers than one with a single viewer.
 * 3. Then whatever is left of step 1, when the other prefixes were too few.
 */
export function selectOfferTargets<C extends Candidate>(
  candidates: Iterable<C>,
  requester: Requester,
  count: number,
  random: () => number = Math.random,
): C[] {
  if (count <= 0) return [];
  const near: [C[], C[]] = [[], []]; // [other region, same region]
  const groups = new Map<string, [C[], C[]]>();
  for (const candidate of candidates) {
    if (candidate.peerId === requester.peerId) continue;
    const score = proximityScore(requester, candidate);
    const sameRegion = (score % 2) as 0 | 1;
    if (score >= 2) {
      near[sameRegion].push(candidate);
      continue;
    }
    const key = candidate.ipPrefix ?? "";
    let group = groups.get(key);
    if (group === undefined) {
      group = [[], []];
      groups.set(key, group);
    }
    group[sameRegion].push(candidate);
  }
  const chosen: C[] = [];
  const nearQuota = Math.ceil(count / 2);
  takeRandom(near[1], nearQuota, random, chosen);
  takeRandom(near[0], nearQuota - chosen.length, random, chosen);
  spreadOverGroups([...groups.values()], count, random, chosen);
  takeRandom(near[1], count - chosen.length, random, chosen);
  takeRandom(near[0], count - chosen.length, random, chosen);
  return chosen;
}

/** Round-robin over prefix groups (those with a same-region peer first), one random peer per turn. */
function spreadOverGroups<C>(groups: [C[], C[]][], count: number, random: () => number, out: C[]): void {
  shuffle(groups, random);
  groups.sort((a, b) => Number(b[1].length > 0) - Number(a[1].length > 0));
  let progress = true;
  while (out.length < count && progress) {
    progress = false;
    for (const group of groups) {
      if (out.length >= count) return;
      const before = out.length;
      takeRandom(group[1], 1, random, out);
      if (out.length === before) takeRandom(group[0], 1, random, out);
      if (out.length > before) progress = true;
    }
  }
}

/** Moves `n` random items of `pool` (mutated: the taken ones are removed) into `out`. */
function takeRandom<C>(pool: C[], n: number, random: () => number, out: C[]): void {
  const take = Math.min(n, pool.length);
  for (let i = 0; i < take; i++) {
    const j = Math.floor(random() * pool.length);
    const picked = pool[j] as C;
    pool[j] = pool[pool.length - 1] as C;
    pool.pop();
    out.push(picked);
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
