// Client addresses: parsed and normalised, grouped into the network prefix that counts as "nearby"
// and the key per-address limits count against.
import { isIPv4, isIPv6 } from "node:net";

/** Network prefix lengths that count as "nearby" (same LAN / same site). */
export const IPV4_PREFIX_BITS = 24;
export const IPV6_PREFIX_BITS = 48;

/** A client address normalised so that equal hosts compare equal. */
export interface ClientAddress {
  family: 4 | 6;
  /** IPv4 dotted quad, or the full 8-hextet IPv6 form (lowercase, no zone, no `::`). */
  address: string;
}

/**
 * Parses an address as Node reports it (`remoteAddress`) or as a proxy writes it (`X-Forwarded-For`
 * entry, possibly with brackets, a port or a zone). IPv4-mapped IPv6 (`::ffff:a.b.c.d` and its hex
 * form) becomes IPv4, so a dual-stack listener groups the same host as an IPv4 listener would.
 */
export function parseClientAddress(raw: string): ClientAddress | undefined {
  const text = stripPortAndBrackets(raw.trim());
  if (isIPv4(text)) return { family: 4, address: text };
  const withoutZone = text.replace(/%.*$/, "");
  if (!isIPv6(withoutZone)) return undefined;
  const hextets = expandIpv6(withoutZone);
  if (hextets === undefined) return undefined;
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const high = hextets[6] ?? 0;
    const low = hextets[7] ?? 0;
    return { family: 4, address: `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}` };
  }
  return { family: 6, address: hextets.map((h) => h.toString(16)).join(":") };
}

function stripPortAndBrackets(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  if (v4WithPort?.[1] !== undefined) return v4WithPort[1];
  return text;
}

/** Expands a valid IPv6 literal (already checked with `isIPv6`) to its 8 hextets. */
function expandIpv6(text: string): number[] | undefined {
  let body = text.toLowerCase();
  const tail: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body);
  if (v4?.[1] !== undefined) {
    const octets = v4[1].split(".").map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = octets;
    tail.push((a << 8) | b, (c << 8) | d);
    body = body.slice(0, -v4[1].length);
    if (body.endsWith(":") && !body.endsWith("::")) body = body.slice(0, -1);
  }
  const [head = "", rest] = body.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = [...parse(rest ?? ""), ...tail];
  const missing = 8 - left.length - right.length;
  if (rest === undefined ? missing !== 0 : missing < 0) return undefined;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}

/**
 * The "same network" key used for proximity: the /24 of an IPv4 address or the /48 of an IPv6 one
 * (a typical site allocation). Peers sharing it are likely on one LAN or one ISP edge.
 */
export function networkPrefix(address: ClientAddress): string {
  if (address.family === 4) {
    const octets = address.address.split(".");
    return `4/${octets.slice(0, IPV4_PREFIX_BITS / 8).join(".")}`;
  }
  return `6/${address.address
    .split(":")
    .slice(0, IPV6_PREFIX_BITS / 16)
    .join(":")}`;
}

/**
 * Key for per-address connection limits: the IPv4 address, or the IPv6 /64 — one host usually owns
 * a whole /64, so limiting single IPv6 addresses would be trivial to evade.
 */
export function connectionLimitKey(address: ClientAddress): string {
  if (address.family === 4) return `4/${address.address}`;
  return `6/${address.address.split(":").slice(0, 4).join(":")}`;
}

/**
 * The client's address. With `trustProxy`, the rightmost `X-Forwarded-For` entry — the one written
 * by the single trusted proxy in front of us; entries to its left come from the client and can be
 * forged. An unparsable header falls back to the socket address.
 */
export function resolveClientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): ClientAddress | undefined {
  if (trustProxy && forwardedFor !== undefined) {
    const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
    const hops = header.split(",").filter((hop) => hop.trim() !== "");
    const last = hops[hops.length - 1];
    const parsed = last === undefined ? undefined : parseClientAddress(last);
    if (parsed !== undefined) return parsed;
  }
  return remoteAddress === undefined ? undefined : parseClientAddress(remoteAddress);
}
