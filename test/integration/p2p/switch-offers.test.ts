// A rendition switch makes offers only for viewers the tracker counts in the new swarm (issue 22,
// viewer cost): before, every swarm join offered to up to MAX_OFFERS_PER_ANNOUNCE viewers before the
// tracker's count came back, and in the swarm of a brief ABR dip nobody answered — each offer an
// RTCPeerConnection made, gathered and closed unanswered. Two Node engines (node-datachannel) on the
// demo server's real tracker.
import { RTCPeerConnection } from "node-datachannel/polyfill";
import WebSocket from "ws";
import { describe, expect, it } from "vitest";
import { Engine } from "../../../sdk/src/engine/engine.js";
import type { P2PNetwork } from "../../../sdk/src/p2p/p2p-network.js";
import { infoHashOf } from "../../../sdk/src/p2p/ids.js";
import { useDemoServer } from "../../support/demo-server-lab.js";
import { LOOPBACK_RTC } from "../../support/node-engines.js";
import { waitFor } from "../../support/wait-for.js";

const MAIN = "demo-live|main";
const R1 = "demo-live|360p";
const R2 = "demo-live|540p";

const { server, engines } = useDemoServer();

/** An engine whose RTCPeerConnections are counted. */
function countingEngine(trackerUrls: string[]) {
  const made = { count: 0 };
  class Counted extends RTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(config);
      made.count++;
    }
  }
  const engine = new Engine(
    { rtcConfiguration: LOOPBACK_RTC, trackerUrls },
    {
      RTCPeerConnection: Counted as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    },
  );
  return { engine, made };
}

/** Whether a tracker has answered the engine's announce of a swarm (the engine's own state). */
const counted = (engine: Engine, swarmKey: string) =>
  (engine as unknown as { network: P2PNetwork }).network.swarm(swarmKey, MAIN).trackerAnswered;

describe("offers after a rendition switch", () => {
  it("go only to viewers the tracker counts in the new swarm", async () => {
    const trackerUrls = [`${server().url.replace(/^http/, "ws")}/tracker`];
    const a = countingEngine(trackerUrls);
    const b = countingEngine(trackerUrls);
    engines.push(a.engine, b.engine);
    const connected = (engine: Engine, swarmKey: string) =>
      engine.getStats().peers.some((p) => p.swarmKey === swarmKey);
    for (const { engine } of [a, b]) engine.prepareSwarm(R1, MAIN);
    await waitFor(
      () => connected(a.engine, R1) && connected(b.engine, R1),
      20_000,
      "a and b connected in R1",
    );

    // a switches to R2, where nobody is: once the tracker has counted it, not one connection made.
    const aBefore = a.made.count;
    a.engine.prepareSwarm(R2, MAIN);
    await waitFor(() => counted(a.engine, R2), 10_000, "the tracker counted R2 for a");
    expect(server().tracker.swarmSize(infoHashOf(R2))).toBe(1);
    expect(a.made.count).toBe(aBefore);

    // b follows: the tracker counts a there, b offers to it, and they connect in R2 too.
    b.engine.prepareSwarm(R2, MAIN);
    await waitFor(
      () => connected(a.engine, R2) && connected(b.engine, R2),
      20_000,
      "a and b connected in R2",
    );
  });
});
