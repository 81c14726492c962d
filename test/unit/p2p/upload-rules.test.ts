// The uploader's rules, step by step: what is held and asked for → send, wait, `absent` or done.
import { describe, expect, it } from "vitest";
import { UNKNOWN_LENGTH } from "../../../sdk/src/core/availability.js";
import { MAX_CHUNK_BYTES } from "../../../sdk/src/p2p/protocol-constants.js";
import { nextUploadStep, servesSegment, uploadsPerSegment } from "../../../sdk/src/p2p/upload-rules.js";

const at = (offset: number, sentAny = offset > 0, rangeEnd?: number) => ({ offset, rangeEnd, sentAny });
const held = (bytesAvailable: number, totalLength = 200_000) => ({ bytesAvailable, totalLength });
const unconfirmed = (bytesAvailable: number) => ({
  ...held(bytesAvailable),
  confirmed: false,
  lengthStated: true,
});

describe("nextUploadStep", () => {
  it.each([
    ["nothing held, not loading it", at(0), undefined, false, { kind: "absent" }],
    ["nothing held yet, loading it", at(0), undefined, true, { kind: "wait" }],
    [
      "the first chunk of a complete segment",
      at(0),
      held(200_000),
      false,
      { kind: "send", bytes: MAX_CHUNK_BYTES },
    ],
    ["the last, short chunk", at(196_608), held(200_000), false, { kind: "send", bytes: 3392 }],
    ["all sent", at(200_000), held(200_000), false, { kind: "done" }],
    ["a request past the end", at(250_000, false), held(200_000), false, { kind: "absent" }],
    ["caught up with a segment still arriving", at(65_536), held(65_536), true, { kind: "wait" }],
    ["caught up, and its download stopped", at(65_536), held(65_536), false, { kind: "absent" }],
    // Every data frame declares the size: a request for another size than the copy's gets `absent`.
    ["a range that ends early", at(0, false, 1000), held(200_000), false, { kind: "absent" }],
    [
      "a range of the whole segment",
      at(0, false, 200_000),
      held(200_000),
      false,
      { kind: "send", bytes: MAX_CHUNK_BYTES },
    ],
    // Size unknown: nothing is sent until a response states it or the copy is confirmed.
    ["size unknown, loading it", at(0), held(5000, UNKNOWN_LENGTH), true, { kind: "wait" }],
    ["size unknown, not loading it", at(0), held(5000, UNKNOWN_LENGTH), false, { kind: "absent" }],
    // Not confirmed yet: everything but the last byte, which waits for the holder's own check.
    [
      "unconfirmed: all but the last byte",
      at(196_608),
      unconfirmed(200_000),
      true,
      { kind: "send", bytes: 3391 },
    ],
    ["unconfirmed: only the last byte left", at(199_999), unconfirmed(200_000), true, { kind: "wait" }],
    [
      "unconfirmed, size only where the bytes ended",
      at(0),
      { ...unconfirmed(200_000), lengthStated: false },
      true,
      { kind: "wait" },
    ],
    // The copy an upload started on was dropped or replaced: the requester falls back on its own.
    [
      "its copy replaced",
      { ...at(65_536), generation: 1 },
      { ...held(200_000), generation: 2 },
      false,
      { kind: "absent" },
    ],
    [
      "its copy still there",
      { ...at(65_536), generation: 2 },
      { ...held(200_000), generation: 2 },
      false,
      { kind: "send", bytes: MAX_CHUNK_BYTES },
    ],
  ])("%s", (_, upload, segment, loading, step) => {
    expect(nextUploadStep(upload, segment, loading)).toEqual(step);
  });
});

describe("uploadsPerSegment", () => {
  it("one at a time under an upload cap, so a segment spreads down a chain; any number without", () => {
    expect(uploadsPerSegment(62_500)).toBe(1);
    expect(uploadsPerSegment(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("servesSegment", () => {
  // A 2-s 540p segment of 222 kB needs 111 kB/s; a 500 kbit/s uplink measures 30–60 kB/s under tc.
  it("refuses a segment the measured uplink cannot pass on in real time", () => {
    expect(servesSegment(45_000, 222_000, 2)).toBe(false);
    expect(servesSegment(110_000, 222_000, 2)).toBe(false);
  });

  it("serves when the uplink carries it in real time: a faster link, or a lighter rendition", () => {
    expect(servesSegment(480_000, 222_000, 2)).toBe(true);
    expect(servesSegment(111_000, 222_000, 2)).toBe(true);
    expect(servesSegment(45_000, 77_000, 2)).toBe(true); // 240p, ~310 kbit/s
  });

  it("serves while nothing is known: no estimate, no size, no duration", () => {
    expect(servesSegment(undefined, 222_000, 2)).toBe(true);
    expect(servesSegment(45_000, 0, 2)).toBe(true);
    expect(servesSegment(45_000, 222_000, undefined)).toBe(true);
  });
});
