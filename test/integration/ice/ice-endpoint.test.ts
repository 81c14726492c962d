import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { ServerOptionsError } from "../../../demo-server/src/config.js";
import { mintJoinToken } from "../../../demo-server/src/net/join-token.js";
import { IceConfigSource, parseIceConfigResponse } from "../../../sdk/src/p2p/ice-config.js";

const SECRET = "ice-endpoint-test-secret";
const NOW_MS = 1_700_000_000_000;
const ICE = {
  stunUrls: ["stun:stun.example.test:3478"],
  turnUrls: ["turn:turn.example.test:3478?transport=udp"],
  turnSecret: SECRET,
  turnTtlSec: 900,
};
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    clock: () => NOW_MS,
    ice: ICE,
    // No join tokens: only an explicit "open" lets TURN start that way.
    turnOpen: true,
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

  it("refuses to start with TURN but without join tokens unless told it is open", async () => {
    await expect(startServer({ host: "127.0.0.1", port: 0, ice: ICE })).rejects.toThrow(
      /TURN without join tokens.*--turn-open/,
    );
  });

  it("with only an Origin allow-list, refuses to start unless open; open, a request without Origin gets nothing", async () => {
    const allowList = {
      joinTokenSecret: undefined,
      allowedOrigins: ["https://site.example"],
      allowedInfoHashes: undefined,
    };
    await expect(
      startServer({ host: "127.0.0.1", port: 0, ice: ICE, trackerAccess: allowList }),
    ).rejects.toThrow(ServerOptionsError);
    const open = await startServer({
      host: "127.0.0.1",
      port: 0,
      ice: ICE,
      trackerAccess: allowList,
      turnOpen: true,
    });
    try {
      const noOrigin = await fetch(`${open.url}/api/ice`);
      expect(noOrigin.status).toBe(403);
      expect(await noOrigin.json()).toEqual({ error: "origin_not_allowed" });
      const fromSite = await fetch(`${open.url}/api/ice`, { headers: { Origin: "https://site.example" } });
      expect(parseIceConfigResponse(await fromSite.text()).iceServers).toHaveLength(2);
    } finally {
      await open.close();
    }
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

describe("GET /api/ice under the tracker's access rules", () => {
  const TOKEN_SECRET = "join-token-secret-of-this-test";
  const PAGE = "https://www.site.example";
  let guarded: RunningServer;
  const token = (ttlSec: number, nowMs = NOW_MS) =>
    mintJoinToken({ secret: TOKEN_SECRET, streams: ["https://cdn.example/live/master.m3u8"], ttlSec, nowMs });

  beforeAll(async () => {
    guarded = await startServer({
      host: "127.0.0.1",
      port: 0,
      clock: () => NOW_MS,
      ice: ICE,
      trackerAccess: { joinTokenSecret: TOKEN_SECRET, allowedOrigins: [PAGE], allowedInfoHashes: undefined },
    });
  });
  afterAll(() => guarded?.close());

  it("hands TURN credentials only to holders of a join token, from allowed pages", async () => {
    // A browser on the allowed page sends its Origin with every cross-origin request.
    const get = (query: string, headers: Record<string, string> = { Origin: PAGE }) =>
      fetch(`${guarded.url}/api/ice${query}`, { headers });
    const missing = await get("");
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "token_missing" });
    expect((await get("?token=nc1.forged.sig")).status).toBe(401);
    const expired = await get(`?token=${encodeURIComponent(token(60, NOW_MS - 120_000))}`);
    expect(await expired.json()).toEqual({ error: "token_expired" });
    // A page elsewhere is refused even with a valid token, and may not read the answer.
    const foreign = await get(`?token=${encodeURIComponent(token(600))}`, { Origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();

    // With an allow-list, a request without Origin is not from an allowed page, token or not.
    const noOrigin = await get(`?token=${encodeURIComponent(token(600))}`, {});
    expect(noOrigin.status).toBe(403);
    expect(await noOrigin.json()).toEqual({ error: "origin_not_allowed" });

    // The token in the URL (as the SDK's iceConfigUrl carries it), from the allowed page. The
    // credential lives the configured 900 s, but not past the 600 s the token has left.
    const fromPage = await get(`?token=${encodeURIComponent(token(600))}`, { Origin: PAGE });
    expect(fromPage.status).toBe(200);
    expect(fromPage.headers.get("access-control-allow-origin")).toBe(PAGE);
    const granted = parseIceConfigResponse(await fromPage.text());
    expect(granted.ttlSec).toBe(600);
    expect(granted.iceServers[1]?.username).toMatch(/^1700000600:/);
    // A token about to expire gets a credential that expires with it.
    const shortLived = await get(`?token=${encodeURIComponent(token(5))}`, { Origin: PAGE });
    expect(parseIceConfigResponse(await shortLived.text()).iceServers[1]?.username).toMatch(/^1700000005:/);
    // The token as a bearer header.
    const bearer = await get("", { Authorization: `Bearer ${token(600)}`, Origin: PAGE });
    expect(bearer.status).toBe(200);

    const metrics = await (await fetch(`${guarded.url}/metrics`)).text();
    expect(metrics).toContain('nearcast_ice_requests_total{result="token_missing"} 1');
    expect(metrics).toContain('nearcast_ice_requests_total{result="token_invalid"} 1');
    expect(metrics).toContain('nearcast_ice_requests_total{result="token_expired"} 1');
    expect(metrics).toContain('nearcast_ice_requests_total{result="origin_not_allowed"} 2');
    expect(metrics).toContain('nearcast_ice_requests_total{result="ok"} 3');
  });

  it("the SDK's iceConfigUrl with the viewer's token gets TURN; without it, its fallback and a warning", async () => {
    const warnings: string[] = [];
    const fallback = { iceServers: [{ urls: "stun:fallback.example:3478" }] };
    // What a browser on the allowed page sends along: its Origin.
    const fromPage: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Origin: PAGE } });
    const source = (url: string) =>
      new IceConfigSource({
        url,
        fallback,
        fetchImpl: fromPage,
        log: () => undefined,
        onWarning: (m) => warnings.push(m),
      });
    const withToken = source(`${guarded.url}/api/ice?token=${encodeURIComponent(token(600))}`);
    const configured = await withToken.get();
    withToken.destroy();
    expect(configured.iceServers?.map((s) => s.urls)).toEqual([ICE.stunUrls, ICE.turnUrls]);
    expect(warnings).toEqual([]);

    const stranger = source(`${guarded.url}/api/ice`);
    expect(await stranger.get()).toEqual(fallback);
    stranger.destroy();
    expect(warnings.join("\n")).toMatch(/401/);
  });
});
