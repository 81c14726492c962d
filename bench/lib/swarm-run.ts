// One run of the swarm bench: a fresh demo server, N viewers joining over the spread window, status
// lines every 10 s, then the measurements (origin counters + what every player recorded).
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startServer, type OriginStatsSnapshot } from "../../demo-server/src/server.js";
import {
  classifyHttpLoads,
  expectedFetchesWithoutHold,
  LAG_RESOLUTION_MS,
  lagFromHistogram,
  mean,
  originOffload,
  startupLoads,
  summarize,
  type LoopLag,
  type SegmentCounterMap,
  type ViewerResult,
} from "./swarm-metrics.js";
import { autoWorkers, type SwarmOptions } from "./swarm-options.js";
import { ForkedHost, InProcessHost, type ViewerHost } from "./swarm-hosts.js";
import { mergeTraces } from "./swarm-trace.js";
import { fixed, mib, type RunReport } from "./swarm-table.js";
import type { GroupStatus } from "./swarm-viewers.js";

const STREAM = "demo";
const STATUS_INTERVAL_MS = 10_000;
/** The steady window starts this long after the last viewer joined (its start-up is over by then). */
export const STEADY_SETTLE_MS = 10_000;
/** A steady window shorter than this (three 2-s segments) is not reported. */
const STEADY_MIN_MS = 6000;

export interface RunOutput {
  report: RunReport;
  viewers: ViewerResult[];
  origin: OriginStatsSnapshot;
}

export async function runSwarm(options: SwarmOptions, viewers: number): Promise<RunOutput> {
  const tag = `[swarm N=${viewers}]`;
  const log = (message: string) => process.stderr.write(`${tag} ${message}\n`);
  const workers = options.workers === "auto" ? autoWorkers(viewers, os.cpus().length) : options.workers;
  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    cdnLatencyMs: options.cdnLatencyMs,
    cdnBandwidthKbps: options.cdnBandwidthKbps,
  });
  const mainLag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const mainIntervalLag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const hosts: ViewerHost[] = [];
  try {
    const config = {
      trackerUrl: `ws://127.0.0.1:${server.port}/tracker`,
      playlistUrl: `${server.url}/streams/${STREAM}/${options.mode}/${options.rendition}/index.m3u8`,
      swarmKey: `${STREAM}-${options.mode}|${options.rendition}`,
      maxPeers: options.maxPeers,
      liveSyncSegments: options.liveSyncSegments,
      maxBufferSec: options.maxBufferSec,
    };
    const check = await fetch(config.playlistUrl);
    if (!check.ok) throw new Error(`${config.playlistUrl}: ${check.status} (unknown rendition?)`);
    if (workers === 0) hosts.push(new InProcessHost(config));
    else
      hosts.push(
        ...(await Promise.all(
          Array.from({ length: workers }, (_, i) => ForkedHost.start(`worker${i + 1}`, config)),
        )),
      );
    log(
      `${options.mode} ${options.rendition}, ${viewers} viewers joining over ${options.joinSpreadSec} s, ` +
        `watching ${options.durationSec} s after the last join, maxPeers ${options.maxPeers}, ` +
        `engines in ${workers === 0 ? "the bench process" : `${workers} worker process(es)`}`,
    );
    server.origin.resetStats();
    mainLag.enable();
    mainIntervalLag.enable();
    const cpuStart = process.cpuUsage();
    const startMs = Date.now();
    const elapsed = () => `${((Date.now() - startMs) / 1000).toFixed(1)} s`;
    const spreadMs = options.joinSpreadSec * 1000;
    const lastJoinMs = startMs + spreadMs;
    const endMs = lastJoinMs + options.durationSec * 1000;
    const steadyFromMs = lastJoinMs + STEADY_SETTLE_MS;
    const hasSteady = endMs - steadyFromMs >= STEADY_MIN_MS;
    let steady: { fromMs: number; originMediaBytes: number; originSegments: SegmentCounterMap } | undefined;

    const renditionOf = (snap: OriginStatsSnapshot) => snap.streams[STREAM]?.renditions[options.rendition];
    const statusLine = async () => {
      const parts: GroupStatus[] = await Promise.all(hosts.map((h) => h.status()));
      const total = (k: keyof GroupStatus) => parts.reduce((s, p) => s + p[k], 0);
      const origin = renditionOf(server.origin.getStats())?.mediaBytes ?? 0;
      const received = total("receivedBytes");
      const joined = total("joined");
      const mainP99 = lagFromHistogram("", mainIntervalLag, 0).p99Ms;
      mainIntervalLag.reset();
      const lags = [
        `bench ${Math.round(mainP99)}`,
        ...parts.map((p, i) => `${hosts[i]!.name} ${Math.round(p.lagP99Ms)}`),
      ];
      log(
        `${elapsed()}: joined ${joined}/${viewers}, playing ${total("playing")}, with a peer ${total("withPeer")}, ` +
          `peers/viewer ${fixed(joined > 0 ? total("connectedPeers") / joined : undefined, 1)}, stalls ${total("stalls")}, ` +
          `offload so far ${fixed(originOffload(origin, received))} (origin ${mib(origin)} / received ${mib(received)} MiB), ` +
          `loop lag p99 ms: ${lags.join(", ")}`,
      );
    };

    // Joins, evenly spread; viewer i goes to host i mod hosts.
    for (let i = 0; i < viewers; i++) {
      const at = startMs + (viewers > 1 ? (i * spreadMs) / (viewers - 1) : 0);
      await sleepUntil(at);
      hosts[i % hosts.length]!.join(i);
      if (viewers <= 10 || (i + 1) % 10 === 0 || i === viewers - 1)
        log(`${elapsed()}: ${i + 1}/${viewers} joined`);
    }
    let nextStatus = startMs + STATUS_INTERVAL_MS;
    while (Date.now() < endMs) {
      const wake = Math.min(nextStatus, endMs, hasSteady && !steady ? steadyFromMs : Infinity);
      await sleepUntil(wake);
      if (hasSteady && !steady && Date.now() >= steadyFromMs) {
        const r = renditionOf(server.origin.getStats());
        steady = {
          fromMs: Date.now(),
          originMediaBytes: r?.mediaBytes ?? 0,
          originSegments: r?.segments ?? {},
        };
      }
      if (Date.now() >= nextStatus && Date.now() < endMs) {
        await statusLine();
        nextStatus += STATUS_INTERVAL_MS;
      }
    }
    log(`${elapsed()}: stopping the players`);
    const results = await Promise.all(hosts.map((h) => h.stop()));
    // Every player has stopped loading: the origin has served all it will for this run.
    const origin = server.origin.getStats();
    mainLag.disable();
    const cpu = process.cpuUsage(cpuStart);
    const lags: LoopLag[] = [
      lagFromHistogram("bench+server", mainLag, (cpu.user + cpu.system) / 1000 / (Date.now() - startMs)),
      ...results.map((r) => r.lag),
    ];
    const allViewers = results.flatMap((r) => r.viewers).sort((a, b) => a.index - b.index);
    const rendition = renditionOf(origin);
    const summary = summarize({
      viewers: allViewers,
      workers,
      originMediaBytes: rendition?.mediaBytes ?? 0,
      originSegments: rendition?.segments ?? {},
      steady,
    });
    const steadyLoads = steady
      ? allViewers.flatMap((v) => v.segments.filter((s) => s.doneMs >= steady.fromMs))
      : [];
    const steadyMeanPeers = mean(steadyLoads.map((s) => s.peersAtRequest));
    const disconnects: Record<string, number> = {};
    for (const v of allViewers)
      for (const [reason, count] of Object.entries(v.disconnects))
        disconnects[reason] = (disconnects[reason] ?? 0) + count;
    log(
      `${elapsed()}: done: offload ${fixed(summary.offload)} (${fixed(summary.ofCeiling, 2)} × ceiling), ` +
        `stalls ${summary.stalls}, errors ${summary.errors}`,
    );
    return {
      report: {
        summary,
        breakdown: classifyHttpLoads(allViewers, options.liveSyncSegments + 1),
        trace: mergeTraces(results.map((r) => r.trace)),
        lags,
        disconnects,
        steadyMeanPeers,
        expectedFetchesWithoutHold:
          steadyMeanPeers === undefined ? undefined : expectedFetchesWithoutHold(viewers, steadyMeanPeers),
        startup: startupLoads(allViewers, options.liveSyncSegments + 1),
      },
      viewers: allViewers,
      origin,
    };
  } finally {
    mainLag.disable();
    mainIntervalLag.disable();
    await Promise.all(hosts.map((h) => h.close().catch(() => undefined)));
    await server.close();
  }
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - Date.now())));
}
