// Batches an HTTP body's chunks before they are handed on (http-fetcher.ts). On a shaped link a
// fetch reader yields about one TCP segment (~1.4 KB) per read, and every chunk handed on costs the
// same work downstream whatever its size: the segment's assembly and store, waking and sending
// uploads (one data frame each, and the receiver's work per frame), stats, progress. So after the
// body's first chunk, which goes on at once (the first byte's time is what a player's estimates
// read), chunks are gathered for at most CHUNK_BATCH_DELAY_MS or CHUNK_BATCH_BYTES, whichever comes
// first, and handed on as one. The fetcher hands on the last batch as the body ends, so the time of
// the last byte is kept too. Where the body is a byte stream, its reads are batches already
// (body-reads.ts) and go on through deliverNow; this batching is for default readers.
import { concat } from "../core/bytes.js";

/**
 * Longest a received byte waits before it is handed on, ms. The XMLHttpRequest standard's progress
 * events (what plain hls.js's loader sees) come at most every 50 ms, so a player learns of bytes no
 * later than it would without Nearcast; a relay to peers streams them at most this much later.
 */
export const CHUNK_BATCH_DELAY_MS = 50;

/** A batch this large is handed on at once: one peer data frame's payload (MAX_CHUNK_BYTES). */
export const CHUNK_BATCH_BYTES = 65_536;

/**
 * Hands the first chunk on at once, then gathers chunks and hands them on as one (`deliver(bytes)`)
 * after {@link CHUNK_BATCH_DELAY_MS} or once {@link CHUNK_BATCH_BYTES} are held. A `deliver` that
 * throws from the timer is passed to `onTimerError` (the fetch then fails with it).
 */
export class ChunkBatch {
  private parts: Uint8Array[] = [];
  private bytes = 0;
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onTimer = () => {
    this.timer = undefined;
    try {
      this.flush();
    } catch (error) {
      this.onTimerError(error);
    }
  };

  constructor(
    private readonly deliver: (bytes: Uint8Array) => void,
    private readonly onTimerError: (error: unknown) => void,
    private readonly maxBytes = CHUNK_BATCH_BYTES,
    private readonly maxDelayMs = CHUNK_BATCH_DELAY_MS,
  ) {}

  /** A chunk arrived: handed on now when it is the first or the batch is full, else by the timer. */
  add(chunk: Uint8Array): void {
    this.parts.push(chunk);
    this.bytes += chunk.byteLength;
    if (!this.started || this.bytes >= this.maxBytes) {
      this.started = true;
      this.flush();
    } else this.timer ??= setTimeout(this.onTimer, this.maxDelayMs);
  }

  /**
   * Hand on `bytes` now, as a batch of their own (a BYOB read's batch, body-reads.ts), after what is
   * held ({@link flush} first keeps the order). A throwing `deliver` throws here.
   */
  deliverNow(bytes: Uint8Array): void {
    this.flush();
    this.started = true;
    this.deliver(bytes);
  }

  /** Hand on what is held now (nothing when empty). A throwing `deliver` throws here. */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.parts.length === 0) return;
    const bytes = concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    this.deliver(bytes);
  }

  /** Drop what is held, unsent (the fetch was aborted). */
  discard(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.parts = [];
    this.bytes = 0;
  }
}
