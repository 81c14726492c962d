// Real SDK engines share the live stream over WebRTC and report to the real stats endpoint: the
// server's totals must equal the sum of the clients' own counters, and agree with the origin's.
import { describe, expect, it } from "vitest";
import { useDemoServer } from "../../support/demo-server-lab.js";
import type { StatsSnapshot } from "../../../demo-server/src/stats/snapshot-types.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { startLiveViewers } from "../../support/node-engines.js";
import { waitFor } from "../../support/wait-for.js";

const RENDITION = "360p";
const { server, engines } = useDemoServer();

describe("SDK stats reports end to end", () => {
  it("server totals equal the sum of the clients' counters and agree with the origin", async () => {
    // The SDK's stream key is the manifest URL without per-viewer query parameters; the rendition follows the last "|".
    const streamKey = `${server().url}/streams/demo/live/master.m3u8`;
    const players = await startLiveViewers(
      {
        serverUrl: server().url,
        count: 3,
        rendition: RENDITION,
        swarmKey: `${streamKey}|${RENDITION}`,
        engineConfig: { statsUrl: `${server().url}/api/stats/report`, statsIntervalMs: 1000 },
      },
      (engine) => engines.push(engine),
    );
    // Enough traffic to check both sources: the later viewers took segments from peers.
    await waitFor(
      () => players.slice(1).every((p) => p.stats.segments.p2p >= 2),
      40_000,
      "the later viewers to take 2 segments each from peers",
      { intervalMs: 200 },
    );
    for (const player of players) await player.stop();
    // Stopped players have no load in flight; the last chunks an uploader sent may still be on the
    // wire: wait until every byte sent was received, then have every client report what is left.
    const sum = (pick: (s: ReturnType<Engine["getStats"]>) => number) =>
      engines.reduce((t, e) => t + pick(e.getStats()), 0);
    await waitFor(
      () => sum((s) => s.p2pUploadedBytes) === sum((s) => s.p2pDownloadedBytes),
      5_000,
      "every byte uploaded to be received",
    );
    for (const engine of engines) await engine.reportStats();

    const snapshot = (await (await fetch(`${server().url}/api/stats`)).json()) as StatsSnapshot;
    const stream = snapshot.streams.find((s) => s.streamIds.includes(streamKey));
    expect(
      stream,
      `stream ${streamKey} in ${JSON.stringify(snapshot.streams.map((s) => s.streamIds))}`,
    ).toBeDefined();
    const all = stream!.windows.all;
    const originBytes = server().origin.getStats().streams["demo"]?.mediaBytes ?? 0;
    console.log(
      `reported http ${all.httpBytes} p2p ${all.p2pBytes} up ${all.uploadedBytes}; clients http ${sum((s) => s.httpDownloadedBytes)} ` +
        `p2p ${sum((s) => s.p2pDownloadedBytes)} up ${sum((s) => s.p2pUploadedBytes)}; origin ${originBytes}; ` +
        `offload reported ${all.offload?.toFixed(3)} at origin ${(1 - originBytes / (all.httpBytes + all.p2pBytes)).toFixed(3)}`,
    );

    expect(all.httpBytes).toBe(sum((s) => s.httpDownloadedBytes));
    expect(all.p2pBytes).toBe(sum((s) => s.p2pDownloadedBytes));
    expect(all.uploadedBytes).toBe(sum((s) => s.p2pUploadedBytes));
    expect(all.p2pBytes).toBeGreaterThan(0);
    // Every P2P byte downloaded was uploaded by another viewer in this swarm.
    expect(all.uploadedBytes).toBe(all.p2pBytes);
    // The origin sent what clients fetched over HTTP, give or take a segment cut off at stop.
    expect(Math.abs(originBytes - all.httpBytes)).toBeLessThanOrEqual(0.03 * (all.httpBytes + all.p2pBytes));
    expect(stream!.viewers).toBe(3);
  });
});
