// A single-page app that only ever calls `hls.destroy()` when the user navigates away, never
// Nearcast's destroy(): within 5 s of each navigation the tracker socket and every peer connection
// are closed and the tracker no longer lists the viewer; the next player attached to the same
// Nearcast starts P2P again cleanly. Five navigations in a row leave nothing behind.
import { describe, expect, it } from "vitest";
import type { NearcastStats } from "../../sdk/src/index.js";
import { startTestOrigin } from "../support/test-origin.js";
import { waitFor } from "../support/wait-for.js";
import { useBrowserRig } from "./support/rig.js";

const NAVIGATIONS = 5;
const RELEASE_WITHIN_MS = 5_000;

const rig = useBrowserRig();

interface TrackerGauges {
  peers: number;
  connections: number;
}

async function trackerGauges(): Promise<TrackerGauges> {
  const response = await fetch(`${rig().server.url}/api/tracker/stats`);
  return (await response.json()) as TrackerGauges;
}

describe("single-page app that only destroys its hls.js players", () => {
  it(
    `releases P2P within 5 s of each of ${NAVIGATIONS} navigations and restarts cleanly`,
    { timeout: 240_000 },
    async () => {
      const { trackerUrl, origins } = rig();
      const origin = await startTestOrigin();
      origins.push(origin);
      const page = (spa: boolean) =>
        `${origin.url}/page/index.html?p2p=1&capLevel=0&spa=${spa ? 1 : 0}` +
        `&tracker=${encodeURIComponent(trackerUrl)}` +
        `&src=${encodeURIComponent(`${origin.url}/s/live/ts-ladder/master.m3u8`)}`;
      // A neighbour that stays, so the SPA viewer has someone to connect to after every navigation.
      const neighbour = await rig().viewer(page(false), { name: "neighbour" });
      await neighbour.waitForPlaying(30_000);
      const alone = await waitFor(
        async () => {
          const g = await trackerGauges();
          return g.connections === 1 && g.peers > 0 && g;
        },
        10_000,
        "the neighbour alone",
        { intervalMs: 200 },
      );

      const spa = await rig().viewer(page(true), { name: "spa" });
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
          async () => {
            const s = await stats();
            return s.connectedPeers >= 1 && s;
          },
          15_000,
          `navigation ${i}: a peer connection`,
          { intervalMs: 200 },
        );
        expect(joined.connectedPeers).toBeGreaterThanOrEqual(1);
        expect((await trackerGauges()).connections, "tracker sockets while mounted").toBe(2);

        const leftAt = Date.now();
        await spa.page.evaluate(() => (window as unknown as { unmount(): void }).unmount());
        await waitFor(
          async () => {
            const c = await connections();
            return c.rtc === 0 && c.sockets === 0 && c;
          },
          RELEASE_WITHIN_MS,
          `navigation ${i}: connections closed`,
          { intervalMs: 200 },
        );
        await waitFor(
          async () => {
            const g = await trackerGauges();
            return g.connections === alone.connections && g.peers === alone.peers && g;
          },
          RELEASE_WITHIN_MS - (Date.now() - leftAt),
          `navigation ${i}: tracker forgets the viewer`,
          { intervalMs: 200 },
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
        async () => {
          const s = await neighbour.sample();
          return (s.stats?.connectedPeers ?? -1) === 0 && s;
        },
        10_000,
        "the neighbour to drop the SPA's peer",
        { intervalMs: 200 },
      );
      expect(spa.problems.filter((p) => p.kind !== "console")).toEqual([]);
    },
  );
});
