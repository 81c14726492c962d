import { describe, expect, it } from "vitest";
import {
  ADDRESS_REFUSED,
  AddressGuard,
  parseAllowEntry,
} from "../../../demo-server/src/digests/address-guard.js";

describe("AddressGuard", () => {
  const guard = new AddressGuard([]);

  it("allows public unicast addresses", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]) {
      expect(guard.allows(address, 443), address).toBe(true);
    }
  });

  it("refuses loopback, private, link-local (cloud metadata), CGNAT, multicast and IPv6 equivalents", () => {
    const refused = [
      "127.0.0.1",
      "127.1.2.3",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "::ffff:127.0.0.1",
      "::ffff:169.254.169.254",
      "fe80::1",
      "fd00::1",
      "ff02::1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
      "not an address",
    ];
    for (const address of refused) expect(guard.allows(address, 80), address).toBe(false);
  });

  it("allows what the operator lists, by address, network and port", () => {
    const allowing = new AddressGuard(["127.0.0.1:8080", "10.0.0.0/8", "[::1]:9000"]);
    expect(allowing.allows("127.0.0.1", 8080)).toBe(true);
    expect(allowing.allows("127.0.0.1", 6379)).toBe(false);
    expect(allowing.allows("10.200.0.5", 6379)).toBe(true);
    expect(allowing.allows("::1", 9000)).toBe(true);
    expect(allowing.allows("::1", 9001)).toBe(false);
    expect(allowing.allows("169.254.169.254", 80)).toBe(false);
  });

  it("allows the server's own port on loopback after allowSelf", () => {
    const self = new AddressGuard([]);
    self.allowSelf(8080);
    expect(self.allows("127.0.0.1", 8080)).toBe(true);
    expect(self.allows("::1", 8080)).toBe(true);
    expect(self.allows("127.0.0.1", 8081)).toBe(false);
  });

  it("refuses a host name that resolves to a refused address, at connection time", async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      guard.lookupFor(80)("localhost", {}, (err) => resolve(err)),
    );
    expect(error?.code).toBe(ADDRESS_REFUSED);
    const allowed = await new Promise<unknown>((resolve) =>
      new AddressGuard(["127.0.0.1:80", "[::1]:80"]).lookupFor(80)("localhost", {}, (err, address) =>
        resolve(err ?? address),
      ),
    );
    expect(["127.0.0.1", "::1"]).toContain(allowed);
  });

  it("rejects allow entries that are not an IP, CIDR or IP:port", () => {
    for (const entry of ["localhost", "10.0.0.0/33", "127.0.0.1:0", "127.0.0.1:99999", "[::1", ""]) {
      expect(() => parseAllowEntry(entry), entry).toThrow(RangeError);
    }
  });
});
