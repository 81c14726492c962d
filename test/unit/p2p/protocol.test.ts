import { describe, expect, it } from "vitest";
import { availabilityMessages } from "../../../sdk/src/p2p/protocol-availability.js";
import { decodeMessage, encodeDataFrame, encodeMessage } from "../../../sdk/src/p2p/protocol.js";
import {
  MAX_AVAILABILITY_ENTRIES,
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  MAX_SEGMENT_ID_BYTES,
  PROTOCOL_VERSION,
} from "../../../sdk/src/p2p/protocol-constants.js";
import type { PeerMessage } from "../../../sdk/src/p2p/protocol-types.js";
import type { SegmentAvailability } from "../../../sdk/src/core/availability.js";
import {
  bytes,
  concat,
  expectProtocolError,
  MAX_UNICODE_ID,
  SAMPLE_MESSAGES,
  utf8,
} from "./protocol-fixtures.js";

const H = 0xc1; // magic 0xC0 | version 1

function entries(n: number, id: (i: number) => string, complete = true): SegmentAvailability[] {
  return Array.from({ length: n }, (_, i) => ({
    segmentId: id(i),
    totalLength: 1000 + i,
    bytesAvailable: complete ? 1000 + i : 1 + i,
    complete,
  }));
}

describe("peer protocol: round trips", () => {
  it.each(SAMPLE_MESSAGES.map((m, i) => [`${i} ${m.type}`, m] as const))("%s", (_, msg) => {
    const frame = encodeMessage(msg);
    expect(frame.byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(decodeMessage(frame)).toEqual(msg);
  });

  it("carries the maximum number of entries in one availability frame", () => {
    const full: PeerMessage = {
      type: "availability-full",
      segments: entries(MAX_AVAILABILITY_ENTRIES, String),
    };
    expect(decodeMessage(encodeMessage(full))).toEqual(full);
    const delta: PeerMessage = {
      type: "availability-delta",
      added: entries(1000, (i) => `a${i}`, false),
      removed: Array.from({ length: 1000 }, (_, i) => `r${i}`),
    };
    expect(decodeMessage(encodeMessage(delta))).toEqual(delta);
  });

  it("decodes from a view at an offset inside a larger buffer", () => {
    const frame = encodeMessage({ type: "request", requestId: 9, segmentId: "s", rangeStart: 3 });
    const padded = concat([1, 2, 3], frame, [4, 5]).subarray(3, 3 + frame.byteLength);
    expect(decodeMessage(padded)).toEqual({ type: "request", requestId: 9, segmentId: "s", rangeStart: 3 });
  });
});

describe("peer protocol: wire layout", () => {
  it("starts every frame with the magic/version byte and the type code", () => {
    const codes = {
      hello: 1,
      "availability-full": 2,
      "availability-delta": 3,
      fetching: 4,
      "fetch-cancelled": 5,
    };
    const transfer = { request: 0x10, data: 0x11, absent: 0x12, cancel: 0x13 };
    const expected: Record<string, number> = { ...codes, ...transfer };
    expect(PROTOCOL_VERSION).toBe(1);
    for (const msg of SAMPLE_MESSAGES) {
      const frame = encodeMessage(msg);
      expect([frame[0], frame[1]]).toEqual([H, expected[msg.type]]);
    }
  });

  it("lays out small frames byte for byte", () => {
    expect(encodeMessage({ type: "cancel", requestId: 0x01020304 })).toEqual(bytes(H, 0x13, 1, 2, 3, 4));
    expect(encodeMessage({ type: "absent", requestId: 5 })).toEqual(bytes(H, 0x12, 0, 0, 0, 5));
    expect(encodeMessage({ type: "hello", protocolVersion: 1 })).toEqual(bytes(H, 0x01, 1, 0));
    expect(encodeMessage({ type: "hello", protocolVersion: 2, clientName: "nc" })).toEqual(
      bytes(H, 0x01, 2, 2, 0x6e, 0x63),
    );
    expect(encodeMessage({ type: "fetching", segmentId: "42" })).toEqual(bytes(H, 0x04, 2, 0x34, 0x32));
    expect(
      encodeMessage({ type: "request", requestId: 1, segmentId: "7", rangeStart: 256, rangeEnd: 512 }),
    ).toEqual(bytes(H, 0x10, 0, 0, 0, 1, 0x01, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x37));
    expect(encodeMessage({ type: "request", requestId: 1, segmentId: "7", rangeStart: 0 })).toEqual(
      bytes(H, 0x10, 0, 0, 0, 1, 0x00, 0, 0, 0, 0, 1, 0x37),
    );
    expect(
      encodeMessage({
        type: "availability-delta",
        added: [
          { segmentId: "a", totalLength: 10, bytesAvailable: 10, complete: true },
          { segmentId: "b", totalLength: 0, bytesAvailable: 3, complete: false },
        ],
        removed: ["c"],
      }),
    ).toEqual(
      bytes(
        ...[H, 0x03, 0, 2],
        ...[0x01, 1, 0x61, 0, 0, 0, 10],
        ...[0x00, 1, 0x62, 0, 0, 0, 0, 0, 0, 0, 3],
        ...[0, 1, 1, 0x63],
      ),
    );
  });

  it("gives data frames a 14-byte header and the payload as the rest of the frame", () => {
    const frame = encodeDataFrame(0x0a0b0c0d, 65_536, 200_000, bytes(9, 8, 7));
    expect(frame).toEqual(bytes(H, 0x11, 10, 11, 12, 13, 0, 1, 0, 0, 0, 3, 0x0d, 0x40, 9, 8, 7));
    const msg: PeerMessage = {
      type: "data",
      requestId: 0x0a0b0c0d,
      offset: 65_536,
      totalLength: 200_000,
      payload: bytes(9, 8, 7),
    };
    expect(encodeMessage(msg)).toEqual(frame);
  });

  it("returns the data payload as a view into the frame, not a copy", () => {
    const frame = encodeDataFrame(1, 0, 4, bytes(1, 2, 3, 4));
    const msg = decodeMessage(frame);
    if (msg.type !== "data") throw new Error("expected data");
    expect(msg.payload.buffer).toBe(frame.buffer);
    expect(msg.payload.byteOffset).toBe(14);
    frame[14] = 99;
    expect(msg.payload[0]).toBe(99);
  });
});

describe("peer protocol: availabilityMessages", () => {
  it("sends one full frame, then deltas, each within the entry bound", () => {
    const all = entries(4500, (i) => `seg-${i}`);
    const messages = availabilityMessages(all);
    expect(messages.map((m) => m.type)).toEqual([
      "availability-full",
      "availability-delta",
      "availability-delta",
    ]);
    const sent = messages.flatMap((m) =>
      m.type === "availability-full" ? m.segments : m.type === "availability-delta" ? m.added : [],
    );
    expect(sent).toEqual(all);
    for (const m of messages) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it("splits by bytes when long ids would overflow a frame", () => {
    const longId = (i: number): string => `${i}`.padStart(MAX_SEGMENT_ID_BYTES, "x");
    const all = entries(MAX_AVAILABILITY_ENTRIES, longId, false);
    // 2,000 maximal partial entries take 276,000 bytes: one frame cannot carry them.
    expectProtocolError(() => encodeMessage({ type: "availability-full", segments: all }), "TOO_LARGE");
    const messages = availabilityMessages(all);
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(encodeMessage(m).byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  it("announces an empty map as one empty full frame", () => {
    expect(availabilityMessages([])).toEqual([{ type: "availability-full", segments: [] }]);
  });
});

describe("peer protocol: rejects malformed frames", () => {
  it("TRUNCATED: empty frame and every strict prefix of a non-data frame", () => {
    expectProtocolError(() => decodeMessage(new Uint8Array(0)), "TRUNCATED");
    for (const msg of SAMPLE_MESSAGES.filter((m) => m.type !== "data")) {
      const frame = encodeMessage(msg);
      for (let n = 1; n < frame.byteLength; n++)
        expectProtocolError(() => decodeMessage(frame.subarray(0, n)), "TRUNCATED");
    }
  });

  it("TRUNCATED: a data frame cut inside its header, a length pointing past the end, an impossible count", () => {
    const frame = encodeDataFrame(1, 0, 10, bytes(1));
    for (let n = 1; n < 14; n++) expectProtocolError(() => decodeMessage(frame.subarray(0, n)), "TRUNCATED");
    expectProtocolError(() => decodeMessage(bytes(H, 0x04, 10, 0x61, 0x62)), "TRUNCATED");
    expectProtocolError(() => decodeMessage(bytes(H, 0x02, 0x07, 0xd0, 1, 1, 0x61)), "TRUNCATED");
  });

  it("BAD_VERSION: another protocol or another version", () => {
    expectProtocolError(() => decodeMessage(utf8('{"type":"hello"}')), "BAD_VERSION");
    expectProtocolError(() => decodeMessage(bytes(0xc2, 0x13, 0, 0, 0, 1)), "BAD_VERSION");
    expectProtocolError(() => decodeMessage(bytes(0xc0, 0x13, 0, 0, 0, 1)), "BAD_VERSION");
    expectProtocolError(() => decodeMessage(bytes(0x01, 0x13, 0, 0, 0, 1)), "BAD_VERSION");
    expectProtocolError(() => decodeMessage(bytes(0x41)), "BAD_VERSION");
  });

  it("BAD_TYPE: unknown type codes, on decode and encode", () => {
    for (const code of [0x00, 0x06, 0x0f, 0x14, 0xff])
      expectProtocolError(() => decodeMessage(bytes(H, code)), "BAD_TYPE");
    expectProtocolError(() => encodeMessage({ type: "nope" } as unknown as PeerMessage), "BAD_TYPE");
  });

  it("TOO_LARGE: frame, payload, id, name and entry count bounds", () => {
    expectProtocolError(() => decodeMessage(new Uint8Array(MAX_FRAME_BYTES + 1).fill(H)), "TOO_LARGE");
    const bigPayload = new Uint8Array(MAX_CHUNK_BYTES + 1);
    expectProtocolError(() => encodeDataFrame(1, 0, 0, bigPayload), "TOO_LARGE");
    expectProtocolError(
      () => decodeMessage(concat([H, 0x11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], bigPayload)),
      "TOO_LARGE",
    );
    const longId = "a".repeat(MAX_SEGMENT_ID_BYTES + 1);
    expectProtocolError(() => encodeMessage({ type: "fetching", segmentId: longId }), "TOO_LARGE");
    expectProtocolError(
      () => encodeMessage({ type: "fetching", segmentId: MAX_UNICODE_ID + "a" }),
      "TOO_LARGE",
    );
    expectProtocolError(() => decodeMessage(concat([H, 0x04, 129], utf8(longId))), "TOO_LARGE");
    expectProtocolError(
      () => encodeMessage({ type: "hello", protocolVersion: 1, clientName: "n".repeat(65) }),
      "TOO_LARGE",
    );
    expectProtocolError(() => decodeMessage(concat([H, 0x01, 1, 65], utf8("n".repeat(65)))), "TOO_LARGE");
    const tooMany = entries(MAX_AVAILABILITY_ENTRIES + 1, String);
    expectProtocolError(() => encodeMessage({ type: "availability-full", segments: tooMany }), "TOO_LARGE");
    expectProtocolError(
      () =>
        encodeMessage({
          type: "availability-delta",
          added: entries(1000, String),
          removed: entries(1001, (i) => `r${i}`).map((e) => e.segmentId),
        }),
      "TOO_LARGE",
    );
    const count2001 = concat([H, 0x02, 0x07, 0xd1], new Uint8Array(2001 * 7));
    expectProtocolError(() => decodeMessage(count2001), "TOO_LARGE");
    expectProtocolError(
      () => decodeMessage(concat([H, 0x03, 0, 0, 0x07, 0xd1], new Uint8Array(5000))),
      "TOO_LARGE",
    );
  });

  it("BAD_STRING: invalid UTF-8, empty strings, lone surrogates", () => {
    for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]) {
      expectProtocolError(() => decodeMessage(concat([H, 0x04, bad.length], bad)), "BAD_STRING");
      expectProtocolError(() => decodeMessage(concat([H, 0x01, 1, bad.length], bad)), "BAD_STRING");
    }
    expectProtocolError(() => decodeMessage(bytes(H, 0x04, 0)), "BAD_STRING");
    expectProtocolError(() => decodeMessage(bytes(H, 0x03, 0, 0, 0, 1, 0, 0x61)), "BAD_STRING");
    expectProtocolError(() => encodeMessage({ type: "fetching", segmentId: "" }), "BAD_STRING");
    expectProtocolError(
      () => encodeMessage({ type: "hello", protocolVersion: 1, clientName: "" }),
      "BAD_STRING",
    );
    expectProtocolError(() => encodeMessage({ type: "fetching", segmentId: "a\uD800" }), "BAD_STRING");
    expectProtocolError(() => encodeMessage({ type: "fetching", segmentId: "\uDC00b" }), "BAD_STRING");
  });

  it("keeps a leading byte-order mark as part of an id", () => {
    const msg: PeerMessage = { type: "fetching", segmentId: "\uFEFF12" };
    expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
    expect(decodeMessage(concat([H, 0x04, 4], utf8("\uFEFF1")))).toEqual({
      type: "fetching",
      segmentId: "\uFEFF1",
    });
  });

  it("TRAILING_BYTES: anything after the last field", () => {
    for (const msg of SAMPLE_MESSAGES.filter((m) => m.type !== "data")) {
      expectProtocolError(() => decodeMessage(concat(encodeMessage(msg), [0])), "TRAILING_BYTES");
    }
  });

  it("BAD_FIELD: ranges, flags, inconsistent availability, duplicates, chunk bounds", () => {
    const request = (start: number, end: number): PeerMessage => ({
      type: "request",
      requestId: 1,
      segmentId: "s",
      rangeStart: start,
      rangeEnd: end,
    });
    expectProtocolError(() => encodeMessage(request(10, 9)), "BAD_FIELD");
    expectProtocolError(() => encodeMessage(request(10, 10)), "BAD_FIELD");
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x10, 0, 0, 0, 1, 1, 0, 0, 0, 10, 0, 0, 0, 9, 1, 0x73)),
      "BAD_FIELD",
    );
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x10, 0, 0, 0, 1, 2, 0, 0, 0, 10, 1, 0x73)),
      "BAD_FIELD",
    );
    expectProtocolError(() => decodeMessage(bytes(H, 0x02, 0, 1, 0x03, 1, 0x61, 0, 0, 0, 1)), "BAD_FIELD");
    expectProtocolError(() => decodeMessage(bytes(H, 0x01, 0, 0)), "BAD_FIELD");
    expectProtocolError(() => encodeMessage({ type: "hello", protocolVersion: 256 }), "BAD_FIELD");

    const bad: SegmentAvailability[] = [
      { segmentId: "a", totalLength: 0, bytesAvailable: 0, complete: true },
      { segmentId: "a", totalLength: 10, bytesAvailable: 9, complete: true },
      { segmentId: "a", totalLength: 10, bytesAvailable: 10, complete: false },
      { segmentId: "a", totalLength: 10, bytesAvailable: 11, complete: false },
      { segmentId: "a", totalLength: 10, bytesAvailable: 0, complete: false },
      { segmentId: "a", totalLength: 1.5, bytesAvailable: 1, complete: false },
      { segmentId: "a", totalLength: -1, bytesAvailable: 1, complete: false },
    ];
    for (const entry of bad)
      expectProtocolError(() => encodeMessage({ type: "availability-full", segments: [entry] }), "BAD_FIELD");
    // Decoded: complete with length 0; partial claiming 10 of 10; partial with no bytes.
    expectProtocolError(() => decodeMessage(bytes(H, 0x02, 0, 1, 1, 1, 0x61, 0, 0, 0, 0)), "BAD_FIELD");
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x02, 0, 1, 0, 1, 0x61, 0, 0, 0, 10, 0, 0, 0, 10)),
      "BAD_FIELD",
    );
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x02, 0, 1, 0, 1, 0x61, 0, 0, 0, 0, 0, 0, 0, 0)),
      "BAD_FIELD",
    );

    const ok: SegmentAvailability = { segmentId: "a", totalLength: 1, bytesAvailable: 1, complete: true };
    expectProtocolError(() => encodeMessage({ type: "availability-full", segments: [ok, ok] }), "BAD_FIELD");
    expectProtocolError(
      () => encodeMessage({ type: "availability-delta", added: [ok], removed: ["a"] }),
      "BAD_FIELD",
    );
    expectProtocolError(
      () => encodeMessage({ type: "availability-delta", added: [], removed: ["b", "b"] }),
      "BAD_FIELD",
    );
    const entryA = [1, 1, 0x61, 0, 0, 0, 1];
    expectProtocolError(() => decodeMessage(bytes(H, 0x02, 0, 2, ...entryA, ...entryA)), "BAD_FIELD");
    expectProtocolError(() => decodeMessage(bytes(H, 0x03, 0, 1, ...entryA, 0, 1, 1, 0x61)), "BAD_FIELD");

    expectProtocolError(() => encodeDataFrame(1, 8, 10, bytes(1, 2, 3)), "BAD_FIELD");
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x11, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 10, 1, 2, 3)),
      "BAD_FIELD",
    );
    expectProtocolError(() => encodeDataFrame(1, 0, 10, new Uint8Array(0)), "BAD_FIELD");
    expectProtocolError(
      () => decodeMessage(bytes(H, 0x11, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 10)),
      "BAD_FIELD",
    );
    expectProtocolError(() => encodeDataFrame(1, 0xffff_ffff, 0, bytes(1)), "BAD_FIELD");
    for (const requestId of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expectProtocolError(() => encodeMessage({ type: "cancel", requestId }), "BAD_FIELD");
      expectProtocolError(() => encodeDataFrame(requestId, 0, 0, bytes(1)), "BAD_FIELD");
    }
  });
});
