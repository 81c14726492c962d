// The viewers one process hosts: an SDK engine (node-datachannel + ws) and a BenchPlayer each. Used
// in the bench process itself (--workers 0) or inside each worker process (swarm-worker.ts).
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { Engine } from "../../sdk/src/engine/engine.js";
import { createNodeEngine } from "../../test/support/node-engines.js";
import { LAG_RESOLUTION_MS, lagFromHistogram, type LoopLag, type ViewerResult } from "./swarm-metrics.js";
import { BenchPlayer } from "./swarm-player.js";
import { addToTrace, captureEngineLog, emptyTrace, type TraceSummary } from "./swarm-trace.js";

export interface ViewerGroupConfig {
  trackerUrl: string;
  playlistUrl: string;
  swarmKey: string;
  maxPeers: number;
  liveSyncSegments: number;
  maxBufferSec: number;
}

export interface GroupStatus {
  joined: number;
  playing: number;
  withPeer: number;
  connectedPeers: number;
  receivedBytes: number;
  stalls: number;
  /** Event-loop delay p99 since the previous status, ms. */
  lagP99Ms: number;
}

export interface GroupResult {
  viewers: ViewerResult[];
  trace: TraceSummary;
  lag: LoopLag;
}

/** How long a player may take to finish its load in flight when the run ends. */
const STOP_GRACE_MS = 10_000;

export class ViewerGroup {
  private readonly players: BenchPlayer[] = [];
  private readonly engines: Engine[] = [];
  private readonly trace = emptyTrace();
  private readonly runLag: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private readonly intervalLag: IntervalHistogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private readonly cpuStart = process.cpuUsage();
  private readonly startMs = Date.now();
  private readonly releaseLog: () => void;
  /** The player whose playhead the engine read last: the engine logs its decision right after. */
  private current: BenchPlayer | undefined;

  constructor(
    private readonly config: ViewerGroupConfig,
    private readonly processName: string,
  ) {
    this.runLag.enable();
    this.intervalLag.enable();
    this.releaseLog = captureEngineLog((event) => {
      addToTrace(this.trace, event);
      // engine.ts reads the playhead, decides and logs in one synchronous step, so the decision
      // belongs to the player read last. Only the last decision per load is kept.
      if (event.kind === "decision" && this.current)
        this.current.decisions.set(event.segmentId, `${event.decision}:${event.reason}`);
    });
  }

  join(index: number): void {
    const engine = createNodeEngine({
      trackerUrls: [this.config.trackerUrl],
      maxPeers: this.config.maxPeers,
      // The trust ladder's opt-out, to measure what the default protection costs (BENCHMARKS.md, "Trust").
      ...(process.env["NEARCAST_ALLOW_UNVERIFIED_PEERS"] === "1" ? { allowUnverifiedPeers: true } : {}),
    });
    this.engines.push(engine);
    const player: BenchPlayer = new BenchPlayer({
      index,
      engine,
      playlistUrl: this.config.playlistUrl,
      swarmKey: this.config.swarmKey,
      liveSyncSegments: this.config.liveSyncSegments,
      maxBufferSec: this.config.maxBufferSec,
      onPlayheadRead: () => {
        this.current = player;
      },
    });
    this.players.push(player);
    player.start();
  }

  status(): GroupStatus {
    let connectedPeers = 0;
    for (const e of this.engines) connectedPeers += e.getStats().connectedPeers;
    const lagP99Ms = lagFromHistogram(this.processName, this.intervalLag, 0).p99Ms;
    this.intervalLag.reset();
    return {
      joined: this.players.length,
      playing: this.players.filter((p) => p.playing).length,
      withPeer: this.players.filter((p) => p.firstPeerMs !== undefined).length,
      connectedPeers,
      receivedBytes: this.players.reduce((s, p) => s + p.receivedBytes, 0),
      stalls: this.players.reduce((s, p) => s + p.model.stalls, 0),
      lagP99Ms,
    };
  }

  /** Stop every player (engines keep serving peers until `destroy`). */
  async stop(): Promise<GroupResult> {
    await Promise.all(
      this.players.map((p) =>
        Promise.race([
          p.stop(),
          sleep(STOP_GRACE_MS).then(
            () => void p.errors.push(`load still running ${STOP_GRACE_MS} ms after the end`),
          ),
        ]),
      ),
    );
    this.runLag.disable();
    const cpu = process.cpuUsage(this.cpuStart);
    const cpuShare = (cpu.user + cpu.system) / 1000 / Math.max(1, Date.now() - this.startMs);
    return {
      viewers: this.players.map((p) => p.result()),
      trace: this.trace,
      lag: lagFromHistogram(this.processName, this.runLag, cpuShare),
    };
  }

  destroy(): void {
    for (const e of this.engines) e.destroy();
    this.intervalLag.disable();
    this.runLag.disable();
    this.releaseLog();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
