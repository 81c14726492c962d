// The offload dashboard in headless Chromium: empty state before any report, then a live stream card
// with offload percentages and uPlot charts fed by two real viewers of the live stream, updating over
// Server-Sent Events without a reload, and a "disconnected, retrying" state when the server goes.
//
// The viewers' own SDK reports once the player sends them (statsUrl); until then — or if none has
// arrived one report interval after playback started — the test reports for them, with the deltas
// of each viewer's `nearcast.getStats()`, exactly as the SDK's reporter would.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatsReport } from "../../sdk/src/core/report-types.js";
import type { NearcastStats } from "../../sdk/src/index.js";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import type { StatsSnapshot } from "../../demo-server/src/stats/index.js";
import { closeBrowser, launchBrowser } from "./support/chromium.js";
import { delay, describeProblems, openViewer, type Viewer } from "./support/viewer.js";

const SCREENSHOT = path.join("test-artifacts", "dashboard.png");
const EMPTY_TEXT = "No viewers have reported yet — open the player at / in a few tabs";
const LIVE_KEY = "origin:demo/live";
/** One SDK report interval plus margin: long enough for a real reporter's first report. */
const OWN_REPORTS_WAIT_MS = 14_000;
const FEED_INTERVAL_MS = 2_500;

/** What the dashboard page exposes for tests (see demo-server/dashboard/src/main.ts). */
interface DashboardGlobals {
  nearcastStats?: StatsSnapshot;
  nearcastSnapshots?: number;
  marker?: number;
}

let server: RunningServer | undefined;
let browser: Browser | undefined;
const open: Viewer[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  browser = await launchBrowser({ viewport: { width: 1360, height: 900 } });
});

afterAll(async () => {
  try {
    await Promise.allSettled(open.map((v) => v.close()));
    await closeBrowser(browser);
  } finally {
    await server?.close();
  }
});

async function stats(base: string): Promise<StatsSnapshot> {
  return (await (await fetch(`${base}/api/stats`)).json()) as StatsSnapshot;
}

/** Reports for viewers whose page does not: deltas of their SDK counters, one client id per viewer. */
class StandInReporter {
  private readonly last = new Map<Viewer, { seq: number; http: number; p2p: number; up: number }>();

  constructor(
    private readonly base: string,
    private readonly viewers: readonly Viewer[],
  ) {}

  async reportOnce(): Promise<void> {
    const reports: StatsReport[] = [];
    for (const [index, viewer] of this.viewers.entries()) {
      const stats = await viewer.page.evaluate(
        () =>
          (window as unknown as { nearcast?: { getStats(): NearcastStats } }).nearcast?.getStats() ?? null,
      );
      if (stats === null || stats.swarmKey === undefined) continue;
      const previous = this.last.get(viewer) ?? { seq: 0, http: 0, p2p: 0, up: 0 };
      const deltas = {
        httpBytes: stats.httpDownloadedBytes - previous.http,
        p2pBytes: stats.p2pDownloadedBytes - previous.p2p,
        uploadedBytes: stats.p2pUploadedBytes - previous.up,
      };
      this.last.set(viewer, {
        seq: previous.seq + 1,
        http: stats.httpDownloadedBytes,
        p2p: stats.p2pDownloadedBytes,
        up: stats.p2pUploadedBytes,
      });
      const cut = stats.swarmKey.lastIndexOf("|");
      reports.push({
        clientId: `stand-in-viewer-${index}`,
        seq: previous.seq + 1,
        streamId: stats.swarmKey.slice(0, cut),
        sentAtMs: Date.now(),
        deltas,
        renditions: [{ rendition: stats.swarmKey.slice(cut + 1), ...deltas }],
        peers: stats.connectedPeers,
        final: false,
      });
    }
    if (reports.length === 0) return;
    const response = await fetch(`${this.base}/api/stats/report`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ v: 1, reports }),
    });
    expect(response.status, await response.text()).toBe(200);
  }
}

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => el.textContent ?? "");
}

describe("offload dashboard", () => {
  it(
    "shows the empty state, then live offload figures and charts, updating without reload",
    { timeout: 240_000 },
    async () => {
      if (!server || !browser) throw new Error("server or browser did not start");
      const base = server.url;
      const dashboard = await openViewer(browser, `${base}/dashboard`, { name: "dashboard" });
      open.push(dashboard);
      const page = dashboard.page;

      // Before any report: the empty state, connected.
      await page.waitForFunction(
        () =>
          document.getElementById("connection")?.dataset["state"] === "live" &&
          !document.getElementById("empty")?.hidden,
        { timeout: 20_000 },
      );
      expect((await text(page, "#empty h2")).trim()).toBe(EMPTY_TEXT);
      expect(await page.$$(".card")).toHaveLength(0);

      // Two viewers of the live stream with P2P.
      for (let i = 0; i < 2; i++) {
        const viewer = await openViewer(browser, `${base}/?stream=live&p2p=1`, { name: `viewer-${i}` });
        open.push(viewer);
        await viewer.waitForPlaying(60_000);
      }
      const viewers = open.slice(1);
      const playingAt = Date.now();
      let ownReports = false;
      while (Date.now() - playingAt < OWN_REPORTS_WAIT_MS) {
        if ((await stats(base)).reports.accepted > 0) {
          ownReports = true;
          break;
        }
        await delay(1_000);
      }
      console.log(
        `[dashboard] ${ownReports ? "viewers report by themselves" : "the test reports for the viewers"}`,
      );
      const standIn = ownReports ? undefined : new StandInReporter(base, viewers);
      let feeding = true;
      const feeder = (async () => {
        while (feeding && standIn) {
          await standIn.reportOnce();
          await delay(FEED_INTERVAL_MS);
        }
      })();

      try {
        // The stream card appears with its name and an offload percentage.
        const card = `.card[data-stream-key="${LIVE_KEY}"]`;
        await page.waitForSelector(card, { timeout: 60_000 });
        await page.waitForFunction(
          (selector) => /^-?\d+%$/.test(document.querySelector(`${selector} .big-value`)?.textContent ?? ""),
          { timeout: 60_000 },
          card,
        );
        expect(await page.$eval("#empty", (el) => (el as HTMLElement).hidden)).toBe(true);
        expect(await text(page, `${card} .card-title`)).toBe("demo/live");
        expect(await text(page, `${card} .badge`)).toBe("origin: demo");
        expect(await text(page, `${card} .card-meta`)).toMatch(
          /\d+ viewers? · \d+ peer connections? · last report/,
        );
        expect(await text(page, `${card} tr[data-row="offload"] td[data-window="all"]`)).toMatch(
          /^\d+(\.\d)?%$/,
        );
        expect(await text(page, "#total-offload")).toMatch(/^\d+%$/);

        // Both uPlot charts render into canvases of real size.
        const canvases = await page.$$eval(`${card} .plot canvas`, (list) =>
          list.map((c) => ({
            width: (c as HTMLCanvasElement).width,
            height: (c as HTMLCanvasElement).height,
          })),
        );
        expect(canvases).toHaveLength(2);
        for (const canvas of canvases) {
          expect(canvas.width).toBeGreaterThan(200);
          expect(canvas.height).toBeGreaterThan(100);
        }

        // Updates arrive over SSE: counters move, the page is the same document.
        await page.evaluate(() => ((window as unknown as DashboardGlobals).marker = 42));
        const before = await page.evaluate(
          () => (window as unknown as DashboardGlobals).nearcastSnapshots ?? 0,
        );
        const acceptedBefore = (await stats(base)).reports.accepted;
        await page.waitForFunction(
          (accepted) =>
            ((window as unknown as DashboardGlobals).nearcastStats?.reports.accepted ?? 0) > accepted,
          { timeout: 60_000 },
          acceptedBefore,
        );
        const after = await page.evaluate(() => ({
          marker: (window as unknown as DashboardGlobals).marker,
          snapshots: (window as unknown as DashboardGlobals).nearcastSnapshots ?? 0,
          navigations: performance.getEntriesByType("navigation").length,
          reportsText: document.getElementById("reports")?.textContent ?? "",
        }));
        expect(after.marker).toBe(42);
        expect(after.navigations).toBe(1);
        expect(after.snapshots).toBeGreaterThan(before);
        expect(after.reportsText).toMatch(/^Reports: \d+ accepted/);

        // Half a minute of chart points, then the picture.
        await page.waitForFunction(
          (key) => {
            const stream = (window as unknown as DashboardGlobals).nearcastStats?.streams.find(
              (s) => s.key === key,
            );
            return (
              (stream?.series.httpBps.filter((v, i) => v + (stream.series.p2pBps[i] ?? 0) > 0).length ?? 0) >=
              6
            );
          },
          { timeout: 90_000, polling: 1_000 },
          LIVE_KEY,
        );
        const snapshot = await stats(base);
        const live = snapshot.streams.find((s) => s.key === LIVE_KEY);
        console.log(
          `[dashboard] demo/live: ${live?.viewers} viewers, offload 1m ${live?.windows["1m"].offload?.toFixed(3)} ` +
            `all ${live?.windows.all.offload?.toFixed(3)}, origin-measured all ${live?.windows.all.originOffload?.toFixed(3)}`,
        );
        expect(live?.viewers).toBeGreaterThanOrEqual(1);
        await mkdir(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
        expect(dashboard.problems, describeProblems(dashboard.problems)).toEqual([]);
      } finally {
        feeding = false;
        await feeder;
      }

      // The server goes away: the page says so and keeps retrying.
      for (const viewer of viewers) await viewer.close();
      await server.close();
      await page.waitForFunction(
        () => document.getElementById("connection")?.textContent === "Disconnected, retrying…",
        { timeout: 20_000 },
      );
      expect(await page.$eval("body", (el) => el.classList.contains("offline"))).toBe(true);
    },
  );
});
