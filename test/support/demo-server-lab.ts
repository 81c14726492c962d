import { afterAll, beforeAll } from "vitest";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import type { Engine } from "../../sdk/src/engine/engine.js";

/**
 * One nearcast-server (demo origin, tracker, stats) on a free loopback port for a test file, and the
 * engines its tests start: all destroyed after the file. `server()` throws if read before the server
 * started (outside a test).
 */
export function useDemoServer(): { server: () => RunningServer; engines: Engine[] } {
  let running: RunningServer | undefined;
  const engines: Engine[] = [];
  beforeAll(async () => {
    running = await startServer({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    for (const engine of engines) engine.destroy();
    await running?.close();
  });
  return {
    server: () => {
      if (!running) throw new Error("the demo server is not running (read outside a test?)");
      return running;
    },
    engines,
  };
}
