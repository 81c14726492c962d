// A single-page app that only ever calls `hls.destroy()` when the user navigates away, never
// Nearcast's destroy(): within 5 s of each navigation the tracker socket and every peer connection
// are closed and the tracker no longer lists the viewer; the next player attached to the same
// Nearcast starts P2P again cleanly. Five navigations in a row leave nothing behind.
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import type { NearcastStats } from "../../sdk/src/index.js";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { closeBrowser, launchBrowser } from "./support/chromium.js";
import { delay, openViewer, type Viewer } from "./support/viewer.js";

const NAVIGATIONS = 5;
const RELEASE_WITHIN_MS = 5_000;

let tracker: RunningServer | undefined;
let origin: TestOrigin | undefined;
let browser: Browser | undefined;
const open: Viewer[] = [];

beforeAll(async () => {
  tracker = await startServer({ host: "127.0.0.1", port: 0 });
  origin = await startTestOrigin();
  browser = await launchBrowser();
});

afterAll(async () => {
  try {
    await Promise.allSettled(open.map((v) => v.close()));
    await closeBrowser(browser);
  } finally {
    await origin?.close();
    await tracker?.close();
  }
});

interface TrackerGauges {
  peers: number;
  connections: number;
}

async function trackerGauges(): Promise<TrackerGauges> {
  const response = await fetch(`${tracker!.url}/api/tracker/stats`);
  return (await response.json()) as TrackerGauges;
}

async function waitFor<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await delay(200);
  }
}

describe("single-page app that only destroys its hls.js players", () => {
  it(
    `releases P2P within 5 s of each of ${NAVIGATIONS} navigations and restarts cleanly`,
    { timeout: 240_000 },
    async () => {
      if (!origin || !browser || !tracker) throw new Error("set-up failed");
      const page = (spa: boolean) =>
        `${origin!.url}/page/index.html?p2p=1&capLevel=0&spa=${spa ? 1 : 0}` +
        `&tracker=${encodeURIComponent(`${tracker!.url.replace(/^http/, "ws")}/tracker`)}` +
        `&src=${encodeURIComponent(`${origin!.url}/s/live/ts-ladder/master.m3u8`)}`;
      // A neighbour that stays, so the SPA viewer has someone to connect to after every navigation.
      const neighbour = await openViewer(browser, page(false), { name: "neighbour" });
      open.push(neighbour);
      await neighbour.waitForPlaying(30_000);
      const alone = await waitFor(
        trackerGauges,
        (g) => g.connections === 1 && g.peers > 0,
        "the neighbour alone",
        10_000,
      );

      const spa = await openViewer(browser, page(true), { name: "spa" });
      open.push(spa);
      const connections = () =>
        spa.page.evaluate(() =>
          (window as unknown as { openConnections(): { rtc: number; sockets: number } }).openConnections(),
        );
      const stats = () =>
        spa.page.evaluate(() =>
          (window as unknown as { nearcast: { getStats(): NearcastStats } }).nearcast.getStats(),
        );

      for (let i = 1; i <= NAVIGATIONS; i++) {
        await spa.page.evaluate(() => (window as unknown as { mount(): void }).mount());
        await spa.waitForPlaying(30_000);
        const joined = await waitFor(
          stats,
          (s) => s.connectedPeers >= 1,
          `navigation ${i}: a peer connection`,
          15_000,
        );
        expect(joined.connectedPeers).toBeGreaterThanOrEqual(1);
        expect((await trackerGauges()).connections, "tracker sockets while mounted").toBe(2);

        const leftAt = Date.now();
        await spa.page.evaluate(() => (window as unknown as { unmount(): void }).unmount());
        await waitFor(
          connections,
          (c) => c.rtc === 0 && c.sockets === 0,
          `navigation ${i}: connections closed`,
          RELEASE_WITHIN_MS,
        );
        await waitFor(
          trackerGauges,
          (g) => g.connections === alone.connections && g.peers === alone.peers,
          `navigation ${i}: tracker forgets the viewer`,
          RELEASE_WITHIN_MS - (Date.now() - leftAt),
        );
        const releasedMs = Date.now() - leftAt;
        console.log(
          `[lifecycle] navigation ${i}: P2P joined with ${joined.connectedPeers} peer(s); released in ${releasedMs} ms`,
        );
        expect(releasedMs).toBeLessThanOrEqual(RELEASE_WITHIN_MS);
        expect((await stats()).connectedPeers, "peers listed after leaving").toBe(0);
      }

      // Nothing left behind: every connection the SPA ever opened is closed, the neighbour has no peer.
      const opened = await spa.page.evaluate(() => ({
        rtc: (window as unknown as { rtc: unknown[] }).rtc.length,
        sockets: (window as unknown as { sockets: unknown[] }).sockets.length,
      }));
      console.log(
        `[lifecycle] over ${NAVIGATIONS} navigations the SPA opened ${opened.rtc} peer connections and ${opened.sockets} tracker sockets; all closed`,
      );
      expect(await connections()).toEqual({ rtc: 0, sockets: 0 });
      await waitFor(
        () => neighbour.sample(),
        (s) => (s.stats?.connectedPeers ?? -1) === 0,
        "the neighbour to drop the SPA's peer",
        10_000,
      );
      expect(spa.problems.filter((p) => p.kind !== "console")).toEqual([]);
    },
  );
});
