/**
 * The one percentile definition of every bench: the p-th percentile (p in 0–100) by linear
 * interpolation between the closest ranks (Hyndman & Fan's R-7: numpy's and spreadsheets' default).
 * Non-finite values are ignored; undefined when no finite value is left. Throws RangeError for a p
 * outside 0–100. The input is not reordered.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be 0-100, got ${p}`);
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const lowValue = sorted[low] ?? 0;
  const highValue = sorted[Math.ceil(rank)] ?? lowValue;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** The 50th {@link percentile}. */
export function median(values: readonly number[]): number | undefined {
  return percentile(values, 50);
}
