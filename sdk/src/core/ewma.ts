/**
 * Exponentially weighted moving average with a half-life in "weight" units (here: seconds of
 * transfer), corrected for its zero start like hls.js's EWMA, so the first samples are not
 * dragged towards 0.
 */
export class Ewma {
  private readonly alpha: number;
  private estimate = 0;
  private totalWeight = 0;

  constructor(halfLife: number) {
    this.alpha = halfLife > 0 ? Math.exp(Math.log(0.5) / halfLife) : 0;
  }

  sample(weight: number, value: number): void {
    const adjAlpha = Math.pow(this.alpha, weight);
    this.estimate = value * (1 - adjAlpha) + adjAlpha * this.estimate;
    this.totalWeight += weight;
  }

  /**
   * Scale the weight of everything sampled so far by `factor` (0–1], leaving the estimate as it is:
   * the next sample then counts for more. For information that aged without new samples.
   */
  fade(factor: number): void {
    if (!(factor > 0 && factor < 1) || this.totalWeight === 0 || this.alpha <= 0) return;
    const norm = factor * (1 - Math.pow(this.alpha, this.totalWeight));
    this.estimate *= factor;
    this.totalWeight = Math.log(1 - norm) / Math.log(this.alpha);
  }

  get samples(): number {
    return this.totalWeight;
  }

  /** The estimate, or `fallback` before any sample. */
  value(fallback = 0): number {
    if (this.totalWeight === 0) return fallback;
    const zeroFactor = 1 - Math.pow(this.alpha, this.totalWeight);
    return zeroFactor > 0 ? this.estimate / zeroFactor : this.estimate;
  }
}
