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
