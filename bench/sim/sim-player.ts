// The simulated player: bench/lib/swarm-player.ts (BenchPlayer) on the virtual clock. It joins the
// swarm while its first playlist loads, starts `liveSyncSegments` behind the live edge, loads the
// listed segments in order through the engine, keeps at most `maxBufferSec` ahead, refreshes the
// live playlist every target duration on its own clock, and plays at 1× (the real PlaybackModel).
import type { SegmentRecord } from "../lib/swarm-metrics.js";
import { PlaybackModel } from "../lib/swarm-playback.js";
import type { Load } from "./sim-load.js";
import type { SimViewer } from "./sim-viewer.js";

/** BenchPlayer polls the buffer this often while it is full. */
const BUFFER_POLL_MS = 200;

export class SimPlayer {
  readonly model: PlaybackModel;
  readonly segments: SegmentRecord[] = [];
  /** Start of the segment being loaded on the player's timeline, seconds. */
  timelineSec = 0;
  receivedBytes = 0;
  private next: number | undefined;
  private last = -1;
  private refreshStartMs = 0;
  /** Media buffered ahead when the load in progress was asked for, seconds. */
  private bufferAtRequestSec = 0;

  constructor(private readonly v: SimViewer) {
    this.model = new PlaybackModel(v.joinMs);
  }

  start(): void {
    this.refresh();
  }

  /** Fetch the live playlist (a round trip to the origin), then load what it lists. */
  private refresh(): void {
    const v = this.v;
    if (v.left) return;
    this.refreshStartMs = v.world.queue.now;
    const oneWay = v.profile.latencyMs;
    v.world.queue.after(2 * oneWay, () => {
      if (v.left) return;
      const window = v.stream.window(v.world.queue.now - oneWay);
      if (window) {
        this.last = window.last;
        this.next ??= Math.max(window.first, window.last - v.world.options.liveSyncSegments + 1);
      }
      this.loadNext();
    });
  }

  private loadNext(): void {
    const v = this.v;
    if (v.left) return;
    const now = v.world.queue.now;
    if (this.next !== undefined && this.next <= this.last) {
      if (this.model.bufferAheadSec(now) > v.world.options.maxBufferSec) {
        v.world.queue.after(BUFFER_POLL_MS, () => this.loadNext());
        return;
      }
      const msn = this.next;
      this.bufferAtRequestSec = this.model.bufferAheadSec(now);
      v.engine.loadSegment(msn, (load) => this.loaded(load));
      return;
    }
    const targetMs = v.stream.segmentMs;
    v.world.queue.at(Math.max(now, this.refreshStartMs + targetMs), () => this.refresh());
  }

  private loaded(load: Load): void {
    const v = this.v;
    const now = v.world.queue.now;
    const durationSec = v.stream.segmentMs / 1000;
    this.model.append(this.timelineSec, durationSec, now);
    this.receivedBytes += load.totalBytes;
    this.segments.push({
      msn: load.msn,
      requestMs: load.requestMs,
      doneMs: now,
      source: load.length === 0 ? "cache" : load.p2pBytes > load.httpBytes ? "p2p" : "http",
      bytes: load.totalBytes,
      httpBytes: load.httpBytes,
      p2pBytes: load.p2pBytes,
      bufferAheadSec: this.bufferAtRequestSec,
      peersAtRequest: load.peersAtRequest,
      ordinal: this.segments.length,
      decision: load.decision,
      heldMs: load.run?.policy.heldMs ?? 0,
    });
    this.timelineSec += durationSec;
    this.next = load.msn + 1;
    this.loadNext();
  }
}
