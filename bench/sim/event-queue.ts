// The simulator's virtual clock: a binary min-heap of timed callbacks. Nothing here touches real
// time: `run()` pops events in (time, insertion) order and moves `now` to each event's time, so a
// simulated hour takes as long as its events take to run.

/** A scheduled callback; `cancel()` makes it a no-op (it stays in the heap until popped). */
export interface ScheduledEvent {
  readonly timeMs: number;
  cancel(): void;
}

/** A class rather than an object literal with a closure: millions are made per run, one less allocation each. */
class Entry implements ScheduledEvent {
  constructor(
    readonly timeMs: number,
    readonly seq: number,
    public fn: (() => void) | undefined,
  ) {}

  cancel(): void {
    this.fn = undefined;
  }
}

/**
 * Discrete-event queue with a virtual clock in milliseconds. Events at equal times run in the order
 * they were scheduled (FIFO), which keeps a run deterministic for a given random seed.
 */
export class EventQueue {
  private heap: Entry[] = [];
  private seq = 0;
  private clockMs = 0;
  private executed = 0;

  /** Virtual time, ms since the start of the simulation. */
  get now(): number {
    return this.clockMs;
  }

  /** Events run so far. */
  get eventsRun(): number {
    return this.executed;
  }

  /** Events waiting (cancelled ones included until popped). */
  get size(): number {
    return this.heap.length;
  }

  /** Run `fn` at `timeMs` (clamped to now: the past cannot be scheduled). */
  at(timeMs: number, fn: () => void): ScheduledEvent {
    if (!Number.isFinite(timeMs)) throw new RangeError(`event time must be finite, got ${timeMs}`);
    const entry = new Entry(Math.max(timeMs, this.clockMs), this.seq++, fn);
    this.push(entry);
    return entry;
  }

  /** Run `fn` after `delayMs` of virtual time. */
  after(delayMs: number, fn: () => void): ScheduledEvent {
    return this.at(this.clockMs + Math.max(0, delayMs), fn);
  }

  /**
   * Run events in time order until the queue is empty or the next event lies after `untilMs`;
   * the clock then stands at `untilMs` (or at the last event run, when the queue emptied first).
   */
  run(untilMs = Number.POSITIVE_INFINITY): void {
    const heap = this.heap;
    while (heap.length > 0) {
      const top = heap[0]!;
      if (top.timeMs > untilMs) break;
      this.pop();
      this.clockMs = top.timeMs;
      const fn = top.fn;
      if (fn === undefined) continue;
      top.fn = undefined;
      this.executed++;
      fn();
    }
    if (Number.isFinite(untilMs) && untilMs > this.clockMs) this.clockMs = untilMs;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(heap[r]!, heap[l]!) ? r : l;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.seq < b.seq);
}
