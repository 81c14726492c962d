import { describe, expect, it } from "vitest";
import {
  decodeEntry,
  decodeRelay,
  decodeSwarm,
  encodeEntry,
  encodeRelay,
  hexToId,
  idToHex,
} from "../../../demo-server/src/tracker/federation-codec.js";

const id = (byte: number) => String.fromCharCode(byte).repeat(20);
const entry = {
  instanceId: "0123456789abcdef",
  complete: false,
  expiresAtMs: 2_000,
  ipPrefix: "10.0.0.0/24",
  region: "eu",
};

describe("federation codec", () => {
  it("round-trips binary ids (every byte value) through hex", () => {
    const all = Array.from({ length: 20 }, (_, i) => String.fromCharCode(i * 13)).join("");
    expect(hexToId(idToHex(all))).toBe(all);
    expect(idToHex(id(0xff))).toBe("ff".repeat(20));
  });

  it("round-trips an entry, with and without hints", () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
    const bare = { ...entry, complete: true, ipPrefix: undefined, region: undefined };
    expect(decodeEntry(encodeEntry(bare))).toEqual(bare);
  });

  it("rejects malformed entries", () => {
    for (const bad of [
      "",
      "x\t1\t5\t\t",
      "0123456789abcdef\t2\t5\t\t",
      "0123456789abcdef\t1\tsoon\t\t",
      "a\tb",
    ]) {
      expect(decodeEntry(bad)).toBeUndefined();
    }
  });

  it("lists live remote members; expired and malformed fields are stale; own entries are skipped", () => {
    const hash = {
      [idToHex(id(1))]: encodeEntry(entry),
      [idToHex(id(2))]: encodeEntry({ ...entry, expiresAtMs: 500 }),
      [idToHex(id(3))]: encodeEntry({ ...entry, instanceId: "ffffffffffffffff" }),
      "not-hex": encodeEntry(entry),
      [idToHex(id(4))]: "garbage",
    };
    const { peers, stale } = decodeSwarm(hash, "ffffffffffffffff", 1_000);
    expect(peers).toEqual([
      { peerId: id(1), instanceId: entry.instanceId, complete: false, ipPrefix: "10.0.0.0/24", region: "eu" },
    ]);
    expect(stale.sort()).toEqual([idToHex(id(2)), idToHex(id(4)), "not-hex"].sort());
  });

  it("round-trips a relay and rejects truncated or foreign messages", () => {
    const frame = JSON.stringify({ action: "announce", peer_id: id(0xe9) });
    expect(decodeRelay(encodeRelay(id(5), id(6), frame))).toEqual({
      infoHash: id(5),
      toPeerId: id(6),
      frame,
    });
    expect(decodeRelay("abc")).toBeUndefined();
    expect(decodeRelay(idToHex(id(5)) + idToHex(id(6)))).toBeUndefined();
    expect(decodeRelay("zz".repeat(40) + frame)).toBeUndefined();
  });
});
