// Where the digest service may connect: public unicast addresses, plus non-public ones the operator
// allows. Checked on the address actually connected to (a `lookup` for http.request), so a DNS name
// that resolves to 127.0.0.1 or 169.254.169.254 — now or after a rebinding — is refused like the
// literal would be.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { networkInterfaces } from "node:os";
import { parseClientAddress } from "../net/ip-address.js";

/** Error code of a connection the guard refused (the request fails with it). */
export const ADDRESS_REFUSED = "ENEARCAST_ADDRESS_NOT_ALLOWED";

/**
 * Not public unicast: this network, private (RFC 1918), shared (RFC 6598), loopback, link-local
 * (cloud metadata at 169.254.169.254), IETF/documentation/benchmark ranges, multicast, reserved;
 * IPv6 loopback/unspecified, NAT64 and 6to4/Teredo (they embed IPv4 targets), ULA, link- and
 * site-local, multicast, documentation (IANA special-purpose registries).
 */
const NON_PUBLIC: readonly [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["100.64.0.0", 10, "ipv4"],
  ["127.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.0.0.0", 24, "ipv4"],
  ["192.0.2.0", 24, "ipv4"],
  ["192.88.99.0", 24, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["198.18.0.0", 15, "ipv4"],
  ["198.51.100.0", 24, "ipv4"],
  ["203.0.113.0", 24, "ipv4"],
  ["224.0.0.0", 4, "ipv4"],
  ["240.0.0.0", 4, "ipv4"],
  ["::", 128, "ipv6"],
  ["::1", 128, "ipv6"],
  ["64:ff9b::", 96, "ipv6"],
  ["64:ff9b:1::", 48, "ipv6"],
  ["100::", 64, "ipv6"],
  ["2001::", 23, "ipv6"],
  ["2001:db8::", 32, "ipv6"],
  ["2002::", 16, "ipv6"],
  ["fc00::", 7, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["fec0::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
];

const nonPublic = new BlockList();
for (const [network, prefix, family] of NON_PUBLIC) nonPublic.addSubnet(network, prefix, family);

interface AllowRule {
  list: BlockList;
  /** undefined = any port. */
  port: number | undefined;
}

/** One allow entry: `ip`, `ip/len`, either with `:port`; IPv6 with a port in brackets. */
export function parseAllowEntry(entry: string): AllowRule {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  let host: string;
  let port: string | undefined;
  if (bracketed) [, host = "", port] = bracketed;
  else if ((text.match(/:/g) ?? []).length > 1) host = text;
  else [host = "", port] = text.split(":");
  const [ip = "", lengthText] = host.split("/");
  const family = isIP(ip);
  const bits = family === 4 ? 32 : 128;
  const length = lengthText === undefined ? bits : Number(lengthText);
  const portNumber = port === undefined ? undefined : Number(port);
  if (family === 0 || !Number.isInteger(length) || length < 0 || length > bits) {
    throw new RangeError(`digests.allowPrivate: ${JSON.stringify(entry)} is not an IP, CIDR or IP:port`);
  }
  if (portNumber !== undefined && !(portNumber >= 1 && portNumber <= 65535)) {
    throw new RangeError(`digests.allowPrivate: ${JSON.stringify(entry)} has no valid port`);
  }
  const list = new BlockList();
  list.addSubnet(ip, length, family === 4 ? "ipv4" : "ipv6");
  return { list, port: portNumber };
}

export class AddressGuard {
  private readonly rules: AllowRule[];

  /** @throws RangeError for an entry that is not an IP, CIDR or IP:port. */
  constructor(allowPrivate: readonly string[]) {
    this.rules = allowPrivate.map(parseAllowEntry);
  }

  /**
   * Allows this server's own listening port on loopback and on every local interface address: the
   * demo origin it serves, as viewers on this machine or its LAN address it.
   */
  allowSelf(port: number): void {
    const addresses = ["127.0.0.0/8", "::1"];
    for (const entries of Object.values(networkInterfaces())) {
      for (const entry of entries ?? []) addresses.push(entry.address.replace(/%.*$/, ""));
    }
    for (const address of addresses) {
      const [ip = "", length] = address.split("/");
      this.rules.push(
        parseAllowEntry(isIP(ip) === 6 ? `[${address}]:${port}` : `${ip}/${length ?? 32}:${port}`),
      );
    }
  }

  /** Whether a connection to `address:port` is allowed: a public address, or one the operator allows. */
  allows(address: string, port: number): boolean {
    const parsed = parseClientAddress(address);
    if (parsed === undefined) return false;
    const family = parsed.family === 4 ? "ipv4" : "ipv6";
    if (!nonPublic.check(parsed.address, family)) return true;
    return this.rules.some(
      (rule) => (rule.port === undefined || rule.port === port) && rule.list.check(parsed.address, family),
    );
  }

  /** A `lookup` for http.request that drops addresses the guard refuses (all refused: an error). */
  lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (error, addresses) => {
        if (error) return callback(error, "", 4);
        const allowed = (addresses as LookupAddress[]).filter((a) => this.allows(a.address, port));
        if (allowed.length === 0) {
          const refused = Object.assign(new Error(`${hostname} resolves to no allowed address`), {
            code: ADDRESS_REFUSED,
          });
          return callback(refused, "", 4);
        }
        if ((options as LookupOptions).all === true) return callback(null, allowed);
        callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    };
  }
}
