// Attack: clients that stop reading their tracker socket and keep asking for large replies. Each is
// cut once it holds maxUnreadBytes it has not shown it read, long before the kernel's socket buffers
// (MiBs) fill, while a reading client with the same traffic stays connected and answered.
import type net from "node:net";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { announce, binaryId, connect, isAnnounceReply, startTracker } from "./helpers.js";
import type { TrackerHarness } from "./helpers.js";
import { waitFor } from "../../support/wait-for.js";

let harness: TrackerHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe("attack: slow readers", () => {
  it("a client that stops reading is cut at maxUnreadBytes; one that reads keeps its connection", async () => {
    harness = await startTracker({ maxUnreadBytes: 64 * 1024, maxSwarmsPerConnection: 50 });
    // Fifty swarms, so every scrape reply is a few KiB.
    const seeder = await connect(harness.url);
    for (let i = 0; i < 50; i++) seeder.send(announce(binaryId(), binaryId()));
    await waitFor(() => harness!.tracker.stats().swarms === 50, 5_000, "50 swarms");

    const [slow, reader] = [await connect(harness.url), await connect(harness.url)];
    (slow.ws as unknown as { _socket: net.Socket })._socket.pause();
    const scrape = JSON.stringify({ action: "scrape" });
    // Scrapes at the rate limit's pace (10/s with a burst of 50), each reply ~4 KiB.
    const ask = setInterval(() => {
      for (const client of [slow, reader]) if (client.ws.readyState === 1) client.ws.send(scrape);
    }, 100);
    try {
      await waitFor(
        () => harness!.tracker.stats().disconnects.slow_consumer === 1,
        15_000,
        "the slow reader cut",
      );
      // The reading client got the same replies meanwhile: the slow one was cut after about 64 KiB of
      // them (plus what was in flight), not after the several MiB the kernel's buffers would take.
      const replies = reader.received.filter((f) => f.action === "scrape");
      const replyBytes = Buffer.byteLength(JSON.stringify(replies[0]));
      console.log(`[slow-readers] cut after ~${replies.length} replies of ${replyBytes} bytes`);
      expect(replies.length * replyBytes).toBeLessThan(2 * 64 * 1024);
      // The reading client, with the same traffic, is still served.
      const hash = randomBytes(20).toString("latin1");
      reader.send(announce(hash, binaryId()));
      expect(await reader.next(isAnnounceReply(hash))).toMatchObject({ complete: 0 });
      expect(harness.tracker.stats().disconnects.slow_consumer).toBe(1);
    } finally {
      clearInterval(ask);
    }
  });
});
