// ManagedMediaSource (iPhone since iOS 17.1) through Nearcast (issue 23). Chromium 156 has none, so
// the page installs a stand-in for the browser's part (support/page/mms-stand-in.js) that hls.js
// adopts as it would Safari's; hls.js and Nearcast run unchanged. The test plays the user agent:
// `endstreaming` (hls.js pauses buffering), an eviction of buffered media ahead of the playhead
// (`bufferedchange` with removedRanges, as under memory pressure), then `startstreaming`. hls.js
// loads the evicted segments again, and Nearcast must answer from its segment store — no new
// request at the origin — with bytes equal to the origin's, and playback must go on.
import type { Page } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import type { NearcastStats } from "../../sdk/src/index.js";
import { startTestOrigin } from "../support/test-origin.js";
import { waitFor } from "../support/wait-for.js";
import { expectedSha256, type FragRecord } from "./support/matrix-run.js";
import { useBrowserRig } from "./support/rig.js";
import { openViewer } from "./support/viewer.js";

const rig = useBrowserRig();
const MANIFEST = "/s/vod/fmp4-ladder/master.m3u8";

interface MmsState {
  currentTime: number;
  bufferedEnd: number;
  bufferingEnabled: boolean;
  usesMms: boolean;
  frags: FragRecord[];
  stats: NearcastStats;
}

const readState = (page: Page): Promise<MmsState> =>
  page.evaluate(() => {
    const w = window as unknown as {
      hls: { bufferingEnabled: boolean };
      fragLog: FragRecord[];
      nearcast: { getStats(): NearcastStats };
      mmsControl: { sources: unknown[] };
    };
    const video = document.querySelector("video")!;
    const b = video.buffered;
    let bufferedEnd = video.currentTime;
    for (let i = 0; i < b.length; i++) if (b.start(i) <= video.currentTime + 0.1) bufferedEnd = b.end(i);
    return {
      currentTime: video.currentTime,
      bufferedEnd,
      bufferingEnabled: w.hls.bufferingEnabled,
      // hls.js's MMS path: a <source> with the object URL, remote playback off (else MMS won't open).
      usesMms:
        w.mmsControl.sources.length === 1 &&
        video.disableRemotePlayback &&
        Boolean(video.querySelector("source")?.src.startsWith("blob:")),
      frags: w.fragLog,
      stats: w.nearcast.getStats(),
    };
  });

async function until(page: Page, what: string, check: (s: MmsState) => boolean, timeoutMs = 30_000) {
  let last: MmsState | undefined;
  return waitFor(
    async () => {
      last = await readState(page);
      return check(last) ? last : undefined;
    },
    timeoutMs,
    what,
    {
      intervalMs: 100,
      describeLast: () =>
        last
          ? `t=${last.currentTime.toFixed(1)} buffered to ${last.bufferedEnd.toFixed(1)} buffering=${last.bufferingEnabled}`
          : "no state read",
    },
  );
}

describe("ManagedMediaSource (stand-in) through Nearcast", () => {
  it(
    "endstreaming pauses loads; media evicted ahead comes back from Nearcast's store",
    { timeout: 120_000 },
    async () => {
      const { browser, trackerUrl, open, origins } = rig();
      const origin = await startTestOrigin();
      origins.push(origin);
      const src = origin.url + MANIFEST;
      const viewer = await openViewer(
        browser,
        `${origin.url}/page/mms.html?p2p=1&buffer=10&capLevel=0&tracker=${encodeURIComponent(trackerUrl)}` +
          `&src=${encodeURIComponent(src)}`,
        { name: "mms" },
      );
      open.push(viewer);
      await viewer.waitForPlaying();
      const page = viewer.page;
      const playing = await until(page, "8 s buffered ahead", (s) => s.bufferedEnd - s.currentTime >= 8);
      expect(playing.usesMms, "hls.js plays through the ManagedMediaSource stand-in").toBe(true);

      // The UA has enough: hls.js pauses buffering (loads in flight finish).
      await page.evaluate(() => (window as unknown as { mmsControl: { end(): void } }).mmsControl.end());
      await until(page, "hls.js to pause buffering", (s) => !s.bufferingEnabled, 5_000);
      const paused = await until(page, "every payload hashed", (s) => s.frags.every((f) => f.sha256 !== ""));

      // Memory pressure: the UA evicts what is buffered from the next segment boundary on.
      const evictFrom = Math.ceil((paused.currentTime + 1) / 2) * 2;
      const evictTo = paused.bufferedEnd;
      expect(evictTo - evictFrom, "media to evict").toBeGreaterThanOrEqual(2);
      await page.evaluate(
        (a, b) =>
          (
            window as unknown as { mmsControl: { evict(a: number, b: number): Promise<void> } }
          ).mmsControl.evict(a, b),
        evictFrom,
        evictTo,
      );
      const evicted = await readState(page);
      expect(evicted.bufferedEnd, "buffered end after eviction").toBeLessThanOrEqual(evictFrom + 0.1);
      const originRequestsBefore = origin.log.length;
      const fragsBefore = evicted.frags.length;
      const cacheBefore = evicted.stats.segments.cache;

      // The UA wants data again: hls.js reloads the evicted segments, Nearcast answers from its store.
      await page.evaluate(() => (window as unknown as { mmsControl: { start(): void } }).mmsControl.start());
      const resumed = await until(
        page,
        "the evicted media buffered again",
        (s) => s.bufferingEnabled && s.bufferedEnd >= evictTo - 0.1 && s.frags.every((f) => f.sha256 !== ""),
      );
      const reloaded = resumed.frags.slice(fragsBefore);
      const evictedUrls = new Set(
        paused.frags
          .filter((f) => f.sn !== "initSegment" && reloaded.some((r) => r.url === f.url))
          .map((f) => f.url),
      );
      expect(evictedUrls.size, "evicted segments hls.js loaded again").toBeGreaterThanOrEqual(1);
      const asked = origin.log
        .slice(originRequestsBefore)
        .filter((l) => evictedUrls.has(origin.url + l.path));
      expect(
        asked.map((l) => l.path),
        "origin requests for the evicted segments",
      ).toEqual([]);
      expect(
        resumed.stats.segments.cache - cacheBefore,
        "deliveries from Nearcast's store",
      ).toBeGreaterThanOrEqual(evictedUrls.size);
      for (const f of reloaded)
        expect(f.sha256, `${f.url}: bytes equal the origin's`).toBe(expectedSha256(origin, f));
      await until(page, "playback past the evicted range", (s) => s.currentTime > evictFrom + 2, 30_000);
      const report = await viewer.sample();
      expect(
        report.playerErrors.filter((e) => e.fatal),
        "fatal hls.js errors",
      ).toEqual([]);
      console.log(
        `[mms] evicted ${evictFrom.toFixed(1)}–${evictTo.toFixed(1)} s; reloaded ${reloaded.length} fragments, ` +
          `${evictedUrls.size} of them evicted segments, from the store; origin asked for none`,
      );
    },
  );
});
