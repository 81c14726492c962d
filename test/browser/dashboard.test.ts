// The offload dashboard in headless Chromium: empty state before any report, then a live stream card
// with offload percentages and uPlot charts fed by two real viewers of the live stream, updating over
// Server-Sent Events without a reload, and a "disconnected, retrying" state when the server goes.
//
// Every figure comes from the viewers' own reports: the demo player sends them to its server
// (statsUrl), as a newcomer's two tabs would. Nothing is posted on their behalf.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Page } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import type { StatsSnapshot } from "../../demo-server/src/stats/index.js";
import { waitFor } from "../support/wait-for.js";
import { useBrowserRig } from "./support/rig.js";
import { describeProblems } from "./support/viewer.js";

const SCREENSHOT = path.join("test-artifacts", "dashboard.png");
const EMPTY_TEXT = "No viewers have reported yet — open the player at / in a few tabs";
const LIVE_KEY = "origin:demo/live";
/** The README's promise: two tabs playing, and the stream card shows up within this. */
const CARD_WITHIN_MS = 30_000;

/** What the dashboard page exposes for tests (see demo-server/dashboard/src/main.ts). */
interface DashboardGlobals {
  nearcastStats?: StatsSnapshot;
  nearcastSnapshots?: number;
  marker?: number;
}

const rig = useBrowserRig({ browser: { viewport: { width: 1360, height: 900 } } });

async function stats(base: string): Promise<StatsSnapshot> {
  return (await (await fetch(`${base}/api/stats`)).json()) as StatsSnapshot;
}

async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => el.textContent ?? "");
}

describe("offload dashboard", () => {
  it(
    "shows the empty state, then live offload figures and charts, updating without reload",
    { timeout: 240_000 },
    async () => {
      const { server } = rig();
      const base = server.url;
      const dashboard = await rig().viewer("/dashboard", { name: "dashboard" });
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
      const viewers = [];
      for (let i = 0; i < 2; i++) {
        const viewer = await rig().viewer("/?stream=live&p2p=1", { name: `viewer-${i}` });
        await viewer.waitForPlaying(60_000);
        viewers.push(viewer);
      }
      const playingAt = Date.now();

      // The stream card appears with its name and an offload percentage.
      const card = `.card[data-stream-key="${LIVE_KEY}"]`;
      await page.waitForSelector(card, { timeout: CARD_WITHIN_MS });
      await page.waitForFunction(
        (selector) =>
          /^-?\d+%$/.test(document.querySelector(`${selector} .big-value`)?.textContent ?? "") &&
          // Below 0 the origin served viewers that do not report: said in words, not as "−8%".
          /^(\d+%|< 0% \(unreported viewers\))$/.test(
            document.querySelector(`${selector} .big-value.origin`)?.textContent ?? "",
          ),
        { timeout: Math.max(1_000, CARD_WITHIN_MS - (Date.now() - playingAt)) },
        card,
      );
      console.log(`[dashboard] card with both offload figures ${Date.now() - playingAt} ms after playback`);
      // Both viewers' own reports are in within the same half minute.
      const reported = await waitFor(
        async () => {
          const snapshot = await stats(base);
          return snapshot.streams.find((stream) => stream.key === LIVE_KEY)?.viewers === 2 && snapshot;
        },
        Math.max(1_000, CARD_WITHIN_MS - (Date.now() - playingAt)),
        "both viewers' reports in /api/stats",
        { intervalMs: 500 },
      );
      expect(reported.reports.accepted).toBeGreaterThan(1);
      expect(reported.streams.find((stream) => stream.key === LIVE_KEY)?.viewers).toBe(2);
      expect(await page.$eval("#empty", (el) => (el as HTMLElement).hidden)).toBe(true);
      expect(await text(page, `${card} .card-title`)).toBe("demo/live");
      expect(await text(page, `${card} .badge`)).toBe("origin: demo");
      expect(await text(page, `${card} .card-meta`)).toMatch(
        /\d+ viewers? · \d+ peer connections? \(counted by both ends\) · last report/,
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
            (stream?.series.httpBps.filter((v, i) => v + (stream.series.p2pBps[i] ?? 0) > 0).length ?? 0) >= 6
          );
        },
        { timeout: 90_000, polling: 1_000 },
        LIVE_KEY,
      );
      const snapshot = await stats(base);
      const live = snapshot.streams.find((s) => s.key === LIVE_KEY);
      console.log(
        `[dashboard] demo/live: ${live?.viewers} viewers, offload 1m ${live?.windows["1m"].offload?.toFixed(3)} ` +
          `all ${live?.windows.all.offload?.toFixed(3)}, origin-measured all ${live?.windows.all.originVsReportedOffload?.toFixed(3)}`,
      );
      expect(live?.viewers).toBe(2);
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT as `${string}.png`, fullPage: true });
      expect(dashboard.problems, describeProblems(dashboard.problems)).toEqual([]);

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
