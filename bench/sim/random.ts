// Seeded randomness for the simulator: one run with one seed is reproducible to the event.

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 20-character peer id (the SDK's ids are 20 printable characters too). */
export function randomPeerId(random: () => number): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let id = "-NC0001-";
  while (id.length < 20) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}

/** Uniform in [0, 1) from a pair of integers: the same answer for (a, b) and (b, a). */
export function pairHash(a: number, b: number, seed: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let h = (seed ^ Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}
