// A player starting up (nothing buffered ahead) fetches its first segment over HTTP whatever peers
// there are, so the swarm is joined when that load ends: tracker announces, offers and connection
// set-up then do not compete with the first frame (they delayed churn joiners' start-up in the
// browser bench). A player with media buffered ahead joins at once, as before.
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

function engineWith(playback: PlaybackState | undefined) {
  const { engine, fetches } = createObservedEngine({ trackerUrls: [trackerUrl] });
  engines.push(engine);
  engine.setPlaybackSource(() => playback);
  return { engine, fetches };
}

const STARTING: PlaybackState = { positionSec: 0, bufferedAheadSec: 0, playbackRate: 1, waiting: true };
const PLAYING: PlaybackState = { positionSec: 0, bufferedAheadSec: 6, playbackRate: 1, waiting: false };

describe("joining a swarm at start-up", () => {
  it("waits for the start-up load to end, then joins", async () => {
    const { engine, fetches } = engineWith(STARTING);
    const swarmKey = "startup-join|360p";
    engine.prepareSwarm(swarmKey, { unlessStartingUp: true });
    expect(engine.getResourceUsage().swarms).toBe(0);
    const load = engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, 0), {
      http: HLSJS_FRAGMENT_POLICY,
    });
    // The load is under way over HTTP and the swarm is still not joined.
    expect(engine.getResourceUsage().swarms).toBe(0);
    const result = await load;
    expect(result.source).toBe("http");
    expect(fetches).toHaveLength(1);
    expect(engine.getResourceUsage().swarms).toBe(1);
  });

  it("also defers the swarm a first load would join on its own", async () => {
    const { engine } = engineWith(undefined); // no media element yet: nothing buffered
    const swarmKey = "startup-join-implicit|360p";
    const load = engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, 0), {
      http: HLSJS_FRAGMENT_POLICY,
    });
    expect(engine.getResourceUsage().swarms).toBe(0);
    await load;
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
