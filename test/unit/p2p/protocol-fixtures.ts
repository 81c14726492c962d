import { expect } from "vitest";
import {
  MAX_CHUNK_BYTES,
  MAX_CLIENT_NAME_BYTES,
  MAX_SEGMENT_ID_BYTES,
} from "../../../sdk/src/p2p/protocol-constants.js";
import { ProtocolError, type ProtocolErrorCode } from "../../../sdk/src/core/errors.js";
import type { PeerMessage } from "../../../sdk/src/p2p/protocol-types.js";

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let pos = 0;
  for (const a of arrays) {
    out.set(a, pos);
    pos += a.byteLength;
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function expectProtocolError(fn: () => unknown, code: ProtocolErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, `expected ProtocolError ${code}`).toBeInstanceOf(ProtocolError);
  expect((thrown as ProtocolError).code).toBe(code);
  expect((thrown as ProtocolError).name).toBe("ProtocolError");
}

/** A 128-byte id made of 4-byte characters: the longest id allowed, and not ASCII. */
export const MAX_UNICODE_ID = "🎬".repeat(MAX_SEGMENT_ID_BYTES / 4);

const payload = new Uint8Array(1000).map((_, i) => i & 0xff);

/** One or more instances of every message type, including edge values. */
export const SAMPLE_MESSAGES: PeerMessage[] = [
  { type: "hello", protocolVersion: 1 },
  { type: "hello", protocolVersion: 255, clientName: "nearcast/0.1.0" },
  { type: "hello", protocolVersion: 1, clientName: "é".repeat(MAX_CLIENT_NAME_BYTES / 2) },
  { type: "availability-full", segments: [] },
  {
    type: "availability-full",
    segments: [
      { segmentId: "1234", totalLength: 812_345, bytesAvailable: 812_345, complete: true },
      { segmentId: "1235", totalLength: 790_000, bytesAvailable: 65_536, complete: false },
      { segmentId: "1236", totalLength: 0, bytesAvailable: 1, complete: false },
      { segmentId: MAX_UNICODE_ID, totalLength: 0xffff_ffff, bytesAvailable: 0xffff_fffe, complete: false },
      { segmentId: "init:https://cdn.example/v/init.mp4", totalLength: 1, bytesAvailable: 1, complete: true },
    ],
  },
  { type: "availability-delta", added: [], removed: [] },
  {
    type: "availability-delta",
    added: [{ segmentId: "12@0-5000", totalLength: 5000, bytesAvailable: 4096, complete: false }],
    removed: ["11@0-5000", "видео:7", MAX_UNICODE_ID],
  },
  { type: "availability-delta", added: [], removed: ["1"] },
  { type: "fetching", segmentId: "1237" },
  { type: "fetch-cancelled", segmentId: MAX_UNICODE_ID },
  { type: "request", requestId: 0, segmentId: "1234", rangeStart: 0 },
  { type: "request", requestId: 0xffff_ffff, segmentId: "直播:9", rangeStart: 65_536, rangeEnd: 131_072 },
  { type: "request", requestId: 7, segmentId: "x", rangeStart: 0xffff_fffe, rangeEnd: 0xffff_ffff },
  { type: "data", requestId: 1, offset: 0, totalLength: 1000, payload },
  { type: "data", requestId: 2, offset: 5, totalLength: 0, payload: payload.subarray(0, 1) },
  {
    type: "data",
    requestId: 0xffff_ffff,
    offset: 0xffff_ffff - MAX_CHUNK_BYTES,
    totalLength: 0xffff_ffff,
    payload: new Uint8Array(MAX_CHUNK_BYTES).fill(0xab),
  },
  { type: "absent", requestId: 0 },
  { type: "absent", requestId: 0xffff_ffff },
  { type: "cancel", requestId: 42 },
];
