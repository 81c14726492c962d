// An HTTP body's chunks handed on in batches: the first at once, then at most 50 ms or 64 KiB late,
// byte for byte in order.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHUNK_BATCH_BYTES, CHUNK_BATCH_DELAY_MS, ChunkBatch } from "../../../sdk/src/http/chunk-batch.js";

const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

describe("ChunkBatch", () => {
  let handed: Uint8Array[];
  let timerErrors: unknown[];
  let batch: ChunkBatch;
  beforeEach(() => {
    vi.useFakeTimers();
    handed = [];
    timerErrors = [];
    batch = new ChunkBatch(
      (chunk) => handed.push(chunk),
      (error) => timerErrors.push(error),
    );
  });
  afterEach(() => vi.useRealTimers());

  it("hands the first chunk on at once, the next ones together after the delay", () => {
    batch.add(bytes(1448));
    expect(handed.map((c) => c.byteLength)).toEqual([1448]);
    batch.add(bytes(1448, 1448));
    batch.add(bytes(1448, 2896));
    expect(handed).toHaveLength(1);
    vi.advanceTimersByTime(CHUNK_BATCH_DELAY_MS - 1);
    expect(handed).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(handed.map((c) => c.byteLength)).toEqual([1448, 2896]);
    // In order and byte-exact.
    const all = new Uint8Array(4344);
    all.set(handed[0]!, 0);
    all.set(handed[1]!, 1448);
    expect(all).toEqual(bytes(4344));
  });

  it("hands a full batch on without waiting for the timer", () => {
    batch.add(bytes(10));
    batch.add(bytes(CHUNK_BATCH_BYTES - 1));
    expect(handed).toHaveLength(1);
    batch.add(bytes(1));
    expect(handed.map((c) => c.byteLength)).toEqual([10, CHUNK_BATCH_BYTES]);
    vi.advanceTimersByTime(CHUNK_BATCH_DELAY_MS * 2);
    expect(handed).toHaveLength(2);
  });

  it("flush hands on what is held at once; discard drops it and its timer", () => {
    batch.add(bytes(5));
    batch.add(bytes(7));
    batch.flush();
    expect(handed.map((c) => c.byteLength)).toEqual([5, 7]);
    batch.add(bytes(9));
    batch.discard();
    vi.advanceTimersByTime(CHUNK_BATCH_DELAY_MS * 2);
    expect(handed.map((c) => c.byteLength)).toEqual([5, 7]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("passes what the receiver throws from the timer to onTimerError", () => {
    const refusal = new Error("chunk past the end of the segment");
    batch = new ChunkBatch(
      (chunk) => {
        handed.push(chunk);
        if (handed.length > 1) throw refusal;
      },
      (error) => timerErrors.push(error),
    );
    batch.add(bytes(3));
    batch.add(bytes(4));
    vi.advanceTimersByTime(CHUNK_BATCH_DELAY_MS);
    expect(timerErrors).toEqual([refusal]);
  });
});
