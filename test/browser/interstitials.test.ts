// HLS interstitials through Nearcast (issue 23): a VOD with an interstitial 6 s in (test/media/
// interstitials: EXT-X-DATERANGE CLASS="com.apple.hls.interstitial", a 6-second ad as X-ASSET-URI).
// hls.js plays the ad in a child Hls that inherits Nearcast's fLoader. Two Nearcast viewers and one
// plain hls.js viewer play through the break: the same interstitial events and ad fragments for all,
// every fragment equal to the origin's bytes, the ad counted apart in `getStats().interstitials`
// and shared in a swarm of its own, and the primary stream still shared between the two viewers.
import { describe, expect, it } from "vitest";
import type { NearcastHlsStats } from "../../sdk/src/hlsjs/hls-integration.js";
import { startTestOrigin } from "../support/test-origin.js";
import { waitFor } from "../support/wait-for.js";
import { expectedSha256, type FragRecord } from "./support/matrix-run.js";
import { useBrowserRig } from "./support/rig.js";
import { openViewer, type Viewer } from "./support/viewer.js";

const rig = useBrowserRig();
const MANIFEST = "/s/vod/interstitials/master.m3u8";
const AD_PATH = "/s/vod/interstitials/ad/";
/** The ad asset's segments (test/media/interstitials/ad/144p). */
const AD_SEGMENTS = 3;

interface PageState {
  frags: (FragRecord & { asset: boolean })[];
  interstitialEvents: { name: string; atSec: number }[];
  warnings: string[];
  stats: NearcastHlsStats | null;
  currentTime: number;
}

function readPage(viewer: Viewer): Promise<PageState> {
  return viewer.page.evaluate(() => {
    const w = window as unknown as Omit<PageState, "stats" | "currentTime"> & {
      fragLog: PageState["frags"];
      nearcast?: { getStats(): NearcastHlsStats };
    };
    return {
      frags: w.fragLog,
      interstitialEvents: w.interstitialEvents,
      warnings: w.warnings,
      stats: w.nearcast ? w.nearcast.getStats() : null,
      currentTime: document.querySelector("video")?.currentTime ?? 0,
    };
  });
}

/** Polls the page until the break is over and the primary played 4 s past it, with a deadline. */
async function throughTheBreak(viewer: Viewer, timeoutMs: number): Promise<PageState> {
  let last: PageState | undefined;
  return waitFor(
    async () => {
      last = await readPage(viewer);
      const ended = last.interstitialEvents.some((e) => e.name === "INTERSTITIAL_ENDED");
      // Every hash is computed asynchronously in the page: done when none is empty.
      return ended && last.currentTime > 10 && last.frags.every((f) => f.sha256 !== "") ? last : undefined;
    },
    timeoutMs,
    `${viewer.name}: the end of the break and 10 s played`,
    {
      intervalMs: 250,
      describeLast: () =>
        last
          ? `t=${last.currentTime.toFixed(1)} events=${last.interstitialEvents.map((e) => e.name).join(",")}`
          : "no state read",
    },
  );
}

describe("HLS interstitials", () => {
  it(
    "an ad break plays as with plain hls.js, in swarms and stats of its own",
    { timeout: 150_000 },
    async () => {
      const { browser, trackerUrl, open, origins } = rig();
      const origin = await startTestOrigin();
      origins.push(origin);
      const page = (query: string) =>
        `${origin.url}/page/index.html?${query}&tracker=${encodeURIComponent(trackerUrl)}` +
        `&src=${encodeURIComponent(origin.url + MANIFEST)}`;
      const viewers: Viewer[] = [];
      for (const [name, query] of [
        ["nearcast-0", "p2p=1"],
        ["nearcast-1", "p2p=1"],
        ["plain", "plain=1"],
      ] as const) {
        const viewer = await openViewer(browser, page(query), { name });
        open.push(viewer);
        viewers.push(viewer);
        await viewer.waitForPlaying(30_000);
      }
      const states = await Promise.all(viewers.map((v) => throughTheBreak(v, 60_000)));

      const plain = states[2]!;
      const plainNames = plain.interstitialEvents.map((e) => e.name);
      for (const name of ["INTERSTITIAL_STARTED", "INTERSTITIAL_ASSET_STARTED", "INTERSTITIAL_ENDED"])
        expect(plainNames, "plain hls.js: interstitial events").toContain(name);
      for (const [i, state] of states.entries()) {
        const name = viewers[i]!.name;
        expect(
          state.interstitialEvents.map((e) => e.name),
          `${name}: interstitial events as plain hls.js`,
        ).toEqual(plainNames);
        const bad = state.frags.filter((f) => f.length === 0 || f.sha256 !== expectedSha256(origin, f));
        expect(
          bad.map((f) => f.url),
          `${name}: fragments that differ from the origin`,
        ).toEqual([]);
        const ad = state.frags.filter((f) => f.asset && f.type === "main");
        expect(
          ad.every((f) => new URL(f.url).pathname.startsWith(AD_PATH)),
          `${name}: asset player loads only the ad`,
        ).toBe(true);
        expect(new Set(ad.map((f) => f.url)).size, `${name}: ad segments loaded`).toBe(AD_SEGMENTS);
        expect(
          state.frags.some((f) => !f.asset && new URL(f.url).pathname.startsWith(AD_PATH)),
          `${name}: primary loaded ad bytes`,
        ).toBe(false);
      }

      const [first, second] = states as [PageState, PageState];
      const adBytes = (s: PageState) =>
        s.frags.filter((f) => f.asset && f.type === "main").reduce((sum, f) => sum + f.length, 0);
      for (const state of [first, second]) {
        const stats = state.stats!;
        const ad = stats.interstitials;
        expect(ad.assetPlayers, "asset players followed").toBeGreaterThanOrEqual(1);
        // Every ad byte hls.js received was counted as interstitial, from HTTP or peers.
        expect(ad.segments.http + ad.segments.p2p + ad.segments.cache, "ad segments counted").toBe(
          AD_SEGMENTS,
        );
        expect(ad.httpDownloadedBytes + ad.p2pDownloadedBytes, "ad bytes counted apart").toBe(adBytes(state));
        // Asset swarms are keyed by the ad's URI, never by the primary's manifest.
        for (const peer of stats.peers)
          expect(peer.swarmKey.startsWith(origin.url + MANIFEST) || peer.swarmKey.includes(AD_PATH)).toBe(
            true,
          );
      }
      // The second viewer got the primary's segments from the first, as without an interstitial…
      const primaryP2p = second.stats!.p2pDownloadedBytes - second.stats!.interstitials.p2pDownloadedBytes;
      expect(primaryP2p, "primary bytes from peers (second viewer)").toBeGreaterThan(0);
      const primaryPeers = second.stats!.peers.filter((p) => p.swarmKey.startsWith(origin.url + MANIFEST));
      expect(primaryPeers.length, "primary swarm peers").toBeGreaterThan(0);
      console.log(
        `[interstitials] second viewer: primary ${primaryP2p} B from peers; ad ${second.stats!.interstitials.p2pDownloadedBytes} B ` +
          `from peers, ${second.stats!.interstitials.httpDownloadedBytes} B over HTTP; warnings ${JSON.stringify(second.warnings)}`,
      );
      expect([...first.warnings, ...second.warnings], "SDK warnings").toEqual([]);
    },
  );
});
