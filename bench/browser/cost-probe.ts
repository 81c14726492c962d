// What one viewer's page costs, read over Chrome DevTools Protocol: `Performance.getMetrics`
// (TaskDuration, ScriptDuration, JSHeapUsedSize) at the start and end of its watch, the heap sampled
// in between, and a V8 sampling CPU profile attributed to SDK / hls.js / p2p-media-loader.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CDPSession, Page } from "puppeteer-core";
import { attributeProfile, sdkFileKey, type CpuProfileLike, type SourceResolver } from "./cpu-profile.js";
import type { ViewerCost } from "./metrics-hard.js";

/**
 * With `NEARCAST_BENCH_PROFILE_DIR` set, every measured viewer's raw CPU profile is also written
 * there as `<client>-<n>.cpuprofile` (open it in Chrome DevTools' Performance panel), for looking
 * past the per-source totals.
 */
export const PROFILE_DIR_ENV = "NEARCAST_BENCH_PROFILE_DIR";
let savedProfiles = 0;

function saveProfile(profile: unknown, page: Page): void {
  const dir = process.env[PROFILE_DIR_ENV];
  if (!dir) return;
  const client = new URL(page.url()).searchParams.get("client") ?? "page";
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${client}-${++savedProfiles}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  process.stderr.write(`[bench] CPU profile written: ${file}\n`);
}

/** µs between profiler samples: fine enough for per-MiB figures over a minute, cheap enough to run on every viewer. */
export const PROFILER_INTERVAL_US = 1000;

interface Metrics {
  taskMs: number;
  scriptMs: number;
  heapBytes: number;
}

async function readMetrics(session: CDPSession): Promise<Metrics> {
  const { metrics } = await session.send("Performance.getMetrics");
  const value = (name: string): number => metrics.find((metric) => metric.name === name)?.value ?? 0;
  // TaskDuration and ScriptDuration are cumulative seconds.
  return {
    taskMs: value("TaskDuration") * 1000,
    scriptMs: value("ScriptDuration") * 1000,
    heapBytes: value("JSHeapUsedSize"),
  };
}

export interface CostProbe {
  /** Reads the heap now (call now and then during the watch for the peak). Never throws. */
  sample(): Promise<void>;
  /** Ends the measurement: `deliveredBytes` = media bytes handed to hls.js during the watch. */
  stop(watchedMs: number, deliveredBytes: number): Promise<ViewerCost>;
}

/**
 * Starts measuring `page`. `bundleUrlSuffix` (e.g. `dist/nearcast.js`) names the page's bundle,
 * `resolve` maps its positions to sources (see cpu-profile.ts).
 */
export async function startCostProbe(
  page: Page,
  bundleUrlSuffix: string,
  resolve: SourceResolver,
): Promise<CostProbe> {
  const session = await page.createCDPSession();
  await session.send("Performance.enable");
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: PROFILER_INTERVAL_US });
  const start = await readMetrics(session);
  await session.send("Profiler.start");
  let heapMaxBytes = start.heapBytes;
  return {
    async sample() {
      try {
        heapMaxBytes = Math.max(heapMaxBytes, (await readMetrics(session)).heapBytes);
      } catch {
        // The page is closing: the peak so far stands.
      }
    },
    async stop(watchedMs, deliveredBytes) {
      const { profile } = await session.send("Profiler.stop");
      saveProfile(profile, page);
      const end = await readMetrics(session);
      await session.detach().catch(() => undefined);
      heapMaxBytes = Math.max(heapMaxBytes, end.heapBytes);
      return {
        watchedMs,
        taskMs: end.taskMs - start.taskMs,
        scriptMs: end.scriptMs - start.scriptMs,
        heapEndBytes: end.heapBytes,
        heapMaxBytes,
        deliveredBytes,
        selfMsBySource: attributeProfile(profile as CpuProfileLike, bundleUrlSuffix, resolve),
        selfMsBySdkFile: Object.fromEntries(
          Object.entries(
            attributeProfile(profile as CpuProfileLike, bundleUrlSuffix, resolve, sdkFileKey),
          ).filter(([key]) => key.startsWith("sdk/")),
        ),
      };
    },
  };
}
