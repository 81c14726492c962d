// Runs inside a viewer's namespace: SDK engines over node-datachannel, driven by the test.
// Commands (all with an `id` naming the engine):
//   {cmd:"pair", id, config}                → an engine joins swarm config.swarmKey; "connected" when a peer does
//   {cmd:"live", id, config, playlistUrl}   → an engine + simulated player on the live stream
//   {cmd:"live-stop", id}                   → "live-result" with the player's and engine's figures
//   {cmd:"destroy", id}, {cmd:"exit"}
import WebSocket from "ws";
import { Engine } from "../../../sdk/src/engine/engine.js";
import type { NearcastConfig } from "../../../sdk/src/core/config.js";
import { SimulatedPlayer } from "../simulated-player.js";
import { emitEvent, onCommands } from "./ns-agent.js";
import { trackedNodeRtc, type TrackedRtc } from "./node-rtc.js";

interface Running {
  engine: Engine;
  rtc: TrackedRtc;
  player?: SimulatedPlayer;
  paths: string[];
  peersEver: number;
}

const engines = new Map<string, Running>();
/** How long `live-stop` lets a load in flight finish (the test waits 60 s for the result). */
const STOP_GRACE_MS = 10_000;
const startedMs = Date.now();

function start(id: string, config: Partial<NearcastConfig> & { swarmKey: string }): Running {
  const { swarmKey, ...engineConfig } = config;
  const rtc = trackedNodeRtc();
  const engine = new Engine(engineConfig, {
    RTCPeerConnection: rtc.RTCPeerConnection,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    connection: undefined,
  });
  const running: Running = { engine, rtc, paths: [], peersEver: 0 };
  engines.set(id, running);
  engine.on("peer-connected", () => {
    running.peersEver++;
    void rtc.newlyConnectedPaths().then((paths) => {
      running.paths.push(...paths);
      emitEvent({ event: "connected", id, atMs: Date.now() - startedMs, paths });
    });
  });
  engine.on("warning", ({ message }) => emitEvent({ event: "warning", id, message }));
  engine.prepareSwarm(swarmKey);
  return running;
}

await onCommands(async (command) => {
  const id = String(command["id"]);
  const config = command["config"] as Partial<NearcastConfig> & { swarmKey: string };
  switch (command["cmd"]) {
    case "pair":
      start(id, config);
      return emitEvent({ event: "started", id, atMs: Date.now() - startedMs });
    case "live": {
      const running = start(id, config);
      running.player = new SimulatedPlayer({
        engine: running.engine,
        playlistUrl: String(command["playlistUrl"]),
        swarmKey: config.swarmKey,
      });
      running.player.start();
      return emitEvent({ event: "started", id, atMs: Date.now() - startedMs });
    }
    case "live-stop": {
      const running = engines.get(id);
      if (!running?.player) return emitEvent({ event: "error", message: `no live engine ${id}` });
      // A load still in flight may finish within 10 s; then it is aborted and named in the result
      // (`abortedAtStop`), so the test never waits on a viewer without knowing why.
      const player = await running.player.stop(STOP_GRACE_MS);
      const stats = running.engine.getStats();
      running.engine.destroy();
      return emitEvent({
        event: "live-result",
        id,
        player,
        httpBytes: stats.httpDownloadedBytes,
        p2pBytes: stats.p2pDownloadedBytes,
        uploadedBytes: stats.p2pUploadedBytes,
        peersEver: running.peersEver,
        paths: running.paths,
      });
    }
    case "destroy":
      engines.get(id)?.engine.destroy();
      return;
  }
});
for (const { engine } of engines.values()) engine.destroy();
process.exit(0);
