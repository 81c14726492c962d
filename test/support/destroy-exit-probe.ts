/**
 * Run as its own Node process (`node --import tsx destroy-exit-probe.ts`): joins a swarm, loads one
 * segment, calls `engine.destroy()` and returns. The process must then exit on its own: any timer,
 * socket or peer connection the engine left behind would keep it alive. One JSON object per line
 * on stdout tells the parent what happened; settings come from PROBE_* environment variables.
 */
import type { NearcastEvents } from "../../sdk/src/core/events.js";
import { createNodeEngine } from "./node-engines.js";

const { PROBE_TRACKER_URL, PROBE_SWARM_KEY, PROBE_SEGMENT_URL, PROBE_SEGMENT_ID } = process.env;
if (!PROBE_TRACKER_URL || !PROBE_SWARM_KEY || !PROBE_SEGMENT_URL || !PROBE_SEGMENT_ID) {
  throw new Error("PROBE_TRACKER_URL, PROBE_SWARM_KEY, PROBE_SEGMENT_URL and PROBE_SEGMENT_ID are required");
}

function report(line: object): void {
  // Pipes are synchronous on Linux, so this also works from the `exit` handler.
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const engine = createNodeEngine({ trackerUrls: [PROBE_TRACKER_URL] });
let destroyed = false;
const emitsAfterDestroy: string[] = [];
// `emit` is protected: wrap it to see whether anything inside the engine still tries to emit.
const internals = engine as unknown as { emit: (event: keyof NearcastEvents, arg: unknown) => void };
const emit = internals.emit.bind(engine);
internals.emit = (event, arg) => {
  if (destroyed) emitsAfterDestroy.push(event);
  emit(event, arg);
};
process.on("exit", (code) => report({ phase: "exit", code, emitsAfterDestroy }));

engine.setPlaybackSource(() => ({ positionSec: 0, bufferedAheadSec: 20, playbackRate: 1 }));
engine.prepareSwarm(PROBE_SWARM_KEY);
const connected = new Promise<void>((resolve) => engine.on("peer-connected", () => resolve()));
const timeout = setTimeout(() => {
  report({ phase: "error", message: "no peer within 15 s" });
  process.exit(2);
}, 15_000);
await connected;
clearTimeout(timeout);

const result = await engine.loadSegment(
  {
    id: PROBE_SEGMENT_ID,
    swarmKey: PROBE_SWARM_KEY,
    url: PROBE_SEGMENT_URL,
    startTimeSec: 0,
    durationSec: 2,
    live: false,
  },
  { http: { firstByteTimeoutMs: 10_000, totalTimeoutMs: 30_000, retry: null } },
);
report({ phase: "loaded", source: result.source, p2pBytes: result.p2pBytes, bytes: result.data.byteLength });
engine.destroy();
destroyed = true;
report({ phase: "destroyed" });
// Unref'd, so it fires only if something else keeps the process alive: then it names what.
setTimeout(() => report({ phase: "alive", resources: process.getActiveResourcesInfo() }), 1500).unref();
