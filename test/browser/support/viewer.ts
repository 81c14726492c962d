// One viewer of the demo player = one browser context with one page, so viewers share nothing
// (cache, storage, connections) and behave like separate people. Several can run in one browser.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "puppeteer-core";
import type Hls from "hls.js";
import type { NearcastStats } from "../../../sdk/src/index.js";
import { sleep, waitFor } from "../../support/wait-for.js";
import { analyzePlayback, type AnalyzeOptions, type PlaybackReport } from "./playback-report.js";

/** An hls.js ERROR event as recorded by the demo page in `window.playerErrors`. */
export interface PlayerError {
  type: string;
  details: string;
  fatal: boolean;
  /** Raised before the playhead first moved (recorded by the matrix page only). */
  beforePlayback?: boolean;
  /** hls.js's `reason` or error message, up to 200 characters (matrix page only). */
  reason?: string;
  /** The playlist type of the fragment the error names: "main", "audio", "subtitle" (matrix page only). */
  fragType?: string;
}

/** Something the page reported on its own: a console error, an uncaught exception, a crash. */
export interface PageProblem {
  kind: "console" | "pageerror" | "crash";
  text: string;
  /** The resource or script the message is about, when Chromium says. */
  url?: string;
}

/** What the page looks like at one instant. */
export interface PlaybackSample {
  /** Node's `Date.now()` when the sample came back. */
  atMs: number;
  currentTime: number;
  paused: boolean;
  ended: boolean;
  /** HTMLMediaElement.readyState: 0 nothing … 4 enough data. */
  readyState: number;
  /** Seconds buffered past `currentTime` in the buffered range that holds it. */
  bufferedAhead: number;
  /** Decoded frame size; 0 until the first frame. */
  videoWidth: number;
  videoHeight: number;
  playerErrors: PlayerError[];
  /** `nearcast.getStats()`, or null before the SDK exists on the page. */
  stats: NearcastStats | null;
  /** The rendition hls.js is playing, or null before one is chosen. */
  level: { index: number; height: number; bitrateBps: number } | null;
  /** Whether the loaded media playlist is live; null before one is loaded. */
  live: boolean | null;
  /** Text of the page's `#status` line. */
  statusText: string;
}

export interface OpenViewerOptions {
  /** Used in logs and error messages, e.g. "live" or "viewer-3". */
  name: string;
  /** Timeout of the page load itself (not of playback start). @default 30000 */
  gotoTimeoutMs?: number;
  /** Runs on the fresh page before it loads `url`: scripts for new documents, network emulation… */
  beforeLoad?: (page: Page) => Promise<void>;
}

export interface Viewer {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught exceptions and crashes of the page, in order. */
  readonly problems: PageProblem[];
  sample(): Promise<PlaybackSample>;
  /**
   * Polls {@link sample} every `pollMs` until `predicate` holds; returns that sample. On timeout,
   * throws an Error naming `description` and showing the last sample.
   */
  waitForSample(
    predicate: (sample: PlaybackSample) => boolean,
    description: string,
    timeoutMs: number,
    pollMs?: number,
  ): Promise<PlaybackSample>;
  /**
   * Resolves once `currentTime` advances while not paused. Throws at once on a fatal hls.js error or
   * a crash, and after `timeoutMs` (default 30 s: first frames are slow on a loaded 2-core machine).
   */
  waitForPlaying(timeoutMs?: number): Promise<PlaybackSample>;
  /** Saves a PNG of the page, creating the folder. */
  screenshot(filePath: string): Promise<void>;
  /** Closes the context (and its page). Idempotent; never hangs. */
  close(): Promise<void>;
}

/** How the demo page's globals look from a test; only what the sampler reads. */
interface PageGlobals {
  hls?: Hls;
  nearcast?: { getStats(): NearcastStats };
  playerErrors?: PlayerError[];
}

const CLOSE_TIMEOUT_MS = 5_000;
const DEFAULT_PLAYING_TIMEOUT_MS = 30_000;

/** Opens `url` in a fresh browser context. The page is loaded (not necessarily playing) on return. */
export async function openViewer(browser: Browser, url: string, options: OpenViewerOptions): Promise<Viewer> {
  const { name } = options;
  const context = await browser.createBrowserContext();
  const problems: PageProblem[] = [];
  let closing: Promise<void> | undefined;
  try {
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const where = message.location().url;
      problems.push({ kind: "console", text: message.text(), ...(where ? { url: where } : {}) });
    });
    page.on("pageerror", (error) => {
      problems.push({ kind: "pageerror", text: error instanceof Error ? error.message : String(error) });
    });
    page.on("error", (error) => problems.push({ kind: "crash", text: error.message }));
    await options.beforeLoad?.(page);
    await page.goto(url, { waitUntil: "load", timeout: options.gotoTimeoutMs ?? 30_000 });

    const sample = async (): Promise<PlaybackSample> => {
      try {
        return { ...(await page.evaluate(samplePage)), atMs: Date.now() };
      } catch (error) {
        throw new Error(`${name}: cannot sample the page: ${(error as Error).message}`, { cause: error });
      }
    };

    const waitForSample: Viewer["waitForSample"] = (predicate, description, timeoutMs, pollMs = 250) => {
      let last: PlaybackSample | undefined;
      return waitFor(
        async () => {
          last = await sample();
          return predicate(last) && last;
        },
        timeoutMs,
        `${name}: ${description}`,
        {
          intervalMs: pollMs,
          describeLast: () =>
            `last sample ${last ? describeSample(last) : "none"}; page problems: ${describeProblems(problems)}`,
        },
      );
    };

    const waitForPlaying = async (timeoutMs = DEFAULT_PLAYING_TIMEOUT_MS): Promise<PlaybackSample> => {
      let firstTime: number | undefined;
      return waitForSample(
        (current) => {
          const fatal = current.playerErrors.find((error) => error.fatal);
          if (fatal) {
            throw new Error(
              `${name}: fatal hls.js error before playback: ${fatal.type}/${fatal.details} ` +
                `(status "${current.statusText}")`,
            );
          }
          const crash = problems.find((problem) => problem.kind === "crash");
          if (crash) throw new Error(`${name}: page crashed before playback: ${crash.text}`);
          if (current.paused || current.readyState < 2) return false;
          firstTime ??= current.currentTime;
          return current.currentTime > firstTime;
        },
        "playback to start (currentTime advancing, not paused)",
        timeoutMs,
      );
    };

    const screenshot = async (filePath: string): Promise<void> => {
      await mkdir(path.dirname(filePath), { recursive: true });
      await page.screenshot({ path: filePath as `${string}.png`, type: "png" });
    };

    const close = (): Promise<void> => {
      closing ??= closeContext(context);
      return closing;
    };

    return { name, context, page, problems, sample, waitForSample, waitForPlaying, screenshot, close };
  } catch (error) {
    await closeContext(context);
    throw error;
  }
}

/**
 * Samples `viewer` every `intervalMs` for `durationMs` (wall time, at least) and reports progress,
 * stalls (see {@link AnalyzeOptions.stallSamples}), hls.js errors and the final SDK stats. Several
 * viewers can be watched at once with `Promise.all`.
 */
export async function watchPlayback(
  viewer: Pick<Viewer, "name" | "sample">,
  durationMs: number,
  intervalMs = 500,
  options: AnalyzeOptions = {},
): Promise<PlaybackReport> {
  const first = await viewer.sample();
  const samples = [first];
  let last = first;
  while (last.atMs - first.atMs < durationMs) {
    const dueMs = first.atMs + samples.length * intervalMs;
    // Behind schedule (slow machine), still leave a gap: back-to-back samples would see a frozen
    // currentTime and report a stall that never happened.
    await sleep(Math.max(dueMs - Date.now(), intervalMs / 2));
    last = await viewer.sample();
    samples.push(last);
  }
  return analyzePlayback(viewer.name, samples, options);
}

/** Runs in the page: must stay self-contained (no helpers, no named inner functions). */
function samplePage(): Omit<PlaybackSample, "atMs"> {
  const globals = window as unknown as PageGlobals;
  const video = document.querySelector("video");
  let bufferedAhead = 0;
  if (video) {
    for (let i = 0; i < video.buffered.length; i++) {
      const start = video.buffered.start(i);
      const end = video.buffered.end(i);
      if (start <= video.currentTime + 0.1 && end > video.currentTime)
        bufferedAhead = end - video.currentTime;
    }
  }
  const hls = globals.hls;
  const levelIndex = hls ? hls.currentLevel : -1;
  const level = hls && levelIndex >= 0 ? hls.levels[levelIndex] : undefined;
  const details = hls ? hls.latestLevelDetails : null;
  return {
    currentTime: video ? video.currentTime : 0,
    paused: video ? video.paused : true,
    ended: video ? video.ended : false,
    readyState: video ? video.readyState : 0,
    bufferedAhead,
    videoWidth: video ? video.videoWidth : 0,
    videoHeight: video ? video.videoHeight : 0,
    playerErrors: (globals.playerErrors ?? []).map((error) => ({
      type: String(error.type),
      details: String(error.details),
      fatal: Boolean(error.fatal),
      ...(error.beforePlayback !== undefined ? { beforePlayback: Boolean(error.beforePlayback) } : {}),
      ...(error.reason !== undefined ? { reason: String(error.reason) } : {}),
      ...(error.fragType !== undefined ? { fragType: String(error.fragType) } : {}),
    })),
    stats: globals.nearcast ? globals.nearcast.getStats() : null,
    level: level ? { index: levelIndex, height: level.height, bitrateBps: level.bitrate } : null,
    live: details ? details.live : null,
    statusText: document.getElementById("status")?.textContent ?? "",
  };
}

async function closeContext(context: BrowserContext): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    context.close().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
}

export function describeSample(sample: PlaybackSample): string {
  const level = sample.level ? `${sample.level.height}p` : "no level";
  const errors = sample.playerErrors.map((error) => `${error.details}${error.fatal ? "(fatal)" : ""}`);
  return (
    `{t=${sample.currentTime.toFixed(2)} ${sample.paused ? "paused" : "playing"} ` +
    `readyState=${sample.readyState} ahead=${sample.bufferedAhead.toFixed(1)}s ${level} ` +
    `errors=[${errors.join(",")}] status="${sample.statusText}"}`
  );
}

export function describeProblems(problems: readonly PageProblem[]): string {
  if (problems.length === 0) return "none";
  return problems.map((problem) => `${problem.kind}: ${problem.text}`).join(" | ");
}
