// examples/script-tag as its README says to run it: the page, the built script-tag bundle
// (sdk/dist/nearcast.min.js) and hls.js's own hls.min.js copied into one folder and served as static
// files — no bundler. The page's script does the natural `const { Nearcast } = window.Nearcast;`,
// which threw "Identifier 'Nearcast' has already been declared" while the bundle declared a global
// `var Nearcast` (issue 24). Two tabs must play and trade segments over WebRTC.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import { waitFor } from "../support/wait-for.js";
import { serveStatic } from "./support/consumer-apps.js";
import { useBrowserRig } from "./support/rig.js";
import type { Viewer } from "./support/viewer.js";

/** Playing from the origin, then the second tab finding the first and getting segments from it. */
const PLAY_TIMEOUT_MS = 45_000;
const P2P_TIMEOUT_MS = 60_000;
/** Seconds of playback each tab must show, so "plays" means frames rendering. */
const MIN_PLAYED_SEC = 2;

const rig = useBrowserRig();

interface TabSample {
  currentTime: number;
  tracker: string;
  stats: { httpDownloadedBytes: number; p2pDownloadedBytes: number; connectedPeers: number } | null;
}

/** What the example page shows: its playhead, its tracker line and the stats it prints each second. */
function sample(page: Page): Promise<TabSample> {
  return page.evaluate(() => {
    const text = document.querySelector("#nearcast-stats")?.textContent ?? "";
    let stats = null;
    try {
      stats = JSON.parse(text) as TabSample["stats"];
    } catch {
      // "starting…" until the first second has passed
    }
    return {
      currentTime: document.querySelector("video")?.currentTime ?? 0,
      tracker: document.querySelector("#tracker")?.textContent ?? "",
      stats,
    };
  });
}

function waitForTab(viewer: Viewer, what: string, done: (s: TabSample) => boolean): Promise<TabSample> {
  let last: TabSample | undefined;
  return waitFor(
    async () => {
      last = await sample(viewer.page);
      return done(last) && last;
    },
    PLAY_TIMEOUT_MS,
    `${viewer.name}: ${what}`,
    {
      intervalMs: 500,
      describeLast: () => `last sample ${JSON.stringify(last)}; problems ${JSON.stringify(viewer.problems)}`,
    },
  );
}

describe("examples/script-tag: the SDK from a <script> tag, no bundler", () => {
  it("plays in two tabs that trade segments over P2P, with `const { Nearcast } = window.Nearcast`", async () => {
    // The README's steps: copy the page, the SDK's script-tag build and hls.min.js into one folder.
    const dir = mkdtempSync(path.join(os.tmpdir(), "nearcast-script-tag-"));
    rig().cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(path.join(REPO_ROOT, "examples/script-tag/index.html"), path.join(dir, "index.html"));
    copyFileSync(path.join(REPO_ROOT, "sdk/dist/nearcast.min.js"), path.join(dir, "nearcast.min.js"));
    copyFileSync(path.join(REPO_ROOT, "node_modules/hls.js/dist/hls.min.js"), path.join(dir, "hls.min.js"));
    const site = await serveStatic(dir);
    rig().cleanups.push(() => site.close());
    const pageUrl = `${site.url}?server=${encodeURIComponent(rig().server.url)}`;

    const first = await rig().viewer(pageUrl, { name: "script-tag-1" });
    const firstStart = await waitForTab(first, "starts", (s) => s.currentTime > 0);
    await waitForTab(first, "plays", (s) => s.currentTime >= firstStart.currentTime + MIN_PLAYED_SEC);
    expect(firstStart.tracker).toBe("tracker: connected");

    const second = await rig().viewer(pageUrl, { name: "script-tag-2" });
    const secondStart = await waitForTab(second, "starts", (s) => s.currentTime > 0);
    let last: { first: TabSample; second: TabSample } | undefined;
    const traded = await waitFor(
      async () => {
        last = { first: await sample(first.page), second: await sample(second.page) };
        const p2p =
          (last.first.stats?.p2pDownloadedBytes ?? 0) + (last.second.stats?.p2pDownloadedBytes ?? 0);
        return (
          last.second.currentTime >= secondStart.currentTime + MIN_PLAYED_SEC &&
          (last.second.stats?.connectedPeers ?? 0) >= 1 &&
          p2p > 0 &&
          last
        );
      },
      P2P_TIMEOUT_MS,
      "the second tab to play, connected to the first, and one of them to receive segments over P2P",
      { intervalMs: 500, describeLast: () => `last samples ${JSON.stringify(last)}` },
    );
    console.log(
      `[script-tag] P2P bytes first tab ${traded.first.stats?.p2pDownloadedBytes}, second ${traded.second.stats?.p2pDownloadedBytes}`,
    );
    // The example declares no favicon: Chromium's request for one is not the page's error.
    const problems = [...first.problems, ...second.problems].filter((p) => !p.url?.endsWith("/favicon.ico"));
    expect(problems).toEqual([]);
  });
});
