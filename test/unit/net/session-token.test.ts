import { describe, expect, it } from "vitest";
import { ServerKeys } from "../../../demo-server/src/net/server-keys.js";
import { mintSession, sessionCovers, verifySession } from "../../../demo-server/src/net/session-token.js";
import type { SessionClaims } from "../../../demo-server/src/net/session-token.js";

const keys = new ServerKeys("session-token-test-secret");
const swarm = "aa".repeat(20);
const claims: SessionClaims = {
  sessionId: "conn-0001",
  peerId: "2d4e43303130302d".padEnd(40, "0"),
  swarms: [swarm],
  from: keys.addressFingerprint("4/10.0.0.1"),
  issuedAtMs: 1_000,
  expiresAtMs: 61_000,
};

describe("viewer sessions", () => {
  it("verify with the same secret until they expire, and list the swarms joined", () => {
    const token = mintSession(keys, claims);
    expect(token).toMatch(/^ns1\.[\w-]+\.[\w-]+$/);
    const verified = verifySession(keys, token, 60_999);
    expect(verified).toMatchObject({ sessionId: "conn-0001", peerId: claims.peerId, from: claims.from });
    expect(sessionCovers(verified!, swarm)).toBe(true);
    expect(sessionCovers(verified!, "bb".repeat(20))).toBe(false);
    expect(verifySession(keys, token, 61_000)).toBeUndefined();
    // Another instance with the same secret accepts it (scale-out); another secret does not.
    expect(verifySession(new ServerKeys("session-token-test-secret"), token, 2_000)).toBeDefined();
    expect(verifySession(new ServerKeys("another-secret-of-16+"), token, 2_000)).toBeUndefined();
  });

  it("refuses anything altered, malformed or oversized, without throwing", () => {
    const token = mintSession(keys, claims);
    const [prefix, body, mac] = token.split(".");
    const longer = Buffer.from(
      JSON.stringify({ i: "x", p: claims.peerId, s: [], f: "", iat: 0, exp: 9e15 }),
    ).toString("base64url");
    for (const bad of [
      `${prefix}.${longer}.${mac}`,
      `${prefix}.${body}.${mac}x`,
      `nc1.${body}.${mac}`,
      "ns1..",
      "ns1",
      "x".repeat(5000),
      undefined,
      42,
    ]) {
      expect(verifySession(keys, bad, 2_000)).toBeUndefined();
    }
  });

  it("fingerprints an address the same for every peer_id, differently per address and per secret", () => {
    const a = keys.addressFingerprint("4/10.0.0.1");
    expect(a).toMatch(/^[\w-]{22}$/);
    expect(keys.addressFingerprint("4/10.0.0.1")).toBe(a);
    expect(keys.addressFingerprint("4/10.0.0.2")).not.toBe(a);
    expect(new ServerKeys("another-secret-of-16+").addressFingerprint("4/10.0.0.1")).not.toBe(a);
    expect(() => new ServerKeys("short")).toThrow(RangeError);
  });
});
