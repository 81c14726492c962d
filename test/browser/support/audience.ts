// A staggered audience of viewers, one browser context each, watching one page URL for the same span
// of their own playback. Shared by the browser tests and the benchmarks.
import type { Browser, Page } from "puppeteer-core";
import type { RunningServer } from "../../../demo-server/src/server.js";
import type { PlaybackReport } from "./playback-report.js";
import { sleep } from "../../support/wait-for.js";
import { openViewer, watchPlayback, type Viewer } from "./viewer.js";

export interface AudienceOptions {
  server: RunningServer;
  browser: Browser;
  viewers: number;
  /** Page path and query, e.g. "/?stream=live&p2p=1". */
  path: string;
  /** Viewer `index`'s own page path instead of `path` (e.g. one viewer with P2P off). */
  pathFor?: (index: number) => string | undefined;
  watchMs: number;
  staggerMs: number;
  name: string;
  /** Called with each viewer as it opens (tests track them to close them on failure). */
  onOpen?: (viewer: Viewer) => void;
  onProgress?: (message: string) => void;
  /** Runs on viewer `index`'s fresh page before it loads (e.g. `evaluateOnNewDocument`). */
  beforeLoad?: (index: number, page: Page) => Promise<void>;
  /** Runs after the final samples, before the viewers close (read what the pages recorded). */
  beforeClose?: (viewers: readonly Viewer[]) => Promise<void>;
}

export interface AudienceResult {
  reports: PlaybackReport[];
  /** Media bytes the origin served during the run (its counters are reset at the start). */
  originBytes: number;
  /** Media bytes the players' SDKs received from HTTP and peers. */
  receivedBytes: number;
  /** 1 − origin / received: the share of traffic peers took off the CDN, measured at the origin. */
  originOffload: number;
  /** Milliseconds from opening the page to playing, per viewer. */
  startupMs: number[];
}

export async function runAudience(options: AudienceOptions): Promise<AudienceResult> {
  const { server, browser } = options;
  server.origin.resetStats();
  const viewers: Viewer[] = [];
  const watches: Promise<PlaybackReport>[] = [];
  const startupMs: number[] = [];
  try {
    for (let i = 0; i < options.viewers; i++) {
      const openedAt = Date.now();
      const viewer = await openViewer(browser, `${server.url}${options.pathFor?.(i) ?? options.path}`, {
        name: `${options.name}-${i}`,
        ...(options.beforeLoad ? { beforeLoad: (page: Page) => options.beforeLoad!(i, page) } : {}),
      });
      viewers.push(viewer);
      options.onOpen?.(viewer);
      await viewer.waitForPlaying(30_000);
      startupMs.push(Date.now() - openedAt);
      options.onProgress?.(`${viewer.name} playing after ${Date.now() - openedAt} ms`);
      watches.push(watchPlayback(viewer, options.watchMs));
      if (i < options.viewers - 1) await sleep(options.staggerMs);
    }
    const reports = await Promise.all(watches);
    // Early viewers keep loading after their watch ends: read every player and the origin at one
    // moment, so both sides of the ratio cover the same bytes.
    const finals = await Promise.all(viewers.map((v) => v.sample()));
    const originBytes = server.origin.getStats().totals.mediaBytes;
    const receivedBytes = finals.reduce(
      (sum, s) => sum + (s.stats?.httpDownloadedBytes ?? 0) + (s.stats?.p2pDownloadedBytes ?? 0),
      0,
    );
    await options.beforeClose?.(viewers);
    return {
      reports,
      originBytes,
      receivedBytes,
      originOffload: receivedBytes > 0 ? 1 - originBytes / receivedBytes : 0,
      startupMs,
    };
  } finally {
    await Promise.allSettled(viewers.map((v) => v.close()));
  }
}
