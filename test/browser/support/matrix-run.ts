// Runs one stream shape of the coverage matrix: N viewers (one browser context each) open the matrix
// page a little apart, play for a while, and the run collects what each page recorded: playback
// report, every fragment payload's SHA-256, hls.js errors, page events, SDK stats. Optionally one
// more viewer plays the same stream with plain hls.js (no SDK), the reference for its hls.js errors.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Browser, Page } from "puppeteer-core";
import type { NearcastStats } from "../../../sdk/src/index.js";
import type { TestOrigin } from "../../support/test-origin.js";
import { describePlayback, type PlaybackReport } from "./playback-report.js";
import { sleep, waitFor } from "../../support/wait-for.js";
import { openViewer, watchPlayback, type Viewer } from "./viewer.js";

export interface FragRecord {
  url: string;
  rangeStart: number;
  rangeEnd: number;
  type: string;
  sn: number | "initSegment";
  level: number;
  length: number;
  sha256: string;
  /** An LL-HLS part (hls.js `context.part`). */
  part?: boolean;
  /** The fragment's EXT-X-PROGRAM-DATE-TIME (epoch ms), or null. */
  pdt?: number | null;
}

export interface PageEvents {
  ended: number;
  levelLoaded: number;
  levelSwitched: number;
  audioSwitched: number;
  subtitleFrags: number;
  playlistLoads?: number;
  /** P2P bytes the SDK delivered, by swarm key, over the whole run (plain hls.js: empty). */
  p2pBytesBySwarm?: Record<string, number>;
}

export interface ViewerResult {
  name: string;
  /** The plain hls.js viewer (`plain=1`: no SDK on the page). */
  plain: boolean;
  report: PlaybackReport;
  frags: FragRecord[];
  /** Fragments whose bytes differ from the origin's file / byte range (or are empty). */
  badFrags: string[];
  loaderViolations: string[];
  events: PageEvents;
  stats: NearcastStats | null;
}

export interface ShapeRunOptions {
  browser: Browser;
  origin: TestOrigin;
  /** Page URL query without src/tracker, e.g. "p2p=1&switchMs=8000". */
  query: string;
  /** Manifest path on the origin, e.g. "/s/vod/ts-ladder/master.m3u8". */
  manifest: string;
  trackerUrl: string;
  name: string;
  viewers?: number;
  /** One more viewer, last, with plain hls.js on the same stream and query. @default false */
  plainViewer?: boolean;
  staggerMs?: number;
  watchMs?: number;
  /** Per-viewer manifest query (tokenised URLs). */
  manifestQuery?: (index: number) => string;
  /** Stops watching a viewer early when this holds (e.g. the stream ended). */
  onOpen?: (viewer: Viewer) => void;
  /** Runs on each fresh page before it loads (see `OpenViewerOptions.beforeLoad`); `plain`: the plain viewer's. */
  beforeLoad?: (page: Page, plain: boolean) => Promise<void>;
  log?: (line: string) => void;
}

const fileCache = new Map<string, Buffer>();

/**
 * SHA-256 of the origin's bytes for a fragment record (the URL's own bytes, per `origin.sourceOf`):
 * all of them, or [rangeStart, rangeEnd).
 */
export function expectedSha256(
  origin: TestOrigin,
  record: Pick<FragRecord, "url" | "rangeStart" | "rangeEnd" | "pdt">,
): string {
  const source = origin.sourceOf(record.url, record.pdt ? { programDateTimeMs: record.pdt } : undefined);
  let bytes = fileCache.get(source.file);
  if (!bytes) fileCache.set(source.file, (bytes = readFileSync(source.file)));
  const region = bytes.subarray(source.start ?? 0, source.end ?? bytes.length);
  const slice = record.rangeEnd > 0 ? region.subarray(record.rangeStart, record.rangeEnd) : region;
  return createHash("sha256").update(slice).digest("hex");
}

export async function collect(
  viewer: Viewer,
  origin: TestOrigin,
  report: PlaybackReport,
  plain = false,
): Promise<ViewerResult> {
  // The page hashes each payload asynchronously (crypto.subtle): wait until the last hash is in.
  await waitFor(
    () =>
      viewer.page.evaluate(() =>
        (window as unknown as { fragLog: FragRecord[] }).fragLog.every((f) => f.sha256 !== ""),
      ),
    5_000,
    `${viewer.name}: every fragment hashed in the page`,
  );
  const page = await viewer.page.evaluate(() => {
    const w = window as unknown as {
      fragLog: FragRecord[];
      loaderViolations: string[];
      pageEvents: PageEvents;
      nearcast?: { getStats(): NearcastStats };
    };
    return {
      frags: w.fragLog,
      loaderViolations: w.loaderViolations,
      events: w.pageEvents,
      stats: w.nearcast ? w.nearcast.getStats() : null,
    };
  });
  const badFrags: string[] = [];
  for (const frag of page.frags) {
    const where = `${frag.type} sn ${frag.sn} ${frag.url}${frag.rangeEnd > 0 ? ` @${frag.rangeStart}-${frag.rangeEnd}` : ""}`;
    if (frag.length === 0) badFrags.push(`${where}: empty payload`);
    else if (frag.sha256 !== expectedSha256(origin, frag))
      badFrags.push(`${where}: ${frag.length} bytes, SHA-256 differs`);
  }
  return { name: viewer.name, plain, report, badFrags, ...page };
}

/** Opens the viewers `staggerMs` apart, watches each for `watchMs`, closes them, returns the results. */
export async function runShape(options: ShapeRunOptions): Promise<ViewerResult[]> {
  const count = (options.viewers ?? 3) + (options.plainViewer ? 1 : 0);
  const viewers: Viewer[] = [];
  const watches: Promise<ViewerResult>[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const plain = options.plainViewer === true && i === count - 1;
      const src = `${options.origin.url}${options.manifest}${options.manifestQuery?.(i) ?? ""}`;
      const url =
        `${options.origin.url}/page/index.html?${options.query}${plain ? "&plain=1" : ""}` +
        `&tracker=${encodeURIComponent(options.trackerUrl)}&src=${encodeURIComponent(src)}`;
      const viewer = await openViewer(options.browser, url, {
        name: `${options.name}-${plain ? "plain" : i}`,
        ...(options.beforeLoad ? { beforeLoad: (page: Page) => options.beforeLoad!(page, plain) } : {}),
      });
      viewers.push(viewer);
      options.onOpen?.(viewer);
      await viewer.waitForPlaying(30_000);
      watches.push(
        watchPlayback(viewer, options.watchMs ?? 20_000).then((report) =>
          collect(viewer, options.origin, report, plain),
        ),
      );
      if (i < count - 1) await sleep(options.staggerMs ?? 1_500);
    }
    const results = await Promise.all(watches);
    for (const r of results)
      options.log?.(
        `[matrix] ${describePlayback(r.report)}; ${r.frags.length} frags, ${r.badFrags.length} bad`,
      );
    return results;
  } finally {
    await Promise.allSettled(viewers.map((v) => v.close()));
  }
}
