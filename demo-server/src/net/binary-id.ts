// The 20-byte ids of the WebTorrent tracker protocol (`info_hash`, `peer_id`) in their wire form, a
// latin1 "binary" string (one char per byte), and their hex form for JSON, logs and join tokens.

/** 20 bytes as a string of 20 chars with codes 0–255 (what bittorrent-tracker's client sends). */
export type BinaryId = string;

/** Hex form of a binary id, for logs and the stats JSON (binary strings are unreadable there). */
export function binaryIdToHex(id: BinaryId): string {
  return Buffer.from(id, "latin1").toString("hex");
}

/** The inverse of {@link binaryIdToHex}: 40 hex chars → the 20-char binary string. */
export function hexToBinaryId(hex: string): BinaryId {
  return Buffer.from(hex, "hex").toString("latin1");
}
