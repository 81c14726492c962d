/**
 * Paces byte flows to `ratePerSec` with bursts up to one second's worth (at least one chunk, so a
 * single frame never waits forever). `take` resolves when the bytes may be sent.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  private readonly burst: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSec: number,
    minBurst: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.burst = Math.max(ratePerSec, minBurst);
    this.tokens = this.burst;
    this.lastMs = now();
  }

  take(amount: number): Promise<void> {
    // Serialise takers so a large request cannot starve behind a stream of small ones.
    const turn = this.queue.then(() => this.wait(amount));
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async wait(amount: number): Promise<void> {
    this.refill();
    while (this.tokens < amount) {
      const deficit = amount - this.tokens;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil((deficit / this.ratePerSec) * 1000)));
      this.refill();
    }
    this.tokens -= amount;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.lastMs) / 1000) * this.ratePerSec);
    this.lastMs = t;
  }
}
