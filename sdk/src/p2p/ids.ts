import { sha1 } from "@noble/hashes/legacy.js";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function randomAscii(length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/**
 * A 20-character peer id in the Azureus style WebTorrent clients use ("-NC0100-" + 12 random
 * characters). ASCII only, so its "binary string" wire form and its text are the same.
 */
export function createPeerId(): string {
  return `-NC0100-${randomAscii(12)}`;
}

/** A 20-character offer id, unique enough that answers cannot be misrouted. */
export function createOfferId(): string {
  return randomAscii(20);
}

/**
 * The swarm's info-hash: SHA-1 of the swarm key, as the 20-char binary string (one char per byte)
 * the WebTorrent tracker protocol carries. WebCrypto is not used: it is absent on plain-http pages.
 */
export function infoHashOf(swarmKey: string): string {
  const digest = sha1(new TextEncoder().encode(swarmKey));
  let out = "";
  for (const b of digest) out += String.fromCharCode(b);
  return out;
}

export function toHex(binary: string): string {
  let out = "";
  for (let i = 0; i < binary.length; i++) out += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return out;
}
