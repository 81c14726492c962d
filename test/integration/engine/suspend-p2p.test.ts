// Engine.suspendP2P() / resumeP2P() against a real tracker over WebSocket, with node-datachannel:
// suspending closes the tracker socket and the tracker forgets the peer; resuming announces again
// with a fresh peer id; both are idempotent, and nothing restarts after destroy().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { createNodeEngine } from "../../support/node-engines.js";
import { waitFor } from "../../support/wait-for.js";

let server: RunningServer | undefined;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => server?.close());

const gauges = () => server!.tracker.stats();

describe("engine P2P suspend and resume", () => {
  it("closes and reopens the tracker side; idempotent; inert after destroy", async () => {
    const engine = createNodeEngine({ trackerUrls: [`${server!.url.replace(/^http/, "ws")}/tracker`] });
    engine.prepareSwarm("stream|rendition");
    await waitFor(() => gauges().peers === 1, 10_000, "the engine announced");
    const firstId = engine.peerId;

    engine.suspendP2P();
    engine.suspendP2P();
    expect(engine.p2pActive).toBe(false);
    expect(engine.peerId).toBeUndefined();
    expect(engine.getResourceUsage()).toMatchObject({ storeBytes: 0, swarms: 0, peerConnections: 0 });
    await waitFor(
      () => gauges().connections === 0 && gauges().peers === 0,
      10_000,
      "the tracker forgot the engine",
    );

    engine.resumeP2P();
    engine.resumeP2P();
    expect(engine.p2pActive).toBe(true);
    expect(engine.peerId).not.toBe(firstId);
    engine.prepareSwarm("stream|rendition");
    await waitFor(
      () => gauges().connections === 1 && gauges().peers === 1,
      10_000,
      "the engine announced again",
    );

    engine.destroy();
    engine.resumeP2P();
    expect(engine.p2pActive).toBe(false);
    await waitFor(() => gauges().connections === 0, 10_000, "the socket closed on destroy");
  });
});
