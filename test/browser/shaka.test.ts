// Nearcast's Shaka Player adapter (issue 23, `nearcast/shaka`): two viewers in separate Chromium
// contexts play one stream through real Shaka Player 5 with the script-tag bundles, HLS and then
// DASH; the second gets segments from the first over WebRTC, and every segment payload Shaka
// receives equals the origin's bytes (SHA-256), whichever way it came.
import type { Page } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import type { NearcastStats } from "../../sdk/src/index.js";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { waitFor } from "../support/wait-for.js";
import { expectedSha256, type FragRecord } from "./support/matrix-run.js";
import { useBrowserRig } from "./support/rig.js";
import { openViewer, type Viewer } from "./support/viewer.js";

const rig = useBrowserRig();

interface ShakaPage {
  frags: FragRecord[];
  errors: { details: string; fatal: boolean }[];
  stats: NearcastStats | null;
  currentTime: number;
}

const readPage = (page: Page): Promise<ShakaPage> =>
  page.evaluate(() => {
    const w = window as unknown as {
      fragLog: FragRecord[];
      playerErrors: ShakaPage["errors"];
      nearcast?: { getStats(): NearcastStats };
    };
    return {
      frags: w.fragLog,
      errors: w.playerErrors,
      stats: w.nearcast ? w.nearcast.getStats() : null,
      currentTime: document.querySelector("video")?.currentTime ?? 0,
    };
  });

/** Polls until `viewer` played past `sec` with every payload hashed; throws at the deadline. */
async function playedPast(viewer: Viewer, sec: number, timeoutMs: number): Promise<ShakaPage> {
  let at = 0;
  return waitFor(
    async () => {
      const state = await readPage(viewer.page);
      const fatal = state.errors.find((e) => e.fatal);
      if (fatal) throw new Error(`${viewer.name}: fatal Shaka error ${fatal.details}`);
      at = state.currentTime;
      return state.currentTime > sec && state.frags.every((f) => f.sha256 !== "") ? state : undefined;
    },
    timeoutMs,
    `${viewer.name} to play past ${sec} s with every payload hashed`,
    { intervalMs: 250, describeLast: () => `at ${at.toFixed(1)} s` },
  );
}

function badFrags(state: ShakaPage, origin: TestOrigin): string[] {
  return state.frags
    .filter((f) => f.length === 0 || f.sha256 !== expectedSha256(origin, f))
    .map((f) => `${f.url}${f.rangeEnd > 0 ? ` @${f.rangeStart}-${f.rangeEnd}` : ""} (${f.length} B)`);
}

const STREAMS = [
  { name: "HLS, fMP4 ladder with muxed audio", manifest: "/s/vod/fmp4-ladder/master.m3u8", types: ["video"] },
  {
    name: "DASH, video and audio adaptation sets",
    manifest: "/s/vod/dash/manifest.mpd",
    types: ["audio", "video"],
  },
];

describe("Shaka Player through nearcast/shaka", () => {
  it.each(STREAMS)(
    "$name: two viewers trade segments, every payload equal to the origin's",
    { timeout: 120_000 },
    async (stream) => {
      const { browser, trackerUrl, open, origins } = rig();
      const origin = await startTestOrigin();
      origins.push(origin);
      const src = origin.url + stream.manifest;
      // A 6-second buffering goal: both viewers fetch most of the 20-second stream while playing.
      const url =
        `${origin.url}/page/shaka.html?p2p=1&buffer=6&tracker=${encodeURIComponent(trackerUrl)}` +
        `&src=${encodeURIComponent(src)}`;
      const first = await openViewer(browser, url, { name: "shaka-0" });
      open.push(first);
      await first.waitForPlaying();
      const second = await openViewer(browser, url, { name: "shaka-1" });
      open.push(second);
      await second.waitForPlaying();

      const secondState = await playedPast(second, 14, 60_000);
      const firstState = await readPage(first.page);
      for (const [name, state] of [
        ["shaka-0", firstState],
        ["shaka-1", secondState],
      ] as const) {
        expect(state.frags.length, `${name}: segments`).toBeGreaterThan(5);
        expect(badFrags(state, origin), `${name}: payloads that differ from the origin`).toEqual([]);
        expect(
          state.errors.filter((e) => e.fatal),
          `${name}: fatal errors`,
        ).toEqual([]);
        // Shaka's HLS parser also fetches a segment or two with no stream yet (to learn the
        // container and start time): those stay with its own HTTP plugin, and are checked too.
        expect(
          state.frags.filter((f) => f.type === "video").length,
          `${name}: video segments`,
        ).toBeGreaterThan(5);
      }
      const stats = secondState.stats!;
      console.log(
        `[shaka] ${stream.name}: second viewer: ${stats.p2pDownloadedBytes} B from peers, ${stats.httpDownloadedBytes} B over HTTP, ` +
          `segments ${JSON.stringify(stats.segments)}; first uploaded ${firstState.stats!.p2pUploadedBytes} B`,
      );
      expect(stats.p2pDownloadedBytes, "second viewer: bytes from peers").toBeGreaterThan(0);
      expect(stats.segments.p2p, "second viewer: segments from peers").toBeGreaterThan(0);
      expect(firstState.stats!.p2pUploadedBytes, "first viewer: bytes uploaded").toBeGreaterThan(0);
      // What the second viewer's Shaka received is what Nearcast delivered: no segment missing or extra.
      const delivered = stats.segments.http + stats.segments.p2p + stats.segments.cache;
      const streamed = secondState.frags.filter((f) => f.type !== "");
      expect(delivered, "segments Nearcast delivered vs stream payloads Shaka received").toBe(
        streamed.length,
      );
    },
  );
});
