// Reads a fetch body in batches where the stream lets us (http-fetcher.ts). On a shaped link a
// default reader yields about one TCP segment (~1.4 KB) per read(), and each read is a promise, a
// resumed async function and a chunk allocation on the main thread. A fetch body is a byte stream in
// Chromium and Node (the Streams standard's ReadableByteStreamController), so a BYOB ("bring your
// own buffer") reader can ask for `min` bytes: the read resolves once that many arrived (or the body
// ended), and the stream copies every packet straight into our buffer. One read then makes one
// batch — no batching timer, no second copy to join the packets.
//
// How large: the first read takes whatever comes first (the first byte's time is what a player's
// estimates read); each later read waits for about CHUNK_BATCH_DELAY_MS of the body at the rate it
// has arrived at so far, between MIN_BATCH_BYTES and CHUNK_BATCH_BYTES, and never past what the
// caller still wants (`limit`), so the body's last byte is handed on the moment it arrives.
import { CHUNK_BATCH_BYTES, CHUNK_BATCH_DELAY_MS } from "./chunk-batch.js";

/** The first read's buffer, bytes: it resolves with the first bytes that arrive, whatever their size. */
export const FIRST_READ_BYTES = 16_384;

/**
 * Smallest batch a later read waits for, bytes: about one and a half TCP segments, so a slow body
 * (below ~330 kbit/s, where CHUNK_BATCH_DELAY_MS of it is smaller) still goes on packet by packet.
 */
export const MIN_BATCH_BYTES = 2048;

export interface BodyRead {
  /** Bytes read (undefined: none; a BYOB read may end the body with its last bytes). */
  value: Uint8Array | undefined;
  done: boolean;
  /**
   * The bytes are a whole batch (a BYOB read that waited for its `min`): hand them on now. False for a
   * default reader's chunk or a stream that ignores `min` (then the caller batches them itself).
   */
  batch: boolean;
}

/**
 * A fetch body's reader: BYOB reads of a batch each where the body is a byte stream, else a default
 * reader's chunks. `now` is a millisecond clock (the rate estimate reads it).
 */
export class BodyReads {
  private readonly byob: ReadableStreamBYOBReader | undefined;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** When the first bytes arrived; undefined before. */
  private firstAtMs: number | undefined;
  /** Bytes read after the first read, for the rate estimate. */
  private laterBytes = 0;
  /** False once a read came back short of its `min` without the body ending (an older stream). */
  private honoursMin = true;

  constructor(
    body: ReadableStream<Uint8Array>,
    private readonly now: () => number,
  ) {
    let byob: ReadableStreamBYOBReader | undefined;
    try {
      byob = body.getReader({ mode: "byob" });
    } catch {
      // Not a byte stream (a constructed Response's own stream, an older engine).
    }
    this.byob = byob;
    this.plain = byob ? undefined : body.getReader();
  }

  /**
   * The next bytes of the body: at most `limit` (≥ 1) when given, and a read waits for a whole batch
   * only within the `sure` bytes the body still holds by its stated length (0: unknown). A byte
   * stream errors a read that waits for more than a closing body has left (the Streams standard,
   * ReadableByteStreamControllerPullInto), so a body of unknown length is read as it comes.
   * Rejects as the stream's read does (a broken body, an abort); bytes a pending BYOB read had
   * received by then are lost with it.
   */
  async read(limit: number | undefined, sure: number): Promise<BodyRead> {
    if (!this.byob) {
      const { done, value } = await this.plain!.read();
      return { value: value && value.byteLength > 0 ? value : undefined, done, batch: false };
    }
    const first = this.firstAtMs === undefined;
    let size = first ? FIRST_READ_BYTES : this.batchBytes();
    if (limit !== undefined) size = Math.max(1, Math.min(size, limit));
    const min = first ? 1 : Math.max(1, Math.min(size, sure));
    const { done, value } = await this.byob.read(new Uint8Array(size), { min });
    const bytes = value?.byteLength ?? 0;
    if (first) {
      if (bytes > 0) this.firstAtMs = this.now();
    } else this.laterBytes += bytes;
    if (!done && bytes < min) this.honoursMin = false;
    return { value: bytes > 0 ? value : undefined, done, batch: this.honoursMin && min === size };
  }

  /** Stop reading the body (the range asked for is complete). */
  cancel(): Promise<void> {
    return (this.byob ?? this.plain!).cancel();
  }

  /** CHUNK_BATCH_DELAY_MS of the body at its rate since the first bytes, within the batch bounds. */
  private batchBytes(): number {
    const elapsedMs = this.now() - (this.firstAtMs ?? 0);
    if (this.laterBytes === 0 || elapsedMs <= 0) return MIN_BATCH_BYTES;
    const bytes = Math.round((this.laterBytes / elapsedMs) * CHUNK_BATCH_DELAY_MS);
    return Math.min(CHUNK_BATCH_BYTES, Math.max(MIN_BATCH_BYTES, bytes));
  }
}
