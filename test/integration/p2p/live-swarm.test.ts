// Four Node engines with simulated players on the live demo stream, through the demo server's
// tracker: every later viewer gets segments from peers, every byte is the origin's, nobody stalls.
// How much the swarm takes off the origin is a benchmark (`npm run bench:swarm`, BENCHMARKS.md);
// this run prints its offload but does not bound it.
import { describe, expect, it } from "vitest";
import { useDemoServer } from "../../support/demo-server-lab.js";
import { demoLiveSegmentFromDisk, startLiveViewers } from "../../support/node-engines.js";
import type { SimulatedPlayerStats } from "../../support/simulated-player.js";
import { waitFor } from "../../support/wait-for.js";

const RENDITION = "360p";
/** Segments each later viewer must take from peers: more than the one a join can catch by luck. */
const P2P_SEGMENTS_EACH = 3;
const { server, engines } = useDemoServer();

describe("P2P swarm of Node engines on the live demo stream", () => {
  it("later viewers get segments from peers, byte-identical to the origin, without stalls", async () => {
    const mismatches: string[] = [];
    const players = await startLiveViewers(
      {
        serverUrl: server().url,
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
    // Whoever sees a new segment first fetches it from the CDN (not always viewer #0): each of the
    // later viewers must take some from peers, not all.
    await waitFor(
      () => players.slice(1).every((p) => p.stats.segments.p2p >= P2P_SEGMENTS_EACH),
      40_000,
      `every later viewer with ${P2P_SEGMENTS_EACH} segments from peers`,
      {
        intervalMs: 200,
        describeLast: () => `segments ${JSON.stringify(players.map((p) => p.stats.segments))}`,
      },
    );
    const results: SimulatedPlayerStats[] = [];
    for (const player of players) results.push(await player.stop());
    const stats = engines.map((e) => e.getStats());
    const origin = server().origin.getStats();
    const received = results.reduce((sum, r) => sum + r.bytes, 0);
    console.log(
      `viewers: ${results.map((r, i) => `#${i} http=${stats[i]!.httpDownloadedBytes} p2p=${stats[i]!.p2pDownloadedBytes} segs=${JSON.stringify(r.segments)} stalls=${r.stalls}`).join(" | ")}`,
    );
    console.log(
      `origin media bytes ${origin.totals.mediaBytes} of ${received} received: offload ${(1 - origin.totals.mediaBytes / received).toFixed(3)}`,
    );

    expect(mismatches).toEqual([]);
    for (const r of results) expect(r.errors).toEqual([]);
    for (const r of results) expect(r.stalls).toBe(0);
  });
});
