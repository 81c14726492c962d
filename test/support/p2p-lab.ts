// The set-up of the integration tests that put real SDK engines next to scripted peers: one demo
// server (its tracker) for the file, and every engine and scripted peer a test made released after
// it, also when it failed. A scripted peer whose own signaling failed would make a test prove
// nothing, so its errors fail the test.
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import type { Engine } from "../../sdk/src/engine/engine.js";
import type { HostilePeer } from "./hostile-peer.js";

export interface P2pLab {
  server: RunningServer;
  /** The demo server's tracker, `ws://127.0.0.1:port/tracker`. */
  trackerUrl: string;
  /** Engines to destroy after the test (push them as they are made). */
  engines: Engine[];
  /** Scripted peers to stop after the test. */
  peers: HostilePeer[];
}

/** Registers the file's hooks; call at its top level. Returns a getter for use inside tests. */
export function useP2pLab(): () => P2pLab {
  let lab: P2pLab | undefined;
  beforeAll(async () => {
    const server = await startServer({ host: "127.0.0.1", port: 0 });
    lab = { server, trackerUrl: `ws://127.0.0.1:${server.port}/tracker`, engines: [], peers: [] };
  });
  afterEach(async () => {
    if (!lab) return;
    for (const engine of lab.engines.splice(0)) engine.destroy();
    const stopped = lab.peers.splice(0);
    await Promise.all(stopped.map((p) => p.stop()));
    expect(
      stopped.flatMap((p) => p.errors),
      "the scripted peers' own errors",
    ).toEqual([]);
  });
  afterAll(async () => {
    await lab?.server.close();
  });
  return () => {
    if (!lab) throw new Error("set-up failed (see the beforeAll error above)");
    return lab;
  };
}
