// A player without a screen for the swarm bench. The model of test/support/simulated-player.ts:
// follow a real media playlist, start `liveSyncSegments` behind the live edge, keep at most
// `maxBufferSec` ahead, load in order through a real engine, play at 1×. Differences:
// - the live playlist is refreshed every target duration on its own clock, as hls.js does (the
//   support player sleeps a target duration after its loads, so slow loads make it drift behind
//   the live edge and shrink its buffer);
// - a record per segment load (times, source, peers, the scheduler's last decision);
// - VOD loads are marked VOD, and reaching the end of a VOD is not a stall;
// - time to first peer and peer disconnections are recorded.
import type { Engine } from "../../sdk/src/engine/engine.js";
import type { HttpPolicy } from "../../sdk/src/core/types.js";
import { parseMediaPlaylist, type PlaylistSegment } from "../../test/support/media-playlist.js";
import type { SegmentRecord, ViewerResult } from "./swarm-metrics.js";
import { PlaybackModel } from "./swarm-playback.js";

export interface BenchPlayerOptions {
  index: number;
  engine: Engine;
  playlistUrl: string;
  swarmKey: string;
  liveSyncSegments: number;
  maxBufferSec: number;
  /** Called synchronously whenever the engine reads this player's playhead (see swarm-viewers.ts). */
  onPlayheadRead?: () => void;
}

/** hls.js's default fragment load policy, as the adapter passes it (it retries on its own). */
const HTTP_POLICY: HttpPolicy = { firstByteTimeoutMs: 10_000, totalTimeoutMs: 30_000, retry: null };

export class BenchPlayer {
  readonly joinMs = Date.now();
  readonly model = new PlaybackModel(this.joinMs);
  readonly segments: SegmentRecord[] = [];
  readonly errors: string[] = [];
  firstPeerMs: number | undefined;
  segmentErrors = 0;
  warnings = 0;
  receivedBytes = 0;
  readonly disconnects: Record<string, number> = {};
  /** The scheduler's last decision per segment id being loaded, from the engine log. */
  readonly decisions = new Map<string, string>();
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: BenchPlayerOptions) {
    const { engine } = options;
    engine.setPlaybackSource(() => {
      options.onPlayheadRead?.();
      const now = Date.now();
      const ahead = this.model.bufferAheadSec(now);
      return { positionSec: this.model.positionSec, bufferedAheadSec: ahead, playbackRate: 1 };
    });
    engine.on("peer-connected", () => {
      this.firstPeerMs ??= Date.now();
    });
    engine.on("peer-disconnected", ({ reason }) => {
      if (reason === "destroyed") return;
      this.disconnects[reason] = (this.disconnects[reason] ?? 0) + 1;
    });
    engine.on("segment-error", () => void this.segmentErrors++);
    engine.on("warning", () => void this.warnings++);
  }

  get index(): number {
    return this.options.index;
  }

  get playing(): boolean {
    this.model.advance(Date.now());
    return this.model.playing;
  }

  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      this.errors.push((error as Error).message);
    });
  }

  /** Stop loading (waits for the load in flight) and close the playback accounting. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.model.finish(Date.now());
  }

  result(): ViewerResult {
    const stats = this.options.engine.getStats();
    return {
      index: this.options.index,
      joinMs: this.joinMs,
      firstPeerMs: this.firstPeerMs,
      startupMs: this.model.startupMs,
      stalls: this.model.stalls,
      stalledMs: this.model.stalledMs,
      segments: this.segments,
      errors: this.errors,
      segmentErrors: this.segmentErrors,
      warnings: this.warnings,
      httpDownloadedBytes: stats.httpDownloadedBytes,
      p2pDownloadedBytes: stats.p2pDownloadedBytes,
      httpRequests: stats.httpRequests,
      connectedPeersAtEnd: stats.connectedPeers,
      disconnects: this.disconnects,
    };
  }

  private async run(): Promise<void> {
    const { playlistUrl, engine, swarmKey } = this.options;
    let next: number | undefined;
    let timeline = 0;
    // As the hls.js adapter does on LEVEL_LOADING: join the swarm while the playlist loads.
    engine.prepareSwarm(swarmKey);
    while (!this.stopped) {
      const refreshMs = Date.now();
      const response = await fetch(playlistUrl);
      if (!response.ok) throw new Error(`playlist ${response.status}`);
      const playlist = parseMediaPlaylist(await response.text(), playlistUrl);
      if (next === undefined) {
        const back = playlist.live ? this.options.liveSyncSegments : playlist.segments.length;
        next = playlist.segments[Math.max(0, playlist.segments.length - back)]?.msn ?? 0;
      }
      for (const segment of playlist.segments) {
        if (this.stopped || segment.msn < next) continue;
        while (!this.stopped && this.model.bufferAheadSec(Date.now()) > this.options.maxBufferSec)
          await sleep(200);
        if (this.stopped) return;
        await this.load(segment, timeline, playlist.live);
        timeline += segment.durationSec;
        next = segment.msn + 1;
      }
      if (!playlist.live) {
        this.model.endOfStream(Date.now());
        return;
      }
      // Like hls.js, refresh a live playlist every target duration on its own clock, not a
      // target duration after the last load finished (which would drift behind the live edge).
      await sleep(Math.max(0, playlist.targetDurationSec * 1000 - (Date.now() - refreshMs)));
    }
  }

  private async load(segment: PlaylistSegment, startSec: number, live: boolean): Promise<void> {
    const { engine, swarmKey } = this.options;
    const requestMs = Date.now();
    const bufferAheadSec = this.model.bufferAheadSec(requestMs);
    const peersAtRequest = engine.getStats().connectedPeers;
    const id = String(segment.msn);
    const result = await engine.loadSegment(
      { id, swarmKey, url: segment.url, startTimeSec: startSec, durationSec: segment.durationSec, live },
      { http: HTTP_POLICY },
    );
    const doneMs = Date.now();
    this.model.append(startSec, segment.durationSec, doneMs);
    this.receivedBytes += result.data.byteLength;
    this.segments.push({
      msn: segment.msn,
      requestMs,
      doneMs,
      source: result.source,
      bytes: result.data.byteLength,
      httpBytes: result.httpBytes,
      p2pBytes: result.p2pBytes,
      bufferAheadSec,
      peersAtRequest,
      ordinal: this.segments.length,
      decision: this.decisions.get(id),
    });
    this.decisions.delete(id);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
