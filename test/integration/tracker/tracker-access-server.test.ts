// Tracker access control as deployed: the demo server with join tokens on, SDK engines (real WebRTC
// over node-datachannel) passing a stream-scoped token as `?token=` on the tracker URL, refusals in
// /metrics, and the X-Forwarded-For warning when --trust-proxy is off.
import { createHash } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintJoinToken, startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { createNodeEngine } from "../../support/node-engines.js";
import { waitFor } from "../../support/wait-for.js";
import { announce, connect, isAnnounceReply, isFailure, refusalOf } from "./helpers.js";

const SECRET = "server-access-test-secret-0123456789";
const STREAM = "https://cdn.example/event/master.m3u8";
const SWARM_KEY = `${STREAM}|v800000-640x360-avc1`;
const warnings: string[] = [];
let server: RunningServer;
const engines: Engine[] = [];

beforeAll(async () => {
  const logger = pino(
    { level: "warn" },
    { write: (line: string) => void warnings.push(String((JSON.parse(line) as { msg: string }).msg)) },
  );
  server = await startServer({
    host: "127.0.0.1",
    port: 0,
    logger,
    trackerAccess: { joinTokenSecret: SECRET, allowedOrigins: undefined, allowedInfoHashes: undefined },
  });
});
afterAll(async () => {
  for (const engine of engines) engine.destroy();
  await server.close();
});

const trackerUrl = (token?: string) =>
  `${server.url.replace(/^http/, "ws")}/tracker${token ? `?token=${encodeURIComponent(token)}` : ""}`;

describe("join tokens with the SDK and the demo server", () => {
  it("two engines with a stream-scoped token meet; one scoped to another stream is refused", async () => {
    const good = mintJoinToken({ secret: SECRET, streams: [STREAM], ttlSec: 600 });
    const wrong = mintJoinToken({ secret: SECRET, streams: ["https://cdn.example/other.m3u8"], ttlSec: 600 });
    const connected: string[] = [];
    for (const token of [good, good, wrong]) {
      const engine = createNodeEngine({ trackerUrls: [trackerUrl(token)] });
      engines.push(engine);
      engine.on("peer-connected", () => connected.push(token));
      engine.prepareSwarm(SWARM_KEY);
    }
    await waitFor(
      () => connected.filter((t) => t === good).length >= 2 || undefined,
      20_000,
      "two viewers meet",
    );
    await waitFor(() => server.tracker.stats().rejected.token_scope > 0 || undefined, 10_000, "token_scope");
    expect(connected).not.toContain(wrong);
    const swarm = createHash("sha1").update(SWARM_KEY).digest("hex");
    expect(server.tracker.stats().topSwarms).toEqual([
      expect.objectContaining({ infoHash: swarm, peers: 2 }),
    ]);
  });

  it("warns loudly and counts when X-Forwarded-For arrives while trust-proxy is off", async () => {
    const token = mintJoinToken({ secret: SECRET, streams: [STREAM], ttlSec: 600 });
    const client = await connect(trackerUrl(token), { "x-forwarded-for": "203.0.113.7" });
    const infoHash = createHash("sha1").update(SWARM_KEY).digest().toString("latin1");
    client.send(announce(infoHash, "-XX0001-abcdefghijkl", { swarm_key: SWARM_KEY }));
    expect(await client.next((f) => isAnnounceReply(infoHash)(f) || isFailure(f))).toMatchObject({
      interval: 120,
    });
    await client.close();
    expect(server.tracker.stats().forwardedForIgnored).toBe(1);
    expect(warnings.some((w) => /X-Forwarded-For received but trustProxy is off/.test(w))).toBe(true);
  });

  it("exposes refusals by reason in /metrics", async () => {
    expect(await refusalOf(trackerUrl())).toBe("4401 token_missing");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/nearcast_tracker_connections_rejected_total\{reason="token_missing"\} 1/);
    expect(metrics).toMatch(/nearcast_tracker_rejected_total\{reason="token_scope"\} [1-9]/);
    expect(metrics).toMatch(/nearcast_tracker_forwarded_for_ignored_total 1/);
  });
});
