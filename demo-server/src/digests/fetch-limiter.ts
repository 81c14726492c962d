// A bound on origin requests at once, with a bounded queue behind it: the digest service never has
// more than `maxActive` fetches open, and asks beyond the queue are told "overloaded" at once instead
// of piling up.

interface Queued {
  start: () => void;
  cancel: () => void;
}

export class FetchLimiter {
  private activeCount = 0;
  private readonly queue: Queued[] = [];
  private closed = false;

  constructor(
    private readonly maxActive: number,
    private readonly maxQueued: number,
  ) {}

  get active(): number {
    return this.activeCount;
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * Runs `task` now or when a slot frees. Undefined when the queue is full (or the limiter closed);
   * a queued task that never ran because of `close()` resolves with `onCancel()`.
   */
  run<T>(task: () => Promise<T>, onCancel: () => T): Promise<T> | undefined {
    if (this.closed) return undefined;
    if (this.activeCount < this.maxActive) return this.start(task);
    if (this.queue.length >= this.maxQueued) return undefined;
    return new Promise<T>((resolve) => {
      this.queue.push({
        start: () => resolve(this.start(task)),
        cancel: () => resolve(onCancel()),
      });
    });
  }

  /** Idempotent: queued tasks are cancelled; running ones finish (their requests abort elsewhere). */
  close(): void {
    this.closed = true;
    for (const entry of this.queue.splice(0)) entry.cancel();
  }

  private async start<T>(task: () => Promise<T>): Promise<T> {
    this.activeCount++;
    try {
      return await task();
    } finally {
      this.activeCount--;
      if (!this.closed) this.queue.shift()?.start();
    }
  }
}
