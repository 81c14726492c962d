import { describe, expect, it } from "vitest";
import { isBinaryId, parseMessage, parseRegion } from "../../../demo-server/src/tracker/parse-message.js";
import type { ParseResult } from "../../../demo-server/src/tracker/parse-message.js";
import type { TrackerMessageRefusal } from "../../../demo-server/src/net/refusal-reasons.js";

const limits = { maxOffersPerAnnounce: 10, maxNumwant: 50, maxScrapeInfoHashes: 50 };

/** A 20-byte id as bittorrent-tracker sends it: hex2bin → one char per byte, codes 0–255. */
const bin = (hex: string): string => Buffer.from(hex.padEnd(40, "0"), "hex").toString("latin1");
const INFO_HASH = bin("ff00aa01");
const PEER_A = bin("a1");
const PEER_B = bin("b2");
const OFFER_ID = bin("0f");
const SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n";

const parse = (msg: unknown): ParseResult => parseMessage(JSON.stringify(msg), limits);
const announce = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  action: "announce",
  info_hash: INFO_HASH,
  peer_id: PEER_A,
  ...extra,
});

function expectRejected(result: ParseResult, reason: TrackerMessageRefusal): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.rejection.reason).toBe(reason);
}

describe("parseMessage: valid messages", () => {
  it("parses an announce with offers as bittorrent-tracker sends it", () => {
    const result = parse(
      announce({
        numwant: 5,
        uploaded: 0,
        downloaded: 0,
        event: "started",
        offers: [{ offer_id: OFFER_ID, offer: { type: "offer", sdp: SDP } }],
      }),
    );
    expect(result).toEqual({
      ok: true,
      request: {
        action: "announce",
        infoHash: INFO_HASH,
        peerId: PEER_A,
        event: "started",
        numwant: 5,
        left: undefined,
        offers: [{ offerId: OFFER_ID, offer: { type: "offer", sdp: SDP } }],
        region: undefined,
        warnings: [],
      },
    });
  });

  it("survives the JSON round trip of bytes 0x00-0xff (latin1 binary strings)", () => {
    const allBytes = Buffer.from(Array.from({ length: 20 }, (_, i) => (i * 13 + 250) % 256)).toString(
      "latin1",
    );
    expect(isBinaryId(allBytes)).toBe(true);
    const result = parse(announce({ info_hash: allBytes }));
    expect(result.ok && result.request.action === "announce" && result.request.infoHash).toBe(allBytes);
  });

  it("defaults a missing event to update and maps paused/empty to update", () => {
    for (const event of [undefined, null, "update", "paused", "empty"]) {
      const result = parse(announce({ event }));
      expect(result.ok && result.request.action === "announce" && result.request.event).toBe("update");
    }
  });

  it("accepts left: null (JSON of Infinity) and left: 0 (seeder)", () => {
    const unknown = parse(announce({ left: null }));
    expect(unknown.ok && unknown.request.action === "announce" && unknown.request.left).toBe(undefined);
    const seeder = parse(announce({ left: 0, event: "completed" }));
    expect(seeder.ok && seeder.request.action === "announce" && seeder.request.left).toBe(0);
  });

  it("caps numwant with a warning and ignores an invalid region with a warning", () => {
    const result = parse(announce({ numwant: 1000, region: "x".repeat(33) }));
    expect(result.ok).toBe(true);
    if (!result.ok || result.request.action !== "announce") return;
    expect(result.request.numwant).toBe(50);
    expect(result.request.region).toBeUndefined();
    expect(result.request.warnings).toHaveLength(2);
  });

  it("accepts a region hint", () => {
    const result = parse(announce({ region: "eu-west-1" }));
    expect(result.ok && result.request.action === "announce" && result.request.region).toBe("eu-west-1");
  });

  it("parses an answer and keeps only {type, sdp}", () => {
    const result = parse(
      announce({
        peer_id: PEER_B,
        to_peer_id: PEER_A,
        offer_id: OFFER_ID,
        answer: { type: "answer", sdp: SDP, candidate: "evil" },
      }),
    );
    expect(result).toEqual({
      ok: true,
      request: {
        action: "answer",
        infoHash: INFO_HASH,
        peerId: PEER_B,
        toPeerId: PEER_A,
        offerId: OFFER_ID,
        answer: { type: "answer", sdp: SDP },
      },
    });
  });

  it("parses scrapes: one hash, a list (deduplicated), or none (all swarms)", () => {
    expect(parse({ action: "scrape", info_hash: INFO_HASH })).toEqual({
      ok: true,
      request: { action: "scrape", infoHashes: [INFO_HASH] },
    });
    expect(parse({ action: "scrape", info_hash: [INFO_HASH, INFO_HASH, PEER_A] })).toEqual({
      ok: true,
      request: { action: "scrape", infoHashes: [INFO_HASH, PEER_A] },
    });
    expect(parse({ action: "scrape" })).toEqual({
      ok: true,
      request: { action: "scrape", infoHashes: undefined },
    });
  });

  it("ignores unknown fields (other clients add their own, e.g. trackerid)", () => {
    expect(parse(announce({ trackerid: "x", whatever: { deep: [1, 2] } })).ok).toBe(true);
  });
});

describe("parseMessage: malformed input", () => {
  const offer = { offer_id: OFFER_ID, offer: { type: "offer", sdp: SDP } };
  const answer = { to_peer_id: PEER_B, offer_id: OFFER_ID, answer: { type: "answer", sdp: SDP } };
  const cases: [string, string, TrackerMessageRefusal][] = [
    ["not JSON", "{action:", "invalid_json"],
    ["empty", "", "invalid_json"],
    ["JSON array", "[]", "not_an_object"],
    ["JSON string", '"announce"', "not_an_object"],
    ["JSON null", "null", "not_an_object"],
    ["no action", JSON.stringify({ info_hash: INFO_HASH }), "invalid_action"],
    ["unknown action", JSON.stringify({ action: "connect" }), "invalid_action"],
    ["action of wrong type", JSON.stringify({ action: 1 }), "invalid_action"],
    ["missing info_hash", JSON.stringify({ action: "announce", peer_id: PEER_A }), "invalid_info_hash"],
    [
      "hex info_hash (40 chars)",
      JSON.stringify(announce({ info_hash: "ab".repeat(20) })),
      "invalid_info_hash",
    ],
    ["short info_hash", JSON.stringify(announce({ info_hash: "abc" })), "invalid_info_hash"],
    [
      "info_hash with char > 0xff",
      JSON.stringify(announce({ info_hash: "€".repeat(20) })),
      "invalid_info_hash",
    ],
    ["numeric info_hash", JSON.stringify(announce({ info_hash: 12345 })), "invalid_info_hash"],
    ["bad peer_id", JSON.stringify(announce({ peer_id: ["x"] })), "invalid_peer_id"],
    ["21-char peer_id", JSON.stringify(announce({ peer_id: PEER_A + "x" })), "invalid_peer_id"],
    ["unknown event", JSON.stringify(announce({ event: "exploded" })), "invalid_event"],
    ["prototype event", JSON.stringify(announce({ event: "constructor" })), "invalid_event"],
    ["event of wrong type", JSON.stringify(announce({ event: 3 })), "invalid_event"],
    ["negative numwant", JSON.stringify(announce({ numwant: -1 })), "invalid_number"],
    ["string numwant", JSON.stringify(announce({ numwant: "5" })), "invalid_number"],
    ["negative left", JSON.stringify(announce({ left: -5 })), "invalid_number"],
    ["object uploaded", JSON.stringify(announce({ uploaded: {} })), "invalid_number"],
    ["offers not an array", JSON.stringify(announce({ offers: offer })), "invalid_offers"],
    ["offer entry not an object", JSON.stringify(announce({ offers: ["x"] })), "invalid_offers"],
    [
      "offer with wrong type",
      JSON.stringify(announce({ offers: [{ ...offer, offer: { type: "answer", sdp: SDP } }] })),
      "invalid_offers",
    ],
    [
      "offer with empty sdp",
      JSON.stringify(announce({ offers: [{ ...offer, offer: { type: "offer", sdp: "" } }] })),
      "invalid_offers",
    ],
    [
      "offer with huge sdp",
      JSON.stringify(announce({ offers: [{ ...offer, offer: { type: "offer", sdp: "a".repeat(16_385) } }] })),
      "invalid_offers",
    ],
    [
      "offer without offer_id",
      JSON.stringify(announce({ offers: [{ offer: offer.offer }] })),
      "invalid_offer_id",
    ],
    [
      "offer_id too long",
      JSON.stringify(announce({ offers: [{ ...offer, offer_id: "x".repeat(65) }] })),
      "invalid_offer_id",
    ],
    ["11 offers", JSON.stringify(announce({ offers: Array(11).fill(offer) })), "too_many_offers"],
    [
      "answer without to_peer_id",
      JSON.stringify(announce({ ...answer, to_peer_id: undefined })),
      "invalid_to_peer_id",
    ],
    ["answer with bad offer_id", JSON.stringify(announce({ ...answer, offer_id: 7 })), "invalid_offer_id"],
    [
      "answer of wrong type",
      JSON.stringify(announce({ ...answer, answer: { type: "offer", sdp: SDP } })),
      "invalid_answer",
    ],
    ["answer as string", JSON.stringify(announce({ ...answer, answer: "sdp" })), "invalid_answer"],
    ["answer with offers", JSON.stringify(announce({ ...answer, offers: [offer] })), "invalid_answer"],
    ["scrape with bad hash", JSON.stringify({ action: "scrape", info_hash: ["x"] }), "invalid_info_hash"],
    ["scrape with numeric hash", JSON.stringify({ action: "scrape", info_hash: 5 }), "invalid_info_hash"],
    [
      "scrape of 51 hashes",
      JSON.stringify({
        action: "scrape",
        info_hash: Array.from({ length: 51 }, (_, i) => bin(i.toString(16))),
      }),
      "too_many_info_hashes",
    ],
  ];

  it.each(cases)("rejects %s", (_name, text, reason) => {
    expectRejected(parseMessage(text, limits), reason);
  });

  it("echoes action and a valid info_hash so the client can match the failure", () => {
    const result = parse(announce({ event: "bogus" }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.action).toBe("announce");
    expect(result.rejection.infoHash).toBe(INFO_HASH);
    expect(result.rejection.message).toMatch(/event/);
  });

  it("never throws, whatever the input", () => {
    const inputs = [
      "\u0000",
      "1e999",
      '{"__proto__":{"action":"scrape"}}',
      '{"action":"announce","offers":{}}',
    ];
    for (const text of inputs) expect(() => parseMessage(text, limits)).not.toThrow();
    expectRejected(parseMessage('{"__proto__":{"action":"scrape"}}', limits), "invalid_action");
  });
});

describe("parseRegion", () => {
  it("accepts short labels and rejects everything else", () => {
    expect(parseRegion("eu-west-1")).toBe("eu-west-1");
    expect(parseRegion("x".repeat(32))).toBe("x".repeat(32));
    expect(parseRegion("x".repeat(33))).toBeUndefined();
    expect(parseRegion("")).toBeUndefined();
    expect(parseRegion("a b")).toBeUndefined();
    expect(parseRegion(42)).toBeUndefined();
    expect(parseRegion(undefined)).toBeUndefined();
  });
});
