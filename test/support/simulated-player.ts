import type { Engine } from "../../sdk/src/engine/engine.js";
import type { HttpPolicy, SegmentSource } from "../../sdk/src/core/types.js";
import { parseMediaPlaylist, type PlaylistSegment } from "./media-playlist.js";
import { sleep } from "./wait-for.js";

export interface SimulatedPlayerOptions {
  engine: Engine;
  /** A media playlist URL (one rendition). */
  playlistUrl: string;
  swarmKey: string;
  /** Start this many segments behind the live edge (hls.js liveSyncDurationCount, default 3). */
  liveSyncSegments?: number;
  /** Stop loading ahead once this much media is buffered (hls.js maxBufferLength, default 30 s). */
  maxBufferSec?: number;
  /** Playback resumes after a stall once this much is buffered. */
  resumeBufferSec?: number;
  /** Called for every loaded segment with its bytes (for byte-identity checks). */
  onSegment?: (msn: number, data: Uint8Array, source: SegmentSource) => void;
}

export interface SimulatedPlayerStats {
  startupMs: number | undefined;
  stalls: number;
  stalledMs: number;
  segments: Record<SegmentSource, number>;
  bytes: number;
  errors: string[];
  /**
   * What the player was still waiting for when {@link SimulatedPlayer.stop}'s grace ran out and it
   * aborted it (e.g. "segment 412 for 17300 ms"); undefined when it stopped cleanly.
   */
  abortedAtStop?: string;
}

/** hls.js's default level (playlist) load timeout: a refresh that takes longer is abandoned. */
const PLAYLIST_TIMEOUT_MS = 20_000;

const HTTP_POLICY: HttpPolicy = { firstByteTimeoutMs: 10_000, totalTimeoutMs: 30_000, retry: null };

/**
 * A player without a screen: follows a real playlist, loads segments through a real engine in
 * order, plays at 1× and counts stalls. The model matches hls.js where it matters to P2P: start
 * `liveSyncSegments` behind the live edge, refresh the playlist every target duration, keep at
 * most `maxBufferSec` ahead.
 */
export class SimulatedPlayer {
  readonly stats: SimulatedPlayerStats = {
    startupMs: undefined,
    stalls: 0,
    stalledMs: 0,
    segments: { http: 0, p2p: 0, cache: 0 },
    bytes: 0,
    errors: [],
  };
  private playing = false;
  private positionSec = 0;
  private bufferedEndSec = 0;
  private clockMs = 0;
  private stalledSinceMs: number | undefined;
  private stopped = false;
  private readonly startedMs = Date.now();
  private loop: Promise<void> | undefined;
  /** Aborts the load or playlist fetch in flight (see {@link SimulatedPlayer.stop}). */
  private readonly abort = new AbortController();
  /** What the loop is waiting for now, and since when (for {@link SimulatedPlayerStats.abortedAtStop}). */
  private waitingFor: { what: string; sinceMs: number } | undefined;

  constructor(private readonly options: SimulatedPlayerOptions) {
    options.engine.setPlaybackSource(() => {
      this.advance();
      return {
        positionSec: this.positionSec,
        bufferedAheadSec: this.bufferedEndSec - this.positionSec,
        playbackRate: 1,
        // Not playing here means waiting for data: the simulated viewer never pauses.
        waiting: !this.playing,
      };
    });
  }

  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      if (!this.abort.signal.aborted) this.stats.errors.push((error as Error).message);
    });
  }

  /**
   * Stops loading and returns the figures. A load or playlist fetch in flight may finish within
   * `graceMs`; after that it is aborted and named in {@link SimulatedPlayerStats.abortedAtStop}, so a
   * stop never waits on the network without bound. @default graceMs Infinity (wait for it)
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<SimulatedPlayerStats> {
    this.stopped = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (Number.isFinite(graceMs)) {
      timer = setTimeout(() => {
        const waiting = this.waitingFor;
        if (waiting) this.stats.abortedAtStop = `${waiting.what} for ${Date.now() - waiting.sinceMs} ms`;
        this.abort.abort();
      }, graceMs);
    }
    await this.loop;
    clearTimeout(timer);
    this.advance();
    if (this.stalledSinceMs !== undefined) this.stats.stalledMs += Date.now() - this.stalledSinceMs;
    return this.stats;
  }

  private advance(): void {
    const now = Date.now();
    if (this.playing) {
      this.positionSec += (now - this.clockMs) / 1000;
      if (this.positionSec >= this.bufferedEndSec) {
        this.positionSec = this.bufferedEndSec;
        this.playing = false;
        this.stats.stalls++;
        this.stalledSinceMs = now;
      }
    }
    this.clockMs = now;
  }

  private async run(): Promise<void> {
    const { playlistUrl } = this.options;
    let next: number | undefined;
    let timeline = 0;
    // As the hls.js adapter does on LEVEL_LOADING: join while the playlist loads.
    this.options.engine.prepareSwarm(this.options.swarmKey);
    while (!this.stopped) {
      const refreshStartedMs = Date.now();
      this.waitingFor = { what: "the playlist", sinceMs: refreshStartedMs };
      const response = await fetch(playlistUrl, {
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(PLAYLIST_TIMEOUT_MS)]),
      });
      if (!response.ok) throw new Error(`playlist ${response.status}`);
      const playlist = parseMediaPlaylist(await response.text(), playlistUrl);
      this.waitingFor = undefined;
      if (next === undefined) {
        const back = playlist.live ? (this.options.liveSyncSegments ?? 3) : playlist.segments.length;
        next = playlist.segments[Math.max(0, playlist.segments.length - back)]?.msn ?? 0;
      }
      for (const segment of playlist.segments) {
        if (this.stopped || segment.msn < next) continue;
        while (!this.stopped && this.bufferAhead() > (this.options.maxBufferSec ?? 30)) await sleep(200);
        if (this.stopped) return;
        await this.load(segment, timeline);
        timeline += segment.durationSec;
        next = segment.msn + 1;
      }
      if (!playlist.live) {
        if (next > (playlist.segments.at(-1)?.msn ?? 0)) await this.drain();
        return;
      }
      // Refresh on a fixed clock, as hls.js does: time spent loading must not push us off the edge.
      await sleep(Math.max(0, playlist.targetDurationSec * 1000 - (Date.now() - refreshStartedMs)));
    }
  }

  private bufferAhead(): number {
    this.advance();
    return this.bufferedEndSec - this.positionSec;
  }

  private async load(segment: PlaylistSegment, startSec: number): Promise<void> {
    this.waitingFor = { what: `segment ${segment.msn}`, sinceMs: Date.now() };
    const result = await this.options.engine.loadSegment(
      {
        id: String(segment.msn),
        swarmKey: this.options.swarmKey,
        url: segment.url,
        startTimeSec: startSec,
        durationSec: segment.durationSec,
        live: true,
      },
      { http: HTTP_POLICY, signal: this.abort.signal },
    );
    this.waitingFor = undefined;
    this.advance();
    this.stats.segments[result.source]++;
    this.stats.bytes += result.data.byteLength;
    this.options.onSegment?.(segment.msn, result.data, result.source);
    if (this.bufferedEndSec === 0) this.positionSec = startSec;
    this.bufferedEndSec = startSec + segment.durationSec;
    if (!this.playing && this.bufferedEndSec - this.positionSec >= (this.options.resumeBufferSec ?? 1)) {
      if (this.stats.startupMs === undefined) this.stats.startupMs = Date.now() - this.startedMs;
      if (this.stalledSinceMs !== undefined) this.stats.stalledMs += Date.now() - this.stalledSinceMs;
      this.stalledSinceMs = undefined;
      this.playing = true;
      this.clockMs = Date.now();
    }
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.bufferAhead() > 0) await sleep(200);
  }
}
