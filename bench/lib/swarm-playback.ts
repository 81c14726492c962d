// The simulated player's buffer and stall model, driven by explicit timestamps so it is unit-tested
// without timers. Media is appended in order (contiguous); playback runs at 1× while media is
// buffered, stalls when the position reaches the end of the buffer, and resumes once
// `resumeBufferSec` is buffered again. Reaching the end of a VOD is not a stall.

export class PlaybackModel {
  positionSec = 0;
  bufferedEndSec = 0;
  playing = false;
  stalls = 0;
  stalledMs = 0;
  /** Join → first frame, ms; undefined until playback started. */
  startupMs: number | undefined;
  private hasMedia = false;
  private ended = false;
  private clockMs: number;
  private stalledSinceMs: number | undefined;

  constructor(
    private readonly joinMs: number,
    private readonly resumeBufferSec = 1,
  ) {
    this.clockMs = joinMs;
  }

  /** Move the playhead to `nowMs`; detects a stall. */
  advance(nowMs: number): void {
    if (this.playing) {
      this.positionSec += Math.max(0, nowMs - this.clockMs) / 1000;
      if (this.positionSec >= this.bufferedEndSec) {
        const overshootMs = (this.positionSec - this.bufferedEndSec) * 1000;
        this.positionSec = this.bufferedEndSec;
        this.playing = false;
        if (!this.ended) {
          this.stalls++;
          // The buffer ran dry `overshootMs` before this call noticed it.
          this.stalledSinceMs = nowMs - overshootMs;
        }
      }
    }
    this.clockMs = nowMs;
  }

  bufferAheadSec(nowMs: number): number {
    this.advance(nowMs);
    return this.bufferedEndSec - this.positionSec;
  }

  /** A segment [startSec, startSec + durationSec) finished loading at `nowMs`. */
  append(startSec: number, durationSec: number, nowMs: number): void {
    this.advance(nowMs);
    if (!this.hasMedia) {
      this.hasMedia = true;
      this.positionSec = startSec;
    }
    this.bufferedEndSec = startSec + durationSec;
    if (!this.playing && this.bufferedEndSec - this.positionSec >= this.resumeBufferSec) this.play(nowMs);
  }

  /** The last segment of a VOD was appended: play out what is left, then stop without a stall. */
  endOfStream(nowMs: number): void {
    this.advance(nowMs);
    this.ended = true;
    if (!this.playing && this.bufferedEndSec > this.positionSec) this.play(nowMs);
  }

  /** The viewer leaves at `nowMs`: an open stall is counted up to now. */
  finish(nowMs: number): void {
    this.advance(nowMs);
    if (this.stalledSinceMs !== undefined) {
      this.stalledMs += nowMs - this.stalledSinceMs;
      this.stalledSinceMs = undefined;
    }
  }

  private play(nowMs: number): void {
    if (this.startupMs === undefined) this.startupMs = nowMs - this.joinMs;
    if (this.stalledSinceMs !== undefined) this.stalledMs += nowMs - this.stalledSinceMs;
    this.stalledSinceMs = undefined;
    this.playing = true;
    this.clockMs = nowMs;
  }
}
