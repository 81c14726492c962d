// The 2-minute version of the long-session soak (`npm run bench:soak` runs 15 minutes on a 4 Mbit/s
// 720p rendition): 3 viewers with P2P on watch the demo's live CMAF stream with a small segment store,
// so it fills and evicts many times. The store stays within storeMaxBytes, the JS heap does not keep
// growing over the last minute, and neither peer connections nor in-flight loads creep up.
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { closeBrowser, launchBrowser } from "./support/chromium.js";
import { judgeSoak, runSoak } from "./support/soak-run.js";

const DURATION_MS = Number(process.env.NEARCAST_SOAK_MS ?? 120_000);
/** About 40 s of the 360p stream: the store fills within the first minute and then evicts. */
const STORE_MAX_BYTES = 2 * 1024 * 1024;
const HEAP_SLOPE_LIMIT_BYTES_PER_MIN = 1_000_000;

let server: RunningServer | undefined;
let pages: TestOrigin | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  pages = await startTestOrigin();
  browser = await launchBrowser();
});

afterAll(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await pages?.close();
    await server?.close();
  }
});

describe("long live session (2-minute soak)", () => {
  it("keeps store, heap, peers and pending loads bounded", { timeout: DURATION_MS + 120_000 }, async () => {
    if (!server || !pages || !browser) throw new Error("set-up failed");
    const result = await runSoak({
      browser,
      pageOrigin: pages.url,
      src: `${server.url}/streams/demo-fmp4/live/master.m3u8`,
      trackerUrl: `${server.url.replace(/^http/, "ws")}/tracker`,
      viewers: 3,
      durationMs: DURATION_MS,
      sampleEveryMs: 10_000,
      storeMaxBytes: STORE_MAX_BYTES,
      log: (line) => console.log(line),
    });
    const verdicts = judgeSoak(result.series, DURATION_MS / 2000);
    for (const v of verdicts) console.log(`[soak] viewer ${v.viewer}: ${JSON.stringify(v)}`);
    for (const v of verdicts) {
      expect(v.maxStoreBytes, `viewer ${v.viewer} store`).toBeLessThanOrEqual(STORE_MAX_BYTES);
      expect(v.heapSlopeLastWindowBytesPerMin, `viewer ${v.viewer} heap growth (B/min)`).toBeLessThan(
        HEAP_SLOPE_LIMIT_BYTES_PER_MIN,
      );
      expect(v.peersSecondHalfMax, `viewer ${v.viewer} peer connections`).toBeLessThanOrEqual(
        Math.max(v.peersFirstHalfMax, 2),
      );
      expect(v.pendingSecondHalfMax, `viewer ${v.viewer} pending loads`).toBeLessThanOrEqual(
        v.pendingFirstHalfMax + 1,
      );
    }
    for (const r of result.reports) {
      expect(r.fatalErrors, `${r.name} fatal errors`).toEqual([]);
      expect(r.advancedSec, `${r.name} played`).toBeGreaterThan((DURATION_MS / 1000) * 0.8);
    }
    const p2pBytes = result.stats.reduce((sum, s) => sum + (s?.p2pDownloadedBytes ?? 0), 0);
    expect(p2pBytes, "bytes from peers").toBeGreaterThan(0);
    // The store must have evicted for this to test anything: more bytes passed through than it holds.
    const received = result.stats.map((s) => (s?.httpDownloadedBytes ?? 0) + (s?.p2pDownloadedBytes ?? 0));
    expect(Math.min(...received), "bytes through each store").toBeGreaterThan(STORE_MAX_BYTES);
  });
});
