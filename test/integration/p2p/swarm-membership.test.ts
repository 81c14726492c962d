// Swarm membership follows the renditions a viewer plays (issue 24): two Node engines on the demo
// server's real tracker, in one video rendition's swarm and one audio swarm. A brief probe of another
// rendition leaves nothing; a real switch leaves the old video swarm — the tracker drops the viewer
// within the grace plus one sweep and announce — while the audio swarm and its connection stay.
import { describe, expect, it } from "vitest";
import { useDemoServer } from "../../support/demo-server-lab.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { SWARM_SWEEP_MS, SWARM_SWITCH_GRACE_MS } from "../../../sdk/src/p2p/constants.js";
import { infoHashOf } from "../../../sdk/src/p2p/ids.js";
import { parseMediaPlaylist } from "../../support/media-playlist.js";
import { createNodeEngine } from "../../support/node-engines.js";
import { waitFor } from "../../support/wait-for.js";

const STREAM = "demo-live";
const MAIN = `${STREAM}|main`;
const AUDIO = `${STREAM}|audio`;
const R1 = `${STREAM}|360p`;
const R2 = `${STREAM}|540p`;
/** The demo has no separate audio: this swarm carries 240p segments, as an audio track's would. */
const AUDIO_SWARM = `${STREAM}|a-240p`;
/** A `stopped` crosses loopback in far less; the slack covers a loaded 2-core machine. */
const ANNOUNCE_SLACK_MS = 1500;

const { server, engines } = useDemoServer();

/** Load the newest segment of a demo live rendition through the engine, as `track`'s rendition. */
async function loadLatest(engine: Engine, rendition: string, swarmKey: string, track: string) {
  const playlistUrl = `${server().url}/streams/demo/live/${rendition}/index.m3u8`;
  const playlist = parseMediaPlaylist(await (await fetch(playlistUrl)).text(), playlistUrl);
  const segment = playlist.segments.at(-1)!;
  return engine.loadSegment(
    {
      id: `${rendition}-${segment.msn}`,
      swarmKey,
      track,
      url: segment.url,
      startTimeSec: 0,
      durationSec: segment.durationSec,
      live: true,
    },
    { http: { firstByteTimeoutMs: 10_000, totalTimeoutMs: 30_000, retry: null } },
  );
}

const members = (swarmKey: string) => server().tracker.swarmSize(infoHashOf(swarmKey));

describe("swarm membership follows the viewer's renditions", () => {
  it("leaves the old rendition's swarm after a switch, not after a probe, and keeps its audio swarm", async () => {
    const trackerUrls = [`${server().url.replace(/^http/, "ws")}/tracker`];
    const [a, b] = [0, 1].map(() => createNodeEngine({ trackerUrls })) as [Engine, Engine];
    engines.push(a, b);
    const disconnects: { viewer: string; swarmKey: string }[] = [];
    for (const [name, engine] of [["a", a] as const, ["b", b] as const]) {
      engine.on("peer-disconnected", ({ swarmKey }) => disconnects.push({ viewer: name, swarmKey }));
    }
    const connected = (engine: Engine, swarmKey: string) =>
      engine.getStats().peers.some((p) => p.swarmKey === swarmKey);

    for (const engine of [a, b]) {
      engine.prepareSwarm(R1, MAIN);
      engine.prepareSwarm(AUDIO_SWARM, AUDIO);
    }
    await waitFor(
      () => [R1, AUDIO_SWARM].every((key) => connected(a, key) && connected(b, key)),
      20_000,
      "a and b connected in the video and the audio swarm",
    );
    await loadLatest(a, "360p", R1, MAIN);
    await loadLatest(a, "240p", AUDIO_SWARM, AUDIO);
    expect(members(R1)).toBe(2);

    // A probe: R2's playlist is loaded (hls.js LEVEL_LOADING), then the player stays on R1.
    a.prepareSwarm(R2, MAIN);
    await loadLatest(a, "360p", R1, MAIN);
    await waitFor(
      () => members(R2) === 0,
      SWARM_SWITCH_GRACE_MS + SWARM_SWEEP_MS + ANNOUNCE_SLACK_MS,
      "a left R2",
    );
    expect(members(R1)).toBe(2);
    expect(disconnects.filter((d) => d.swarmKey === R1)).toEqual([]);

    // The switch: R1's last use starts here; R2's segments from now on.
    const lastR1UseMs = Date.now();
    await loadLatest(a, "360p", R1, MAIN);
    await loadLatest(a, "540p", R2, MAIN);
    const sawR2 = members(R2);
    await waitFor(
      () => members(R1) === 1,
      SWARM_SWITCH_GRACE_MS + SWARM_SWEEP_MS + ANNOUNCE_SLACK_MS,
      "the tracker dropped a from R1",
      { intervalMs: 50 },
    );
    const leftAfterMs = Date.now() - lastR1UseMs;
    console.log(`a left R1 ${leftAfterMs} ms after its last use there (grace ${SWARM_SWITCH_GRACE_MS} ms)`);
    expect(sawR2).toBe(1);
    expect(leftAfterMs).toBeGreaterThanOrEqual(SWARM_SWITCH_GRACE_MS);
    // Its connection in R1 closes on both sides once nothing is being uploaded on it.
    await waitFor(
      () => !connected(a, R1) && !connected(b, R1),
      SWARM_SWEEP_MS * 2 + ANNOUNCE_SLACK_MS,
      "the R1 connection closed",
    );
    expect(disconnects.filter((d) => d.swarmKey === AUDIO_SWARM)).toEqual([]);
    expect(connected(a, AUDIO_SWARM) && connected(b, AUDIO_SWARM)).toBe(true);
    expect(members(AUDIO_SWARM)).toBe(2);
    expect(a.getResourceUsage().swarms).toBe(2);
  });
});
