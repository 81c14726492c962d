// examples/script-tag as its README says to run it: the page, the built script-tag bundle
// (sdk/dist/nearcast.min.js) and hls.js's own hls.min.js copied into one folder and served as static
// files — no bundler. The page's script does the natural `const { Nearcast } = window.Nearcast;`,
// which threw "Identifier 'Nearcast' has already been declared" while the bundle declared a global
// `var Nearcast` (issue 24). Two tabs must play and trade segments over WebRTC.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import { serveStatic } from "./support/consumer-apps.js";
import {
  sampleExampleTab,
  waitForExamplePlaying,
  waitForExampleTab,
  waitForTrade,
} from "./support/example-tabs.js";
import { useBrowserRig } from "./support/rig.js";

/** Playing from the origin, then the second tab finding the first and getting segments from it. */
const PLAY_TIMEOUT_MS = 45_000;
const P2P_TIMEOUT_MS = 60_000;
/** Seconds of playback each tab must show, so "plays" means frames rendering. */
const MIN_PLAYED_SEC = 2;

const rig = useBrowserRig();

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
    await waitForExamplePlaying(first, "the first tab", MIN_PLAYED_SEC, PLAY_TIMEOUT_MS);
    expect((await sampleExampleTab(first.page)).tracker).toBe("tracker: connected");

    const second = await rig().viewer(pageUrl, { name: "script-tag-2" });
    const secondStart = await waitForExampleTab(
      second,
      "the second tab starts",
      PLAY_TIMEOUT_MS,
      (s) => s.currentTime > 0,
    );
    const traded = await waitForTrade(first, second, secondStart.currentTime, MIN_PLAYED_SEC, P2P_TIMEOUT_MS);
    console.log(
      `[script-tag] P2P bytes first tab ${traded.first.stats?.p2pDownloadedBytes}, second ${traded.second.stats?.p2pDownloadedBytes}`,
    );
    // The example declares no favicon: Chromium's request for one is not the page's error.
    const problems = [...first.problems, ...second.problems].filter((p) => !p.url?.endsWith("/favicon.ico"));
    expect(problems).toEqual([]);
  });
});
