import { describe, expect, it } from "vitest";
import {
  connectionLimitKey,
  networkPrefix,
  parseClientAddress,
  resolveClientAddress,
} from "../../../demo-server/src/net/ip-address.js";

describe("parseClientAddress", () => {
  it("normalises IPv4, IPv6 and IPv4-mapped IPv6", () => {
    expect(parseClientAddress("192.168.1.7")).toEqual({ family: 4, address: "192.168.1.7" });
    expect(parseClientAddress("::ffff:192.168.1.7")).toEqual({ family: 4, address: "192.168.1.7" });
    expect(parseClientAddress("::FFFF:c0a8:0107")).toEqual({ family: 4, address: "192.168.1.7" });
    expect(parseClientAddress("2001:DB8::1")).toEqual({ family: 6, address: "2001:db8:0:0:0:0:0:1" });
    expect(parseClientAddress("::1")).toEqual({ family: 6, address: "0:0:0:0:0:0:0:1" });
    expect(parseClientAddress("fe80::1%eth0")).toEqual({ family: 6, address: "fe80:0:0:0:0:0:0:1" });
    expect(parseClientAddress("64:ff9b::1.2.3.4")).toEqual({ family: 6, address: "64:ff9b:0:0:0:0:102:304" });
  });

  it("strips ports and brackets as proxies write them", () => {
    expect(parseClientAddress(" 10.0.0.1:5555 ")).toEqual({ family: 4, address: "10.0.0.1" });
    expect(parseClientAddress("[2001:db8::2]:443")).toEqual({ family: 6, address: "2001:db8:0:0:0:0:0:2" });
  });

  it("rejects garbage", () => {
    for (const raw of ["", "unknown", "999.1.1.1", "1.2.3", "2001:::1", "<script>"]) {
      expect(parseClientAddress(raw)).toBeUndefined();
    }
  });
});

describe("networkPrefix", () => {
  const prefix = (raw: string): string => {
    const parsed = parseClientAddress(raw);
    if (parsed === undefined) throw new Error(raw);
    return networkPrefix(parsed);
  };

  it("groups IPv4 by /24", () => {
    expect(prefix("10.1.2.3")).toBe(prefix("10.1.2.250"));
    expect(prefix("10.1.2.3")).not.toBe(prefix("10.1.3.3"));
  });

  it("groups IPv6 by /48", () => {
    expect(prefix("2001:db8:aa:1::1")).toBe(prefix("2001:db8:aa:ffff::9"));
    expect(prefix("2001:db8:aa::1")).not.toBe(prefix("2001:db8:ab::1"));
  });

  it("treats IPv4-mapped IPv6 as IPv4", () => {
    expect(prefix("::ffff:10.1.2.3")).toBe(prefix("10.1.2.99"));
  });
});

describe("connectionLimitKey", () => {
  it("is the IPv4 address or the IPv6 /64", () => {
    const key = (raw: string): string =>
      connectionLimitKey(parseClientAddress(raw) ?? { family: 4, address: "" });
    expect(key("10.0.0.1")).not.toBe(key("10.0.0.2"));
    expect(key("2001:db8:1:2::1")).toBe(key("2001:db8:1:2:ffff::7"));
    expect(key("2001:db8:1:2::1")).not.toBe(key("2001:db8:1:3::1"));
  });
});

describe("resolveClientAddress", () => {
  it("ignores X-Forwarded-For unless the proxy is trusted", () => {
    expect(resolveClientAddress("127.0.0.1", "1.2.3.4", false)?.address).toBe("127.0.0.1");
  });

  it("uses the rightmost X-Forwarded-For entry with trustProxy (spoofed entries on the left)", () => {
    expect(resolveClientAddress("127.0.0.1", "6.6.6.6, 1.2.3.4", true)?.address).toBe("1.2.3.4");
    expect(resolveClientAddress("127.0.0.1", ["6.6.6.6", "5.5.5.5, 1.2.3.4 "], true)?.address).toBe(
      "1.2.3.4",
    );
  });

  it("falls back to the socket address when the header is absent or invalid", () => {
    expect(resolveClientAddress("::ffff:127.0.0.1", undefined, true)?.address).toBe("127.0.0.1");
    expect(resolveClientAddress("127.0.0.1", "garbage", true)?.address).toBe("127.0.0.1");
    expect(resolveClientAddress("127.0.0.1", " , ", true)?.address).toBe("127.0.0.1");
    expect(resolveClientAddress(undefined, undefined, false)).toBeUndefined();
  });
});
