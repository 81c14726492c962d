// Where a bench viewer's browser runs and how its network is shaped, for one scenario × client run.
//
// - tc (default): a shaped LAN of this run (test/support/netns/shaped-lan.ts). Each viewer is a
//   Chromium of its own, started inside its namespace (`ip netns exec`, driven over
//   --remote-debugging-pipe) on a link whose downlink and uplink tc shapes for HTTP and WebRTC
//   alike; the run's servers, which stay in this process, are reached through the hub's port bridge.
//   Those are plain-http origins on a LAN address, which are not secure contexts: each browser is
//   told to treat them as secure, as an HTTPS page is, so the SDK hashes with Web Crypto (off the
//   main thread) rather than its JavaScript fallback for insecure pages (core/integrity.ts).
// - devtools: the bench before issue 22 — one browser, a context per viewer, on loopback, with
//   Chrome DevTools emulation of each page's HTTP downlink (WebRTC unthrottled).
import type { Browser, Page } from "puppeteer-core";
import { closeBrowser, findChromium, launchBrowser } from "../../test/browser/support/chromium.js";
import {
  createShapedLan,
  type LanViewer,
  type LinkRates,
  type ShapedLan,
} from "../../test/support/netns/shaped-lan.js";
import { networkConditions, type ShapingMode } from "./hard-scenarios.js";

/** One viewer's place in the run: its browser and its network. */
export interface ViewerSeat {
  readonly browser: Browser;
  /** The link as set now (tc), or the emulated downlink (devtools, upKbps 0). */
  readonly link: LinkRates;
  /** Runs on the fresh page before it loads (devtools: the first emulation). */
  prepare(page: Page): Promise<void>;
  /** Changes the downlink mid-watch. */
  setDownlink(page: Page, kbps: number): Promise<void>;
  /** The viewer left: its own browser (tc) is closed. Idempotent. */
  release(): Promise<void>;
}

export interface ViewerNetwork {
  readonly mode: ShapingMode;
  /** A service URL on 127.0.0.1 of this process as the viewers reach it. */
  reach(url: string): Promise<string>;
  /** A seat for a new viewer on `link` (devtools: only `downKbps` counts; 0 = no emulation). */
  seat(link: LinkRates): Promise<ViewerSeat>;
  /** Closes every browser, then (tc) deletes the namespaces. Idempotent. */
  close(): Promise<void>;
}

export function openViewerNetwork(mode: ShapingMode): ViewerNetwork {
  return mode === "tc" ? shapedNetwork() : devtoolsNetwork();
}

function devtoolsNetwork(): ViewerNetwork {
  let browser: Promise<Browser> | undefined;
  return {
    mode: "devtools",
    reach: (url) => Promise.resolve(url),
    async seat(link) {
      browser ??= launchBrowser();
      const shared = await browser;
      const emulate = (page: Page, kbps: number) => page.emulateNetworkConditions(networkConditions(kbps));
      let current = { downKbps: link.downKbps, upKbps: 0 };
      return {
        browser: shared,
        get link() {
          return current;
        },
        prepare: async (page) => {
          if (link.downKbps > 0) await emulate(page, link.downKbps);
        },
        setDownlink: async (page, kbps) => {
          current = { downKbps: kbps, upKbps: 0 };
          await emulate(page, kbps);
        },
        release: () => Promise.resolve(),
      };
    },
    async close() {
      const launched = browser;
      browser = undefined;
      if (launched) await closeBrowser(await launched.catch(() => undefined));
    },
  };
}

function shapedNetwork(): ViewerNetwork {
  // The bench's own SIGINT handler closes the browsers first, then this (see run.ts); the LAN's
  // exit handler still deletes the namespaces if the process ends another way.
  const lan: ShapedLan = createShapedLan({ chromiumPath: findChromium(), handleSignals: false });
  const open = new Set<Browser>();
  /** The origins handed out by `reach` (every one is reached before the first seat). */
  const origins = new Set<string>();
  let count = 0;
  return {
    mode: "tc",
    async reach(url) {
      const reached = await lan.reach(url);
      origins.add(new URL(reached).origin);
      return reached;
    },
    async seat(link) {
      const viewer: LanViewer = lan.addViewer(`viewer-${++count}`, link);
      const browser = await launchBrowser({
        executablePath: viewer.chromiumWrapper,
        pipe: true,
        extraArgs: [`--unsafely-treat-insecure-origin-as-secure=${[...origins].join(",")}`],
      });
      open.add(browser);
      let released = false;
      return {
        browser,
        get link() {
          return viewer.link;
        },
        prepare: () => Promise.resolve(),
        setDownlink: (_page, kbps) => {
          viewer.setLink({ ...viewer.link, downKbps: kbps });
          return Promise.resolve();
        },
        async release() {
          if (released) return;
          released = true;
          open.delete(browser);
          await closeBrowser(browser);
        },
      };
    },
    async close() {
      const browsers = [...open];
      open.clear();
      await Promise.allSettled(browsers.map((browser) => closeBrowser(browser)));
      await lan.close();
    },
  };
}
