// A player starting up (nothing buffered ahead) fetches its first segments over HTTP whatever peers
// there are, so the swarm is joined once a load ends with media buffered (or after 3 s at most):
// tracker announces, offers and connection set-up then do not compete with the first frame (they
// delayed churn joiners' start-up in the browser bench). A player with media buffered ahead joins
// at once, as before.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { PlaybackState } from "../../../sdk/src/core/types.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { createObservedEngine, demoVodRequest, HLSJS_FRAGMENT_POLICY } from "../../support/fault-harness.js";

const RENDITION = "360p";

let server: RunningServer;
let trackerUrl: string;
const engines: Engine[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
});

afterEach(() => {
  for (const engine of engines.splice(0)) engine.destroy();
});

afterAll(async () => {
  await server?.close();
});

function engineWith(initial: PlaybackState | undefined) {
  const { engine, fetches } = createObservedEngine({ trackerUrls: [trackerUrl] });
  engines.push(engine);
  const player = { playback: initial };
  engine.setPlaybackSource(() => player.playback);
  return { engine, fetches, player };
}

const STARTING: PlaybackState = { positionSec: 0, bufferedAheadSec: 0, playbackRate: 1, waiting: true };
const PLAYING: PlaybackState = { positionSec: 0, bufferedAheadSec: 6, playbackRate: 1, waiting: false };

describe("joining a swarm at start-up", () => {
  it("joins when a load ends with media buffered, not during start-up loads", async () => {
    const { engine, fetches, player } = engineWith(STARTING);
    const swarmKey = "startup-join|360p";
    const load = (index: number) =>
      engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, index), {
        http: HLSJS_FRAGMENT_POLICY,
      });
    engine.prepareSwarm(swarmKey, { unlessStartingUp: true });
    expect(engine.getResourceUsage().swarms).toBe(0);
    const first = load(0);
    // The load is under way over HTTP and the swarm is still not joined.
    expect(engine.getResourceUsage().swarms).toBe(0);
    expect((await first).source).toBe("http");
    expect(fetches).toHaveLength(1);
    // Still starting up (the segment is not appended yet): still not joined.
    expect(engine.getResourceUsage().swarms).toBe(0);
    const second = load(1);
    player.playback = PLAYING;
    await second;
    expect(engine.getResourceUsage().swarms).toBe(1);
  });

  it("also defers the swarm a start-up load would join on its own", async () => {
    const { engine, player } = engineWith(undefined); // no media element yet: nothing buffered
    const swarmKey = "startup-join-implicit|360p";
    const load = engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, 0), {
      http: HLSJS_FRAGMENT_POLICY,
    });
    expect(engine.getResourceUsage().swarms).toBe(0);
    player.playback = PLAYING;
    await load;
    expect(engine.getResourceUsage().swarms).toBe(1);
  });

  it("joins after 3 s even if the player is still starting up (peers may help it start)", async () => {
    const { engine } = engineWith(STARTING);
    engine.prepareSwarm("startup-join-stuck|360p", { unlessStartingUp: true });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(engine.getResourceUsage().swarms).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(engine.getResourceUsage().swarms).toBe(1);
  });

  it("joins at once when the player has media buffered ahead (a level switch)", () => {
    const { engine } = engineWith(PLAYING);
    engine.prepareSwarm("startup-join-playing|360p", { unlessStartingUp: true });
    expect(engine.getResourceUsage().swarms).toBe(1);
  });

  it("joins at once without the option (an explicit request)", () => {
    const { engine } = engineWith(STARTING);
    engine.prepareSwarm("startup-join-explicit|360p");
    expect(engine.getResourceUsage().swarms).toBe(1);
  });
});
