import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { demoLiveSegmentFromDisk, startLiveViewers } from "../../support/node-engines.js";
import type { SimulatedPlayerStats } from "../../support/simulated-player.js";
import { sleep } from "../../support/wait-for.js";

const RENDITION = "360p";
let server: RunningServer;
const engines: Engine[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  for (const engine of engines) engine.destroy();
  await server?.close();
});

describe("P2P swarm of Node engines on the live demo stream", () => {
  it("later viewers get most segments from peers, byte-identical to the origin", async () => {
    const mismatches: string[] = [];
    const players = await startLiveViewers(
      {
        serverUrl: server.url,
        count: 4,
        rendition: RENDITION,
        swarmKey: `demo-live|${RENDITION}`,
        onSegment: (viewer, msn, data) => {
          const expected = demoLiveSegmentFromDisk(RENDITION, msn);
          if (Buffer.compare(Buffer.from(data), Buffer.from(expected)) !== 0) {
            mismatches.push(`viewer ${viewer} msn ${msn}`);
          }
        },
      },
      (engine) => engines.push(engine),
    );
    await sleep(24_000);
    const results: SimulatedPlayerStats[] = [];
    for (const player of players) results.push(await player.stop());
    const stats = engines.map((e) => e.getStats());
    const origin = server.origin.getStats();
    const received = results.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `viewers: ${results.map((r, i) => `#${i} http=${stats[i]!.httpDownloadedBytes} p2p=${stats[i]!.p2pDownloadedBytes} segs=${JSON.stringify(r.segments)} stalls=${r.stalls}`).join(" | ")}`,
    );
    console.log(
      `origin media bytes ${origin.totals.mediaBytes} of ${received} received: offload ${(1 - origin.totals.mediaBytes / received).toFixed(3)}`,
    );

    expect(mismatches).toEqual([]);
    for (const r of results) expect(r.errors).toEqual([]);
    // Whoever sees a new segment first fetches it from the CDN (not always viewer #0), so judge
    // the later viewers together: most of their bytes came from peers.
    const later = stats.slice(1);
    const laterP2p = later.reduce((sum, s) => sum + s.p2pDownloadedBytes, 0);
    const laterHttp = later.reduce((sum, s) => sum + s.httpDownloadedBytes, 0);
    expect(laterP2p).toBeGreaterThan(laterHttp);
    for (const r of results) expect(r.stalls).toBe(0);
    expect(origin.totals.mediaBytes).toBeLessThan(received / 2);
  });
});
