// The set-up every browser test shares: one demo server (origin, tracker, stats) and one Chromium
// for the whole file, and everything a test opens (viewers, test origins, other servers) closed
// after the file, also when a test failed. Files share nothing with each other (ports 0, their own
// browser profile), so the runner may run two at once.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll } from "vitest";
import { REPO_ROOT } from "../../../demo-server/src/config.js";
import { startServer, type RunningServer, type ServerOptions } from "../../../demo-server/src/server.js";
import type { TestOrigin } from "../../support/test-origin.js";
import { closeBrowser, launchBrowser, type LaunchBrowserOptions } from "./chromium.js";
import { openViewer, type OpenViewerOptions, type Viewer } from "./viewer.js";

/** What the pages load: the built SDK bundle and the built demo player. */
const REQUIRED_BUILD = [
  "sdk/dist/nearcast.min.js",
  "demo-server/public/sdk/nearcast.min.js",
  "demo-server/public/player.js",
];

export interface BrowserRigOptions {
  /** Options of the demo server (e.g. `hlsDirs`); it always listens on 127.0.0.1, port 0. */
  server?: Partial<ServerOptions>;
  /** Options of the Chromium launch (e.g. a larger viewport for the dashboard). */
  browser?: LaunchBrowserOptions;
}

export interface BrowserRig {
  browser: Browser;
  /** The demo server (`server.url`, `server.origin` counters, `server.tracker`). */
  server: RunningServer;
  /** The demo server's tracker, `ws://…/tracker`. */
  trackerUrl: string;
  /** Viewers to close after the file's tests (push them as they open; {@link BrowserRig.viewer} does). */
  open: Viewer[];
  /** Test origins to close after the file's tests. */
  origins: TestOrigin[];
  /** Anything else to release after the file (served apps, contexts, sites), run in reverse order. */
  cleanups: (() => Promise<unknown> | unknown)[];
  /** Opens `url` (absolute, or a path on the demo server) in a fresh browser context, closed after the file. */
  viewer(url: string, options: OpenViewerOptions): Promise<Viewer>;
}

/**
 * Registers `beforeAll`/`afterAll` for a demo server and a Chromium; call at a file's top level,
 * before the file's own hooks. Returns a getter for use inside tests and later hooks, which throws
 * "set-up failed" if `beforeAll` did not finish. Fails at once, naming `npm run build`, when the
 * bundles the pages load are missing.
 */
export function useBrowserRig(options: BrowserRigOptions = {}): () => BrowserRig {
  let rig: BrowserRig | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const open: Viewer[] = [];
  const origins: TestOrigin[] = [];
  const cleanups: BrowserRig["cleanups"] = [];
  beforeAll(async () => {
    const missing = REQUIRED_BUILD.filter((file) => !existsSync(path.join(REPO_ROOT, file)));
    if (missing.length > 0)
      throw new Error(`Missing ${missing.join(", ")}: run \`npm run build\` before the browser tests`);
    server = await startServer({ ...options.server, host: "127.0.0.1", port: 0 });
    browser = await launchBrowser(options.browser);
    const base = server.url;
    const started = { server, browser };
    rig = {
      ...started,
      trackerUrl: `${base.replace(/^http/, "ws")}/tracker`,
      open,
      origins,
      cleanups,
      viewer: async (url, viewerOptions) => {
        const viewer = await openViewer(
          started.browser,
          url.startsWith("/") ? `${base}${url}` : url,
          viewerOptions,
        );
        open.push(viewer);
        return viewer;
      },
    };
  });
  afterAll(async () => {
    // Each step runs even if one before it failed: no Chromium, socket or server outlives the file.
    await Promise.allSettled(open.map((v) => v.close()));
    for (const cleanup of cleanups.splice(0).reverse())
      await Promise.resolve()
        .then(cleanup)
        .catch(() => undefined);
    await closeBrowser(browser);
    await Promise.allSettled(origins.map((o) => o.close()));
    await server?.close();
  });
  return () => {
    if (!rig) throw new Error("set-up failed (see the beforeAll error above)");
    return rig;
  };
}
