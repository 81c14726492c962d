// Command-line flags of the Node swarm bench (bench/swarm-node.ts), parsed without side effects so
// the rules (lists, bounds, --quick defaults that explicit flags override) are unit-tested.
import { parseArgs } from "node:util";

export type SwarmMode = "live" | "vod";

export interface SwarmOptions {
  /** One run per entry, in order. */
  peers: number[];
  /** How long every viewer watches after the last one joined, seconds. */
  durationSec: number;
  /** Viewers join evenly spread over this window, seconds (0 = all at once). */
  joinSpreadSec: number;
  rendition: string;
  /** SDK `maxPeers`. */
  maxPeers: number;
  mode: SwarmMode;
  cdnLatencyMs: number;
  cdnBandwidthKbps: number;
  /** Child processes that host the engines; 0 = in the bench process itself; "auto" = by N. */
  workers: number | "auto";
  /** Start this many segments behind the live edge (hls.js liveSyncDurationCount). */
  liveSyncSegments: number;
  /** Stop loading ahead once this much is buffered (hls.js maxBufferLength). */
  maxBufferSec: number;
  /** Write every run's raw measurements (per viewer, per segment) to this JSON file. */
  jsonPath: string | undefined;
  quick: boolean;
}

export const DEFAULT_OPTIONS: Readonly<SwarmOptions> = Object.freeze({
  peers: [10, 30, 50],
  durationSec: 60,
  joinSpreadSec: 10,
  rendition: "360p",
  maxPeers: 10,
  mode: "live",
  cdnLatencyMs: 0,
  cdnBandwidthKbps: 0,
  workers: "auto",
  liveSyncSegments: 3,
  maxBufferSec: 30,
  jsonPath: undefined,
  quick: false,
});

/** What `--quick` changes unless the flag is also given explicitly: finishes in about a minute. */
export const QUICK_OPTIONS: Readonly<Pick<SwarmOptions, "peers" | "durationSec" | "joinSpreadSec">> =
  Object.freeze({ peers: [4, 8], durationSec: 16, joinSpreadSec: 4 });

export const USAGE = `usage: npx tsx bench/swarm-node.ts [flags]
  --peers 10,30,50          viewers per run (one run per entry)
  --duration-sec 60         every viewer watches this long after the last one joined
  --join-spread-sec 10      viewers join evenly spread over this window
  --rendition 360p          240p | 360p | 540p
  --max-peers 10            SDK maxPeers
  --mode live               live | vod
  --cdn-latency-ms 0        origin delay before the first byte
  --cdn-bandwidth-kbps 0    origin cap per request (0 = unlimited)
  --workers auto            child processes hosting the engines (0 = in this process)
  --live-sync-segments 3    start this many segments behind the live edge
  --max-buffer-sec 30       player buffer goal
  --json FILE               also write raw per-viewer / per-segment measurements
  --quick                   ${QUICK_OPTIONS.peers.join(",")} viewers, ${QUICK_OPTIONS.durationSec} s, spread ${QUICK_OPTIONS.joinSpreadSec} s (about a minute)`;

export type ParseResult = { ok: true; options: SwarmOptions } | { ok: false; error: string };

export function parseSwarmArgs(argv: readonly string[]): ParseResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        peers: { type: "string" },
        "duration-sec": { type: "string" },
        "join-spread-sec": { type: "string" },
        rendition: { type: "string" },
        "max-peers": { type: "string" },
        mode: { type: "string" },
        "cdn-latency-ms": { type: "string" },
        "cdn-bandwidth-kbps": { type: "string" },
        workers: { type: "string" },
        "live-sync-segments": { type: "string" },
        "max-buffer-sec": { type: "string" },
        json: { type: "string" },
        quick: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  if (values.help === true) return { ok: false, error: "help" };
  const quick = values.quick === true;
  const base: SwarmOptions = { ...DEFAULT_OPTIONS, ...(quick ? QUICK_OPTIONS : {}), quick };
  try {
    const str = (name: string) => {
      const v = values[name];
      return typeof v === "string" ? v : undefined;
    };
    const num = (name: string, fallback: number, min: number, max: number, integer = false) => {
      const text = str(name);
      if (text === undefined) return fallback;
      const n = Number(text);
      if (
        text.trim() === "" ||
        !Number.isFinite(n) ||
        n < min ||
        n > max ||
        (integer && !Number.isInteger(n))
      )
        throw new Error(
          `--${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${text}"`,
        );
      return n;
    };
    const peersText = str("peers");
    const peers = peersText === undefined ? base.peers : parsePeerList(peersText);
    const mode = str("mode") ?? base.mode;
    if (mode !== "live" && mode !== "vod") throw new Error(`--mode must be live or vod, got "${mode}"`);
    const rendition = str("rendition") ?? base.rendition;
    if (!/^[a-z0-9_-]{1,32}$/i.test(rendition)) throw new Error(`--rendition: bad name "${rendition}"`);
    const workersText = str("workers");
    const workers =
      workersText === undefined || workersText === "auto" ? "auto" : num("workers", 0, 0, 16, true);
    return {
      ok: true,
      options: {
        peers,
        durationSec: num("duration-sec", base.durationSec, 1, 3600),
        joinSpreadSec: num("join-spread-sec", base.joinSpreadSec, 0, 3600),
        rendition,
        maxPeers: num("max-peers", base.maxPeers, 1, 100, true),
        mode,
        cdnLatencyMs: num("cdn-latency-ms", base.cdnLatencyMs, 0, 60_000, true),
        cdnBandwidthKbps: num("cdn-bandwidth-kbps", base.cdnBandwidthKbps, 0, 100_000_000, true),
        workers,
        liveSyncSegments: num("live-sync-segments", base.liveSyncSegments, 1, 20, true),
        maxBufferSec: num("max-buffer-sec", base.maxBufferSec, 2, 600),
        jsonPath: str("json"),
        quick,
      },
    };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** "10,30,50" → [10, 30, 50]; each from 1 to 200. */
export function parsePeerList(text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  const peers = parts.map(Number);
  if (
    parts.length === 0 ||
    parts.some((p) => p === "") ||
    peers.some((n) => !Number.isInteger(n) || n < 1 || n > 200)
  )
    throw new Error(`--peers must be a comma-separated list of integers from 1 to 200, got "${text}"`);
  return peers;
}

/**
 * Engine processes for a run of `viewers` when `--workers auto`: one process up to 20 viewers,
 * otherwise one per 25 viewers, at most the number of cores (the server keeps the parent).
 */
export function autoWorkers(viewers: number, cores: number): number {
  if (viewers <= 20) return 1;
  return Math.max(1, Math.min(Math.ceil(viewers / 25), cores));
}
