// Command line of `npm run bench` (bench/browser/run.ts), parsed without side effects.
import { parseArgs } from "node:util";
import { CLIENT_NAMES, DEFAULT_CLIENT_NAMES, type ClientName } from "../pages/src/protocol.js";
import {
  ALL_SCENARIO_IDS,
  DEFAULT_SCENARIO_OPTIONS,
  SCENARIO_IDS,
  type ScenarioId,
  type ScenarioOptions,
} from "./scenarios.js";
import type { ShapingMode } from "./hard-scenarios.js";

export interface BenchArgs {
  viewers: number;
  watchMs: number;
  scenarios: ScenarioId[];
  clients: ClientName[];
  quick: boolean;
  /** Results JSON path; undefined = bench/results/<timestamp>.json. */
  out: string | undefined;
  scenarioOptions: ScenarioOptions;
  help: boolean;
}

export class BenchArgsError extends Error {
  override name = "BenchArgsError";
}

export const FULL_DEFAULTS = { viewers: 6, watchSec: 60, scenarios: [...SCENARIO_IDS] };
export const QUICK_DEFAULTS = {
  viewers: 4,
  watchSec: 30,
  scenarios: ["live", "live-high-latency"] as ScenarioId[],
};

export const USAGE = `usage: npm run bench -- [options]

  --viewers N            viewers per scenario and client (default 6; --quick: 4)
  --watch-sec S          seconds each viewer is watched after it starts playing (default 60; --quick: 30)
  --scenarios a,b        ${ALL_SCENARIO_IDS.join(",")}
                         (default all but trust-live; --quick: ${QUICK_DEFAULTS.scenarios.join(",")})
  --clients a,b          ${CLIENT_NAMES.join(",")}, run in that order
                         (default ${DEFAULT_CLIENT_NAMES.join(",")}; nearcast-unverified = allowUnverifiedPeers)
  --quick                the short variant: fewer viewers, shorter watch, two scenarios
  --out FILE             results JSON (default bench/results/<timestamp>.json)
  --live-stagger-sec S   join spacing in live scenarios (default ${DEFAULT_SCENARIO_OPTIONS.liveStaggerMs / 1000})
  --vod-stagger-sec S    join spacing in the VOD scenario (default ${DEFAULT_SCENARIO_OPTIONS.vodStaggerMs / 1000})
  --upload-kbps K        upload cap per viewer in upload-limited (default ${DEFAULT_SCENARIO_OPTIONS.uploadKbps})
  --cdn-latency-ms M     first-byte delay in cdn-emulation (default ${DEFAULT_SCENARIO_OPTIONS.cdnLatencyMs})
  --cdn-kbps K           per-request bandwidth in cdn-emulation (default ${DEFAULT_SCENARIO_OPTIONS.cdnKbps})
  --mixed-viewers N      viewers in mixed-renditions (default ${DEFAULT_SCENARIO_OPTIONS.mixedViewers})
  --weak-viewers N       viewers in weak-uplinks (default ${DEFAULT_SCENARIO_OPTIONS.weakViewers})
  --weak-upload-kbps K   upload cap of the capped half in weak-uplinks (default ${DEFAULT_SCENARIO_OPTIONS.weakUploadKbps})
  --churn-viewers N      concurrent viewers in churn (default ${DEFAULT_SCENARIO_OPTIONS.churnViewers})
  --churn-interval-sec S one viewer leaves and one joins every S s in churn (default ${DEFAULT_SCENARIO_OPTIONS.churnIntervalMs / 1000})
  --cost-viewers N       viewers per viewer-cost run (default ${DEFAULT_SCENARIO_OPTIONS.costViewers})
  --shaping tc|devtools  tc (default): each viewer a Chromium in its own network namespace on a tc-shaped
                         link that HTTP and WebRTC share (needs root, iproute2); devtools: one browser,
                         DevTools emulation of HTTP downlinks only, no origin delay (the bench before issue 22)
  --link-down-kbps K     tc: downlink of a viewer whose profile names none (default ${DEFAULT_SCENARIO_OPTIONS.linkDownKbps})
  --link-up-kbps K       tc: its uplink (default ${DEFAULT_SCENARIO_OPTIONS.linkUpKbps}); never above its downlink
  --origin-delay-ms M    tc: the origin's first-byte delay (media and playlists, as a far CDN) where a scenario
                         sets no CDN emulation (default ${DEFAULT_SCENARIO_OPTIONS.originDelayMs})
  --origin-delay-media-only  tc: delay media responses only, playlists not (the bench before this flag)
`;

function number(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  integer = false,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new BenchArgsError(
      `--${flag} must be ${integer ? "an integer" : "a number"} ≥ ${min}, got "${text}"`,
    );
  }
  return value;
}

function list<T extends string>(
  flag: string,
  text: string | undefined,
  allowed: readonly T[],
  fallback: T[],
): T[] {
  if (text === undefined) return fallback;
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new BenchArgsError(`--${flag} needs at least one of ${allowed.join(",")}`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new BenchArgsError(`--${flag}: unknown "${item}" (one of ${allowed.join(",")})`);
    }
  }
  // Keep the canonical order, drop duplicates.
  return allowed.filter((item) => items.includes(item));
}

function shapingMode(text: string | undefined): ShapingMode {
  if (text === undefined) return DEFAULT_SCENARIO_OPTIONS.shaping;
  if (text === "tc" || text === "devtools") return text;
  throw new BenchArgsError(`--shaping must be tc or devtools, got "${text}"`);
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        viewers: { type: "string" },
        "watch-sec": { type: "string" },
        scenarios: { type: "string" },
        clients: { type: "string" },
        quick: { type: "boolean", default: false },
        out: { type: "string" },
        "live-stagger-sec": { type: "string" },
        "vod-stagger-sec": { type: "string" },
        "upload-kbps": { type: "string" },
        "cdn-latency-ms": { type: "string" },
        "cdn-kbps": { type: "string" },
        "mixed-viewers": { type: "string" },
        "weak-viewers": { type: "string" },
        "weak-upload-kbps": { type: "string" },
        "churn-viewers": { type: "string" },
        "churn-interval-sec": { type: "string" },
        "cost-viewers": { type: "string" },
        shaping: { type: "string" },
        "link-down-kbps": { type: "string" },
        "link-up-kbps": { type: "string" },
        "origin-delay-ms": { type: "string" },
        "origin-delay-media-only": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new BenchArgsError((error as Error).message);
  }
  const v = parsed.values;
  const quick = v.quick === true;
  const defaults = quick ? QUICK_DEFAULTS : FULL_DEFAULTS;
  const d = DEFAULT_SCENARIO_OPTIONS;
  return {
    viewers: number("viewers", v.viewers, defaults.viewers, 2, true),
    watchMs: number("watch-sec", v["watch-sec"], defaults.watchSec, 1) * 1000,
    scenarios: list("scenarios", v.scenarios, ALL_SCENARIO_IDS, [...defaults.scenarios]),
    clients: list("clients", v.clients, CLIENT_NAMES, [...DEFAULT_CLIENT_NAMES]),
    quick,
    out: v.out,
    scenarioOptions: {
      shaping: shapingMode(v.shaping),
      linkDownKbps: number("link-down-kbps", v["link-down-kbps"], d.linkDownKbps, 1),
      linkUpKbps: number("link-up-kbps", v["link-up-kbps"], d.linkUpKbps, 1),
      originDelayMs: number("origin-delay-ms", v["origin-delay-ms"], d.originDelayMs, 0, true),
      originDelayMediaOnly: v["origin-delay-media-only"] === true,
      liveStaggerMs: number("live-stagger-sec", v["live-stagger-sec"], d.liveStaggerMs / 1000, 0) * 1000,
      vodStaggerMs: number("vod-stagger-sec", v["vod-stagger-sec"], d.vodStaggerMs / 1000, 0) * 1000,
      uploadKbps: number("upload-kbps", v["upload-kbps"], d.uploadKbps, 1),
      cdnLatencyMs: number("cdn-latency-ms", v["cdn-latency-ms"], d.cdnLatencyMs, 0, true),
      cdnKbps: number("cdn-kbps", v["cdn-kbps"], d.cdnKbps, 0, true),
      mixedViewers: number("mixed-viewers", v["mixed-viewers"], d.mixedViewers, 2, true),
      weakViewers: number("weak-viewers", v["weak-viewers"], d.weakViewers, 2, true),
      weakUploadKbps: number("weak-upload-kbps", v["weak-upload-kbps"], d.weakUploadKbps, 1),
      churnViewers: number("churn-viewers", v["churn-viewers"], d.churnViewers, 2, true),
      churnIntervalMs:
        number("churn-interval-sec", v["churn-interval-sec"], d.churnIntervalMs / 1000, 1) * 1000,
      costViewers: number("cost-viewers", v["cost-viewers"], d.costViewers, 1, true),
    },
    help: v.help === true,
  };
}
