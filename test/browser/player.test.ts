// The demo player in headless Chromium: live, VOD and fMP4 VOD play through the SDK's loader for
// real seconds with no hls.js error, and a missing source ends in a clear error on the page.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import type { OriginStatsSnapshot } from "../../demo-server/src/server.js";
import { describePlayback, formatBytes } from "./support/playback-report.js";
import { useBrowserRig } from "./support/rig.js";
import { describeProblems, watchPlayback } from "./support/viewer.js";

const ARTIFACTS_DIR = path.join(REPO_ROOT, "test-artifacts");

/** First frames can take long when Chromium, the server and vitest share 2 busy cores. */
const FIRST_FRAME_TIMEOUT_MS = 30_000;
const SAMPLE_INTERVAL_MS = 500;
/** Origin bytes of requests the close cut off: a couple of segments (≈ 220 KB each at 540p). */
const IN_FLIGHT_SLACK_BYTES = 1024 * 1024;

const rig = useBrowserRig();

async function originStats(): Promise<OriginStatsSnapshot> {
  const response = await fetch(`${rig().server.url}/api/origin/stats`);
  expect(response.status).toBe(200);
  return (await response.json()) as OriginStatsSnapshot;
}

interface PlaybackCase {
  stream: "live" | "vod" | "vod-fmp4";
  /** Key of the stream in the origin's counters. */
  originStream: string;
  live: boolean;
  watchMs: number;
  minAdvanceSec: number;
  screenshot?: string;
}

const CASES: PlaybackCase[] = [
  {
    stream: "live",
    originStream: "demo",
    live: true,
    watchMs: 10_000,
    minAdvanceSec: 8,
    screenshot: "player-live.png",
  },
  { stream: "vod", originStream: "demo", live: false, watchMs: 10_000, minAdvanceSec: 8 },
  { stream: "vod-fmp4", originStream: "demo-fmp4", live: false, watchMs: 7_000, minAdvanceSec: 5.5 },
];

describe("demo player in headless Chromium (P2P off)", () => {
  it.each(CASES)(
    "plays $stream through the SDK loader for $watchMs ms with no hls.js error",
    async ({ stream, originStream, live, watchMs, minAdvanceSec, screenshot }) => {
      const originBefore = await originStats();
      const viewer = await rig().viewer(`/?stream=${stream}&p2p=0`, { name: stream });
      const started = await viewer.waitForPlaying(FIRST_FRAME_TIMEOUT_MS);
      const report = await watchPlayback(viewer, watchMs, SAMPLE_INTERVAL_MS);
      if (screenshot) await viewer.screenshot(path.join(ARTIFACTS_DIR, screenshot));
      // Stats just before closing, and origin counters after: the origin delta is then this viewer's
      // alone, and differs from the SDK's count only by requests cut off by the close.
      const { stats } = await viewer.sample();
      await viewer.close();
      const originAfter = await originStats();

      const originBytes = originAfter.totals.mediaBytes - originBefore.totals.mediaBytes;
      const streamBytes =
        (originAfter.streams[originStream]?.mediaBytes ?? 0) -
        (originBefore.streams[originStream]?.mediaBytes ?? 0);
      console.log(`[player] ${describePlayback(report)}; origin +${formatBytes(originBytes)}`);

      expect(report.durationMs).toBeGreaterThanOrEqual(watchMs);
      expect(report.advancedSec, `currentTime advanced: ${describePlayback(report)}`).toBeGreaterThanOrEqual(
        minAdvanceSec,
      );
      expect(report.fatalErrors, "fatal hls.js errors").toEqual([]);
      expect(report.errorsDuringWatch, "hls.js errors while playing").toEqual([]);
      expect(started.playerErrors, "hls.js errors before playback started").toEqual([]);
      expect(report.final.live).toBe(live);
      expect(report.final.videoHeight, "a decoded frame").toBeGreaterThan(0);
      // Nothing logged, not even a /favicon.ico 404 (the player declares its icon inline).
      expect(viewer.problems, describeProblems(viewer.problems)).toEqual([]);

      // Fragments went through the SDK's loader, over HTTP only since P2P is off…
      expect(stats, "window.nearcast.getStats()").not.toBeNull();
      if (!stats) return;
      expect(stats.httpDownloadedBytes).toBeGreaterThan(0);
      expect(stats.segments.http).toBeGreaterThan(0);
      expect(stats.p2pDownloadedBytes).toBe(0);
      expect(stats.segments.p2p).toBe(0);
      expect(stats.connectedPeers).toBe(0);
      // …and came from this origin, which served every byte the SDK counted and little more.
      expect(streamBytes).toBeGreaterThan(0);
      expect(originBytes).toBeGreaterThanOrEqual(stats.httpDownloadedBytes);
      expect(originBytes).toBeLessThanOrEqual(stats.httpDownloadedBytes + IN_FLIGHT_SLACK_BYTES);
    },
  );

  it("reports an unknown custom source as a fatal network error in the status line", async () => {
    const viewer = await rig().viewer("/?src=/streams/nope/vod/master.m3u8&p2p=0", {
      name: "missing-source",
    });
    const failed = await viewer.waitForSample(
      (sample) => sample.playerErrors.some((error) => error.fatal),
      "a fatal hls.js error",
      FIRST_FRAME_TIMEOUT_MS,
    );

    expect(failed.playerErrors.find((error) => error.fatal)).toMatchObject({
      type: "networkError",
      details: "manifestLoadError",
    });
    expect(failed.statusText).toMatch(/^Playback error/);
    expect(await viewer.page.$eval("#status", (el) => el.classList.contains("error"))).toBe(true);
    expect(failed.currentTime).toBe(0);
    // Nothing crashed: no uncaught exception, the page still answers, the server still serves.
    expect(viewer.problems.filter((problem) => problem.kind !== "console")).toEqual([]);
    expect(await viewer.page.evaluate(() => document.title)).toBe("Nearcast demo player");
    await originStats();
    console.log(`[player] missing-source: status "${failed.statusText}"`);
  });
});
