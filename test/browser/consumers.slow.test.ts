// The examples in examples/ as a user would run them: the SDK packed with `npm pack`, each example
// copied to a temporary folder, installed from the npm registry with that tarball, built with its own
// tool (Vite, webpack, Next.js, esbuild), served, and opened in two tabs of headless Chromium against
// the demo server. Each tab must play, and the two must trade segments over WebRTC
// (`getStats().p2pDownloadedBytes`, shown by each page). Which tab receives is not fixed: for each new
// live segment, the tab whose playlist refresh sees it first fetches it from the origin and the other
// takes it from that tab, and a later tab whose refreshes fall earlier in each segment's 2 s is the
// fetcher every time — then the first tab is the one fed by peers (issue 20: the old check that the
// *second* tab receives failed in 2 of 3 runs of two demo-player tabs on a quiet machine).
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyExample,
  limiter,
  packSdk,
  run,
  serveStatic,
  startNext,
  tail,
  type CommandResult,
  type ServedApp,
} from "./support/consumer-apps.js";
import { waitForExamplePlaying, waitForExampleTab, waitForTrade } from "./support/example-tabs.js";
import { useBrowserRig } from "./support/rig.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Example {
  name: string;
  /** Built static files to serve, relative to the app; undefined = a Next.js app (`next start`). */
  staticDir?: string;
  /** Text the build output must contain (the CommonJS example checks `require` in Node there). */
  buildPrints?: string;
}

const EXAMPLES: readonly Example[] = [
  { name: "vite", staticDir: "dist" },
  { name: "webpack", staticDir: "dist" },
  { name: "commonjs", staticDir: "dist", buildPrints: 'require("nearcast") 0.1.0: ok' },
  { name: "nextjs" },
  { name: "plyr", staticDir: "dist" },
  { name: "vidstack", staticDir: "dist" },
  { name: "hls-video-element", staticDir: "dist" },
  { name: "shaka", staticDir: "dist" },
];

/** npm installs are mostly waiting on the network: run them side by side. */
const INSTALLS_AT_ONCE = 4;
/** Builds are CPU-bound on a 2-core machine. */
const BUILDS_AT_ONCE = 2;
const INSTALL_TIMEOUT_MS = 300_000;
const BUILD_TIMEOUT_MS = 300_000;
const PREPARE_TIMEOUT_MS = 600_000;
/** Playing from the origin, then the second tab finding the first and getting segments from it. */
const PLAY_TIMEOUT_MS = 45_000;
const P2P_TIMEOUT_MS = 60_000;
/** Seconds of playback each tab must show, so "plays" means frames rendering, not a started element. */
const MIN_PLAYED_SEC = 2;

interface Prepared {
  dir: string;
  install?: CommandResult;
  build?: CommandResult;
  error?: string;
}

const rig = useBrowserRig();
let workDir: string | undefined;
const prepared = new Map<string, Promise<Prepared>>();
const served: ServedApp[] = [];
const contexts: BrowserContext[] = [];
const startedAt = Date.now();

beforeAll(async () => {
  if (!existsSync(path.join(REPO_ROOT, "sdk/dist/nearcast.esm.js"))) {
    throw new Error("Missing sdk/dist: run `npm run build` before the browser tests");
  }
  workDir = await mkdtemp(path.join(os.tmpdir(), "nearcast-consumers-"));
  const tarball = await packSdk(REPO_ROOT, workDir);
  const installSlot = limiter(INSTALLS_AT_ONCE);
  const buildSlot = limiter(BUILDS_AT_ONCE);
  for (const example of EXAMPLES) {
    const dir = copyExample(REPO_ROOT, example.name, workDir, tarball);
    prepared.set(
      example.name,
      (async (): Promise<Prepared> => {
        const install = await installSlot(() =>
          run("npm", ["install", "--no-audit", "--no-fund"], dir, INSTALL_TIMEOUT_MS),
        );
        if (install.code !== 0)
          return { dir, install, error: `npm install failed:\n${tail(install.output)}` };
        const build = await buildSlot(() => run("npm", ["run", "build"], dir, BUILD_TIMEOUT_MS));
        if (build.code !== 0)
          return { dir, install, build, error: `npm run build failed:\n${tail(build.output)}` };
        if (example.buildPrints !== undefined && !build.output.includes(example.buildPrints)) {
          return {
            dir,
            install,
            build,
            error: `the build did not print ${example.buildPrints}:\n${tail(build.output)}`,
          };
        }
        return { dir, install, build };
      })(),
    );
  }
  // Everything is prepared before the first tab opens: builds must not starve playback of CPU.
  const results = await Promise.all(prepared.values());
  const timings = EXAMPLES.map((example, i) => {
    const { install, build } = results[i]!;
    return `${example.name} install ${seconds(install)} build ${seconds(build)}`;
  });
  console.info(
    `consumer apps ready after ${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${timings.join(", ")}`,
  );
}, PREPARE_TIMEOUT_MS);

afterAll(async () => {
  // Before the rig's own afterAll (registered first, so it runs last): tabs, apps, then the folder.
  await Promise.allSettled(contexts.map((context) => context.close()));
  await Promise.allSettled(served.map((app) => app.close()));
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true, maxRetries: 3 });
  console.info(`consumer test took ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all`);
}, 60_000);

describe("example apps installed from the packed SDK", () => {
  for (const example of EXAMPLES) {
    it(`${example.name}: builds, plays, and its two tabs trade segments over P2P`, async () => {
      const app = await prepared.get(example.name)!;
      if (app.error !== undefined) throw new Error(`examples/${example.name}: ${app.error}`);
      const served = await serve(example, app.dir);
      if (example.staticDir === undefined) await expectServerRendered(served.url);

      const pageUrl = `${served.url}?server=${encodeURIComponent(rig().server.url)}`;
      // A live stream starts far from 0: "plays" = the playhead moves on from where it started.
      const first = await openTab(pageUrl);
      await waitForExamplePlaying(first, "the first tab", MIN_PLAYED_SEC, PLAY_TIMEOUT_MS);
      const second = await openTab(pageUrl);
      const secondStart = await waitForExampleTab(
        second,
        "the second tab starts",
        PLAY_TIMEOUT_MS,
        (s) => s.currentTime > 0,
      );
      const traded = await waitForTrade(
        first,
        second,
        secondStart.currentTime,
        MIN_PLAYED_SEC,
        P2P_TIMEOUT_MS,
      );
      console.log(
        `[consumers] ${example.name}: P2P bytes first tab ${traded.first.stats?.p2pDownloadedBytes}, second ${traded.second.stats?.p2pDownloadedBytes}`,
      );
      expect(
        traded.first.stats!.httpDownloadedBytes + traded.second.stats!.httpDownloadedBytes,
      ).toBeGreaterThan(0);
      expect(first.problems).toEqual([]);
      expect(second.problems).toEqual([]);
      await Promise.all([first.context.close(), second.context.close()]);
    });
  }
});

async function serve(example: Example, dir: string): Promise<ServedApp> {
  const app =
    example.staticDir === undefined
      ? await startNext(dir)
      : await serveStatic(path.join(dir, example.staticDir));
  served.push(app);
  return app;
}

/** The app-router page renders on the server (status 200), with the SDK imported there. */
async function expectServerRendered(url: string): Promise<void> {
  const res = await fetch(url);
  const html = await res.text();
  expect(res.status).toBe(200);
  expect(html).toContain("Nearcast <!-- -->0.1.0");
}

interface Tab {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors of the page. */
  problems: string[];
}

/** One tab = one browser context, so the two viewers share no cache or connections. */
async function openTab(url: string): Promise<Tab> {
  const context = await rig().browser.createBrowserContext();
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`pageerror: ${String(error)}`));
  page.on("console", (message) => {
    // The examples declare no favicon: the browser's request for one is not the app's error.
    const url = message.location().url ?? "";
    if (message.type() === "error" && !url.endsWith("/favicon.ico")) {
      problems.push(`console: ${message.text()} ${url}`);
    }
  });
  await page.goto(url, { waitUntil: "domcontentloaded" });
  return { context, page, problems };
}

function seconds(result: CommandResult | undefined): string {
  return result === undefined ? "-" : `${(result.elapsedMs / 1000).toFixed(0)} s`;
}
