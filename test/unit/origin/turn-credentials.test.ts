import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { iceConfigBody } from "../../../demo-server/src/ice/ice-router.js";
import { DEFAULT_ICE_OPTIONS } from "../../../demo-server/src/ice/ice-options.js";
import { mintTurnCredential } from "../../../demo-server/src/ice/turn-credentials.js";

describe("TURN REST credentials (coturn --use-auth-secret)", () => {
  it("username is expiry:userid, credential is base64(HMAC-SHA1(secret, username))", () => {
    const minted = mintTurnCredential({
      secret: "north",
      ttlSec: 600,
      nowMs: 1_700_000_000_500,
      userId: "v1",
    });
    expect(minted.username).toBe("1700000600:v1");
    expect(minted.expiresAtSec).toBe(1_700_000_600);
    // Independent of the implementation: the value coturn computes for the same pair.
    expect(minted.credential).toBe(createHmac("sha1", "north").update("1700000600:v1").digest("base64"));
    expect(Buffer.from(minted.credential, "base64")).toHaveLength(20);
  });

  it("gives every credential its own random user id", () => {
    const a = mintTurnCredential({ secret: "k", ttlSec: 60, nowMs: 0 });
    const b = mintTurnCredential({ secret: "k", ttlSec: 60, nowMs: 0 });
    expect(a.username).toMatch(/^60:[0-9a-f]{12}$/);
    expect(a.username).not.toBe(b.username);
  });

  it("refuses an empty secret, a bad TTL and a user id with ':'", () => {
    expect(() => mintTurnCredential({ secret: "", ttlSec: 60, nowMs: 0 })).toThrow(/secret/);
    expect(() => mintTurnCredential({ secret: "k", ttlSec: 0, nowMs: 0 })).toThrow(/TTL/);
    expect(() => mintTurnCredential({ secret: "k", ttlSec: 60, nowMs: 0, userId: "a:b" })).toThrow(/':'/);
  });
});

describe("GET /api/ice body", () => {
  it("offers STUN only while TURN is not configured", () => {
    expect(iceConfigBody(DEFAULT_ICE_OPTIONS, 0)).toEqual({
      iceServers: [{ urls: [...DEFAULT_ICE_OPTIONS.stunUrls] }],
      ttlSec: 3600,
    });
  });

  it("adds TURN with a fresh credential when configured", () => {
    const body = iceConfigBody(
      { stunUrls: [], turnUrls: ["turn:t.example:3478?transport=udp"], turnSecret: "k", turnTtlSec: 600 },
      10_000,
    );
    expect(body.ttlSec).toBe(600);
    expect(body.iceServers).toHaveLength(1);
    const turn = body.iceServers[0]!;
    expect(turn.urls).toEqual(["turn:t.example:3478?transport=udp"]);
    expect(turn.username).toMatch(/^610:/);
    expect(turn.credential).toBe(createHmac("sha1", "k").update(turn.username!).digest("base64"));
  });
});
