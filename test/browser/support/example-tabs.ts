// Reading the pages of examples/ in a browser: each shows its player and, in `#nearcast-stats`, the
// JSON of a few `getStats()` figures once a second (and the script-tag page a `#tracker` line). Used
// by the consumer apps test and the script-tag test: a tab plays, and two tabs trade over P2P.
import type { Page } from "puppeteer-core";
import { waitFor } from "../../support/wait-for.js";

export interface ExampleTabSample {
  /** The playhead of the page's `<hls-video>` or `<video>`. */
  currentTime: number;
  /** What `#nearcast-stats` shows; null until its first second ("starting…"). */
  stats: { httpDownloadedBytes: number; p2pDownloadedBytes: number; connectedPeers: number } | null;
  /** The `#tracker` line, where the page has one; "" otherwise. */
  tracker: string;
}

/** An example page's tab and what it reported as problems (for timeout messages). */
export interface ExampleTab {
  page: Page;
  problems: readonly unknown[];
}

export function sampleExampleTab(page: Page): Promise<ExampleTabSample> {
  return page.evaluate(() => {
    const media = document.querySelector<HTMLMediaElement>("hls-video, video");
    const text = document.querySelector("#nearcast-stats")?.textContent ?? "";
    let stats = null;
    try {
      stats = JSON.parse(text) as ExampleTabSample["stats"];
    } catch {
      // "starting…" until the first second has passed
    }
    return {
      currentTime: media?.currentTime ?? 0,
      stats,
      tracker: document.querySelector("#tracker")?.textContent ?? "",
    };
  });
}

/** Samples the tab every 500 ms until `done` holds; the last sample and the problems are in the timeout error. */
export function waitForExampleTab(
  tab: ExampleTab,
  what: string,
  timeoutMs: number,
  done: (sample: ExampleTabSample) => boolean,
): Promise<ExampleTabSample> {
  let last: ExampleTabSample | undefined;
  return waitFor(
    async () => {
      last = await sampleExampleTab(tab.page);
      return done(last) && last;
    },
    timeoutMs,
    what,
    {
      intervalMs: 500,
      describeLast: () =>
        `last sample ${JSON.stringify(last)}; page problems: ${JSON.stringify(tab.problems)}`,
    },
  );
}

/**
 * Waits until the second tab has played `minPlayedSec` past `secondStartSec`, is connected to a
 * peer, and either tab received bytes over P2P. Which tab receives is not fixed: for each new live
 * segment, the tab whose playlist refresh sees it first fetches it from the origin and the other
 * takes it from that tab (issue 20).
 */
export function waitForTrade(
  first: ExampleTab,
  second: ExampleTab,
  secondStartSec: number,
  minPlayedSec: number,
  timeoutMs: number,
): Promise<{ first: ExampleTabSample; second: ExampleTabSample }> {
  let last: { first: ExampleTabSample; second: ExampleTabSample } | undefined;
  return waitFor(
    async () => {
      last = { first: await sampleExampleTab(first.page), second: await sampleExampleTab(second.page) };
      const p2p = (last.first.stats?.p2pDownloadedBytes ?? 0) + (last.second.stats?.p2pDownloadedBytes ?? 0);
      return (
        last.second.currentTime >= secondStartSec + minPlayedSec &&
        (last.second.stats?.connectedPeers ?? 0) >= 1 &&
        p2p > 0 &&
        last
      );
    },
    timeoutMs,
    "the second tab to play, connected to the first, and one of them to receive segments over P2P",
    {
      intervalMs: 500,
      describeLast: () =>
        `last samples ${JSON.stringify(last)}; page problems: ${JSON.stringify([first.problems, second.problems])}`,
    },
  );
}

/**
 * Waits for the tab's playhead to move (a live stream starts far from 0), then to advance
 * `minPlayedSec` past where it started: "plays" means frames rendering, not a started element.
 * Returns the first sample that had started.
 */
export async function waitForExamplePlaying(
  tab: ExampleTab,
  name: string,
  minPlayedSec: number,
  timeoutMs: number,
): Promise<ExampleTabSample> {
  const start = await waitForExampleTab(tab, `${name} starts`, timeoutMs, (s) => s.currentTime > 0);
  await waitForExampleTab(
    tab,
    `${name} plays`,
    timeoutMs,
    (s) => s.currentTime >= start.currentTime + minPlayedSec,
  );
  return start;
}
