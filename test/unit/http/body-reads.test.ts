// A fetch body read in batches: on a byte stream one BYOB read waits for about 50 ms of the body at
// its rate so far (never past what the body holds by its stated length), elsewhere chunk by chunk.
// Real WHATWG streams (Node's, as Chromium's fetch bodies are byte streams too); a fake clock.
import { describe, expect, it } from "vitest";
import { BodyReads, FIRST_READ_BYTES, MIN_BATCH_BYTES } from "../../../sdk/src/http/body-reads.js";
import { CHUNK_BATCH_BYTES, CHUNK_BATCH_DELAY_MS } from "../../../sdk/src/http/chunk-batch.js";

const PACKET = 1448;
const packet = (n: number) => Uint8Array.from({ length: PACKET }, (_, i) => (n * PACKET + i) & 0xff);

/** A byte stream the test feeds packet by packet, as a network body arrives. */
function byteBody() {
  let controller!: ReadableByteStreamController;
  const stream = new ReadableStream({
    type: "bytes",
    start: (c) => void (controller = c),
  }) as ReadableStream<Uint8Array>;
  let sent = 0;
  return {
    stream,
    send: (count: number) => {
      for (let i = 0; i < count; i++) controller.enqueue(packet(sent++));
    },
    close: () => controller.close(),
    get sent() {
      return sent;
    },
  };
}

/** Resolves `promise`'s state after queued stream work has run: pending or its value. */
async function settled<T>(promise: Promise<T>): Promise<T | "pending"> {
  return Promise.race([promise, new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")))]);
}

describe("BodyReads on a byte stream", () => {
  it("hands the first bytes on at once, then waits for a batch of the body's rate over 50 ms", async () => {
    let clock = 1000;
    const body = byteBody();
    const reads = new BodyReads(body.stream, () => clock);
    const total = 200 * PACKET;

    body.send(1);
    const first = await reads.read(undefined, total);
    expect(first.value?.byteLength).toBe(PACKET);
    expect(first.batch).toBe(false);

    // No rate known yet: the smallest batch.
    const second = reads.read(undefined, total - PACKET);
    body.send(1);
    expect(await settled(second)).toBe("pending");
    body.send(1);
    const secondRead = await second;
    expect(secondRead.value?.byteLength).toBe(MIN_BATCH_BYTES);
    expect(secondRead.batch).toBe(true);

    // 2048 bytes in 10 ms since the first: 50 ms of that is 10240 bytes.
    clock += 10;
    const third = reads.read(undefined, total);
    body.send(6); // with the 848 bytes left of the third packet: 9536

    expect(await settled(third)).toBe("pending");
    body.send(1);
    const thirdRead = await third;
    expect(thirdRead.value?.byteLength).toBe(Math.round((MIN_BATCH_BYTES / 10) * CHUNK_BATCH_DELAY_MS));
    expect(thirdRead.batch).toBe(true);
  });

  it("never asks for more than the limit, so the last byte goes on as it arrives", async () => {
    let clock = 0;
    const body = byteBody();
    const reads = new BodyReads(body.stream, () => clock);
    body.send(1);
    await reads.read(undefined, 10 * PACKET);
    clock += 1; // a fast body: every later read wants a full 64 KiB batch
    const last = reads.read(PACKET + 100, 10 * PACKET);
    body.send(2);
    const lastRead = await last;
    expect(lastRead.value?.byteLength).toBe(PACKET + 100);
    expect(lastRead.value?.[0]).toBe(packet(1)[0]);
    expect(CHUNK_BATCH_BYTES).toBeGreaterThan(PACKET + 100);
  });

  it("keeps the bytes whole and in order", async () => {
    let clock = 0;
    const body = byteBody();
    const reads = new BodyReads(body.stream, () => (clock += 3));
    const total = 100 * PACKET;
    const got: Uint8Array[] = [];
    let received = 0;
    body.send(100);
    body.close();
    for (;;) {
      const { value, done } = await reads.read(undefined, total - received);
      if (value) got.push(value);
      received += value?.byteLength ?? 0;
      if (done) break;
    }
    const joined = new Uint8Array(received);
    let at = 0;
    for (const part of got) joined.set(part, (at += part.byteLength) - part.byteLength);
    expect(received).toBe(total);
    expect(joined.every((byte, i) => byte === (i & 0xff))).toBe(true);
    expect(got.length).toBeLessThan(100);
  });

  it("reads a body of unknown length as it comes, and its end cleanly", async () => {
    const body = byteBody();
    const reads = new BodyReads(body.stream, () => 0);
    body.send(1);
    await reads.read(undefined, 0);
    body.send(1);
    const next = await reads.read(undefined, 0);
    expect(next.value?.byteLength).toBe(PACKET);
    expect(next.batch).toBe(false);
    body.send(1);
    body.close();
    const tail = await reads.read(undefined, 0);
    expect(tail.value?.byteLength).toBe(PACKET);
    expect((await reads.read(undefined, 0)).done).toBe(true);
  });

  it("the first read's buffer is bounded", async () => {
    const body = byteBody();
    const reads = new BodyReads(body.stream, () => 0);
    body.send(20);
    expect((await reads.read(undefined, 20 * PACKET)).value?.byteLength).toBe(FIRST_READ_BYTES);
  });
});

describe("BodyReads on a stream that is not a byte stream", () => {
  it("reads chunk by chunk and leaves the batching to the caller", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        c.enqueue(packet(0));
        c.enqueue(packet(1));
        c.close();
      },
    });
    const reads = new BodyReads(stream, () => 0);
    const first = await reads.read(undefined, 2 * PACKET);
    expect(first).toMatchObject({ done: false, batch: false });
    expect(first.value?.byteLength).toBe(PACKET);
    expect((await reads.read(undefined, PACKET)).value?.byteLength).toBe(PACKET);
    expect((await reads.read(undefined, 0)).done).toBe(true);
  });
});
