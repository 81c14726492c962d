import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { describe, expect, it, vi } from "vitest";
import { createTracker } from "../../../demo-server/src/tracker/index.js";
import type { TrackerLogger } from "../../../demo-server/src/tracker/index.js";
import {
  announce,
  binaryId,
  connect,
  eventually,
  isAnnounceReply,
  startTracker,
  tryConnect,
} from "./helpers.js";

const activeTimers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spyLogger(): TrackerLogger & { calls: () => number } {
  const debug = vi.fn();
  const info = vi.fn();
  const warn = vi.fn();
  return {
    debug,
    info,
    warn,
    calls: () => debug.mock.calls.length + info.mock.calls.length + warn.mock.calls.length,
  };
}

// Fast clock for lifecycle tests: sweeps every 30 ms, peers expire after 200 ms of silence.
const FAST = { announceIntervalMs: 100, peerTimeoutMs: 200, sweepIntervalMs: 30 };

describe("tracker lifecycle", () => {
  it("close() closes every socket, clears its timer, and nothing fires afterwards", async () => {
    const timersBefore = activeTimers();
    const logger = spyLogger();
    // Sweeps every 30 ms, but nothing expires or idles out during the test.
    const h = await startTracker({
      announceIntervalMs: 5_000,
      peerTimeoutMs: 10_000,
      sweepIntervalMs: 30,
      logger,
    });
    const a = await connect(h.url);
    const b = await connect(h.url);
    a.send(announce(binaryId(), binaryId()));
    await a.next();
    await eventually(() => expect(logger.debug).toHaveBeenCalledWith(expect.anything(), "tracker: sweep"));

    const first = h.tracker.close();
    expect(h.tracker.close()).toBe(first); // idempotent: same promise
    await first;
    expect((await a.closed).code).toBe(1006);
    await b.closed;
    expect(h.tracker.stats()).toMatchObject({ connections: 0, swarms: 0, peers: 0 });

    const callsAfterClose = logger.calls();
    await sleep(150); // five sweep periods
    expect(logger.calls()).toBe(callsAfterClose);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);

    // The server itself can now close: no upgraded socket is left open.
    await new Promise<void>((resolve) => h.server.close(() => resolve()));
  });

  it("after close(), upgrades are refused and attach() throws", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const tracker = createTracker();
    await tracker.close();
    server.on("upgrade", (req, socket, head) => tracker.handleUpgrade(req, socket, head));
    expect(await tryConnect(`ws://127.0.0.1:${port}/tracker`)).toBe(503);
    expect(() => tracker.attach(server)).toThrow(/closed/);
    expect(tracker.stats().connectionsRejected.closed).toBe(1);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("close() stops serving the attached path (listener removed)", async () => {
    const h = await startTracker();
    await h.tracker.close();
    expect(h.server.listenerCount("upgrade")).toBe(0);
    await new Promise<void>((resolve) => h.server.close(() => resolve()));
  });

  it("expires a peer that stops announcing, while its socket stays open", async () => {
    const h = await startTracker(FAST);
    try {
      const a = await connect(h.url);
      const hash = binaryId();
      a.send(announce(hash, binaryId()));
      await a.next(isAnnounceReply(hash));
      expect(h.tracker.stats().peers).toBe(1);
      for (let i = 0; i < 8; i++) {
        a.send({ action: "scrape", info_hash: hash }); // activity, but no announce
        await sleep(50);
      }
      const stats = h.tracker.stats();
      expect(stats).toMatchObject({ peers: 0, swarms: 0, expiredPeers: 1, connections: 1 });
      await a.close();
    } finally {
      await h.stop();
    }
  });

  it("closes a socket that sends nothing for peerTimeoutMs", async () => {
    const h = await startTracker(FAST);
    try {
      const a = await connect(h.url);
      const hash = binaryId();
      a.send(announce(hash, binaryId()));
      await a.next(isAnnounceReply(hash));
      expect((await a.closed).code).toBe(1000);
      expect(h.tracker.stats()).toMatchObject({ peers: 0, connections: 0 });
      expect(h.tracker.stats().disconnects.idle).toBe(1);
    } finally {
      await h.stop();
    }
  });

  it("terminates a socket that stops answering pings", async () => {
    const h = await startTracker(FAST);
    try {
      // autoPong off: the client never answers the tracker's pings, like a dead peer.
      const ws = new WebSocket(h.url, { autoPong: false });
      await new Promise((resolve) => ws.once("open", resolve));
      const closed = new Promise<number>((resolve) => ws.once("close", resolve));
      // Pinged at the first tick, found dead at the second (60 ms), well before the 200 ms idle limit.
      expect(await closed).toBe(1006);
      expect(h.tracker.stats().disconnects.no_pong).toBe(1);
    } finally {
      await h.stop();
    }
  });
});
