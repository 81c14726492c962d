// 40 real viewers behind one address (one network prefix: an office or campus behind a NAT, P2P's
// best case) watch one live stream through the default server: all are admitted to the swarm, each
// connects to peers, and they trade segments over WebRTC. The per-prefix limits must not punish them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { startLiveViewers } from "../../support/node-engines.js";
import type { SimulatedPlayer } from "../../support/simulated-player.js";
import { waitFor } from "../../support/wait-for.js";

const VIEWERS = 40;
const RENDITION = "240p";
let server: RunningServer;
const engines: Engine[] = [];
let players: SimulatedPlayer[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  for (const player of players) await player.stop();
  for (const engine of engines) engine.destroy();
  await server?.close();
});

describe("an office behind one NAT", () => {
  it("40 viewers from one address form one swarm and trade segments", async () => {
    const streamKey = `${server.url}/streams/demo/live/master.m3u8`;
    const started = Date.now();
    players = await startLiveViewers(
      {
        serverUrl: server.url,
        count: VIEWERS,
        rendition: RENDITION,
        swarmKey: `${streamKey}|${RENDITION}`,
        staggerMs: 100,
      },
      (engine) => engines.push(engine),
    );
    // Every viewer is admitted: one swarm of 40, nothing refused.
    await waitFor(
      () => server.tracker.stats().topSwarms[0]?.peers === VIEWERS,
      10_000,
      "all 40 in the swarm",
    );
    const tracker = server.tracker.stats();
    expect(tracker.rejectedTotal).toBe(0);
    expect(tracker.fairnessEvictions).toBe(0);
    // They connect to each other and trade: every viewer has peers, most have received segments from them.
    const connectedCount = () => engines.filter((e) => e.getStats().connectedPeers > 0).length;
    await waitFor(() => connectedCount() === VIEWERS, 30_000, "every viewer connected to a peer");
    const trading = () =>
      engines.filter((e) => e.getStats().connectedPeers > 0 && e.getStats().segments.p2p > 0).length;
    await waitFor(() => trading() >= VIEWERS / 2, 60_000, "half the viewers receiving segments from peers");
    const stats = engines.map((e) => e.getStats());
    const connected = stats.filter((s) => s.connectedPeers > 0).length;
    const p2p = stats.reduce((sum, s) => sum + s.p2pDownloadedBytes, 0);
    const http = stats.reduce((sum, s) => sum + s.httpDownloadedBytes, 0);
    console.log(
      `[nat-office] ${VIEWERS} viewers on one address: ${connected} connected to peers, ${trading()} received ` +
        `segments from peers, offload ${(p2p / (p2p + http)).toFixed(3)} after ${Date.now() - started} ms`,
    );
    expect(connected).toBe(VIEWERS);
    for (const player of players) expect(player.stats.errors).toEqual([]);
  }, 120_000);
});
