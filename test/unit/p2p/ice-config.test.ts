import { describe, expect, it } from "vitest";
import { IceConfigSource, parseIceConfigResponse } from "../../../sdk/src/p2p/ice-config.js";

const TURN = {
  urls: ["turn:turn.example:3478?transport=udp"],
  username: "1700000000:v1",
  credential: "abc=",
};

describe("parseIceConfigResponse", () => {
  it("accepts STUN and TURN servers with a TTL", () => {
    const text = JSON.stringify({ iceServers: [{ urls: "stun:stun.example:3478" }, TURN], ttlSec: 600 });
    expect(parseIceConfigResponse(text)).toEqual({
      iceServers: [{ urls: ["stun:stun.example:3478"] }, TURN],
      ttlSec: 600,
    });
  });

  it.each([
    ["not json", /not JSON/],
    ["null", /not an object/],
    [JSON.stringify({ iceServers: "stun:x" }), /iceServers must be an array/],
    [JSON.stringify({ iceServers: Array.from({ length: 17 }, () => ({ urls: "stun:x" })) }), /at most 16/],
    [JSON.stringify({ iceServers: [{ urls: [] }] }), /urls must name/],
    [JSON.stringify({ iceServers: [{ urls: "http://x" }] }), /invalid URL/],
    [JSON.stringify({ iceServers: [{ urls: "turn:x:3478" }] }), /TURN without a username/],
    [JSON.stringify({ iceServers: [], ttlSec: -1 }), /ttlSec/],
    [JSON.stringify({ iceServers: [{ urls: "stun:" + "x".repeat(600) }] }), /invalid URL/],
  ])("rejects %s", (text, message) => {
    expect(() => parseIceConfigResponse(text)).toThrow(message);
  });
});

describe("IceConfigSource", () => {
  const fallback: RTCConfiguration = {
    iceServers: [{ urls: "stun:fallback:3478" }],
    iceTransportPolicy: "all",
  };

  it("replaces the configured iceServers with the fetched ones and fetches once while valid", async () => {
    let fetches = 0;
    const source = new IceConfigSource({
      url: "http://ice.test/api/ice",
      fallback,
      fetchImpl: (async () => {
        fetches++;
        return new Response(JSON.stringify({ iceServers: [TURN], ttlSec: 3600 }));
      }) as typeof fetch,
      log: () => undefined,
      onWarning: () => undefined,
    });
    const [a, b] = await Promise.all([source.get(), source.get()]);
    expect(a).toEqual({ iceServers: [TURN], iceTransportPolicy: "all" });
    expect(b).toBe(a);
    expect(await source.get()).toBe(a);
    expect(fetches).toBe(1);
    source.destroy();
    source.destroy();
  });

  it("falls back to rtcConfiguration with a warning when the endpoint fails or lies", async () => {
    for (const respond of [
      () => new Response("oops", { status: 500 }),
      () => new Response(JSON.stringify({ iceServers: [{ urls: "turn:x" }] })),
      () => Promise.reject(new TypeError("connection refused")),
    ]) {
      const warnings: string[] = [];
      const source = new IceConfigSource({
        url: "http://ice.test/api/ice",
        fallback,
        fetchImpl: (async () => respond()) as typeof fetch,
        log: () => undefined,
        onWarning: (message) => warnings.push(message),
      });
      expect(await source.get()).toEqual(fallback);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/ICE config from http:\/\/ice.test\/api\/ice unusable/);
      source.destroy();
    }
  });
});
