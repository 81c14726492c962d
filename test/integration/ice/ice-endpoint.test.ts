import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { ServerOptionsError } from "../../../demo-server/src/config.js";
import { parseIceConfigResponse } from "../../../sdk/src/p2p/ice-config.js";

const SECRET = "ice-endpoint-test-secret";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    clock: () => 1_700_000_000_000,
    ice: {
      stunUrls: ["stun:stun.example.test:3478"],
      turnUrls: ["turn:turn.example.test:3478?transport=udp"],
      turnSecret: SECRET,
      turnTtlSec: 900,
    },
  });
});

afterAll(() => server?.close());

describe("GET /api/ice", () => {
  it("hands out STUN and a fresh coturn REST credential the SDK accepts, never cached", async () => {
    const first = await fetch(`${server.url}/api/ice`);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    const body = parseIceConfigResponse(await first.text());
    expect(body.ttlSec).toBe(900);
    expect(body.iceServers[0]).toEqual({ urls: ["stun:stun.example.test:3478"] });
    const turn = body.iceServers[1]!;
    expect(turn.username).toMatch(/^1700000900:[0-9a-f]+$/);
    expect(turn.credential).toBe(createHmac("sha1", SECRET).update(String(turn.username)).digest("base64"));

    const second = parseIceConfigResponse(await (await fetch(`${server.url}/api/ice`)).text());
    expect(second.iceServers[1]!.username).not.toBe(turn.username);
  });

  it("refuses to start with TURN URLs but no secret", async () => {
    await expect(
      startServer({
        host: "127.0.0.1",
        port: 0,
        ice: { stunUrls: [], turnUrls: ["turn:t:3478"], turnSecret: undefined, turnTtlSec: 600 },
      }),
    ).rejects.toThrow(ServerOptionsError);
  });
});
