// The set-up most browser tests share: one demo server (its tracker) and one Chromium for the whole
// file, and everything a test opens (viewers, test origins) closed after it, also when a test failed.
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { TestOrigin } from "../../support/test-origin.js";
import { closeBrowser, launchBrowser } from "./chromium.js";
import type { Viewer } from "./viewer.js";

export interface BrowserRig {
  browser: Browser;
  /** The demo server's tracker, `ws://…/tracker`. */
  trackerUrl: string;
  /** Viewers to close after the file's tests (push them as they open). */
  open: Viewer[];
  /** Test origins to close after the file's tests. */
  origins: TestOrigin[];
}

/**
 * Registers `beforeAll`/`afterAll` for a demo server and a Chromium; call at a file's top level.
 * Returns a getter for use inside tests, which throws "set-up failed" if `beforeAll` did not finish.
 */
export function useBrowserRig(): () => BrowserRig {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const open: Viewer[] = [];
  const origins: TestOrigin[] = [];
  beforeAll(async () => {
    server = await startServer({ host: "127.0.0.1", port: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    try {
      await Promise.allSettled(open.map((v) => v.close()));
      await closeBrowser(browser);
    } finally {
      await Promise.allSettled(origins.map((o) => o.close()));
      await server?.close();
    }
  });
  return () => {
    if (!browser || !server) throw new Error("set-up failed");
    return { browser, trackerUrl: `${server.url.replace(/^http/, "ws")}/tracker`, open, origins };
  };
}
