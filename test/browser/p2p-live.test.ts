// Several viewers in separate Chromium contexts watch the live demo stream at hls.js's default
// latency, first with P2P off, then on, in the same run: with P2P the origin serves less than half
// of what the players receive, nobody hits a fatal error, and nobody stalls more than without P2P.
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import { closeBrowser, launchBrowser } from "./support/chromium.js";
import { runAudience, type AudienceResult } from "./support/audience.js";
import { describePlayback, formatBytes } from "./support/playback-report.js";
import type { Viewer } from "./support/viewer.js";

const VIEWERS = Number(process.env.NEARCAST_TEST_VIEWERS ?? 4);
const WATCH_MS = 60_000;
/** Viewers join a few seconds apart, as real audiences do (and so each finds the others connected). */
const STAGGER_MS = 2000;

let server: RunningServer | undefined;
let browser: Browser | undefined;
const open: Viewer[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  browser = await launchBrowser();
});

afterAll(async () => {
  try {
    await Promise.allSettled(open.map((v) => v.close()));
    await closeBrowser(browser);
  } finally {
    await server?.close();
  }
});

async function runPhase(p2p: boolean): Promise<AudienceResult> {
  if (!server || !browser) throw new Error("server or browser did not start");
  const result = await runAudience({
    server,
    browser,
    viewers: VIEWERS,
    path: `/?stream=live&p2p=${p2p ? 1 : 0}`,
    watchMs: WATCH_MS,
    staggerMs: STAGGER_MS,
    name: p2p ? "p2p" : "http",
    onOpen: (viewer) => open.push(viewer),
  });
  for (const r of result.reports) console.log(`[p2p-live] ${describePlayback(r)}`);
  console.log(
    `[p2p-live] P2P ${p2p ? "on" : "off"}: origin served ${formatBytes(result.originBytes)} of ` +
      `${formatBytes(result.receivedBytes)} received → offload at the origin ${result.originOffload.toFixed(3)} ` +
      `(ceiling ${(1 - 1 / VIEWERS).toFixed(3)})`,
  );
  return result;
}

describe(`${VIEWERS} Chromium viewers on the live stream at hls.js default latency`, () => {
  it("P2P halves the origin's bytes without adding stalls or errors", { timeout: 420_000 }, async () => {
    const http = await runPhase(false);
    const p2p = await runPhase(true);

    for (const r of [...http.reports, ...p2p.reports]) {
      expect(r.fatalErrors, `${r.name}: fatal hls.js errors`).toEqual([]);
      expect(r.advancedSec, `${r.name} played`).toBeGreaterThan((WATCH_MS / 1000) * 0.8);
    }
    // Without P2P the origin serves everything: this checks the byte accounting itself.
    expect(http.originBytes).toBeGreaterThanOrEqual(http.receivedBytes * 0.95);
    expect(p2p.originBytes, "origin bytes with P2P").toBeLessThan(p2p.receivedBytes / 2);
    const stalls = (phase: AudienceResult) => phase.reports.reduce((sum, r) => sum + r.stalls, 0);
    expect(stalls(p2p), "stalls with P2P vs without").toBeLessThanOrEqual(stalls(http));
    // Whoever sees a new segment first fetches it for the swarm, so one viewer may fetch them all:
    // judge the swarm, not each viewer.
    const viewersFedByPeers = p2p.reports.filter((r) => (r.finalStats?.p2pDownloadedBytes ?? 0) > 0).length;
    expect(viewersFedByPeers, "viewers that received bytes from peers").toBeGreaterThanOrEqual(VIEWERS - 1);
  });
});
