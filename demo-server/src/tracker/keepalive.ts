// The tracker's keepalive cycle: every connection checked once per `sweepIntervalMs` (dropped when
// dead or idle, pinged when quiet), in slices spread over the interval.
import type { Connection } from "./connection.js";
import type { TrackerOptions } from "./options.js";
import type { TrackerDisconnectReason } from "../net/refusal-reasons.js";

/** Slices one keepalive cycle is spread over (see `KeepaliveSweep.slice`). */
export const SWEEP_SLICES = 10;

export class KeepaliveSweep {
  /** Connections still to be checked in the current keepalive cycle (see `slice`). */
  private pending: Connection[] = [];
  private slicesLeft = 0;

  constructor(
    private readonly options: Pick<TrackerOptions, "peerTimeoutMs" | "sweepIntervalMs">,
    private readonly connections: ReadonlySet<Connection>,
    /** Runs as each cycle starts: the registry forgets expired peers. */
    private readonly startCycle: () => void,
    private readonly drop: (connection: Connection, reason: TrackerDisconnectReason) => void,
  ) {}

  /** How often `slice` is to be called. */
  get sliceIntervalMs(): number {
    return Math.max(1, Math.floor(this.options.sweepIntervalMs / SWEEP_SLICES));
  }

  /**
   * One slice of the keepalive cycle. Every `sweepIntervalMs` the registry forgets expired peers and
   * every connection is checked once: no pong since the last ping → dropped, silent for
   * `peerTimeoutMs` → dropped, otherwise pinged unless a message arrived within the interval (which
   * already proves the socket alive). The connections are checked in `SWEEP_SLICES` slices spread
   * over the interval: pinging 20,000 sockets in one tick stalled announces queued behind it
   * (p99 57 ms at 19,500 connections in bench:tracker, against 1 ms for bittorrent-tracker).
   */
  slice(now: number): void {
    if (this.slicesLeft === 0) {
      this.startCycle();
      this.pending = [...this.connections];
      this.slicesLeft = SWEEP_SLICES;
    }
    const count = Math.ceil(this.pending.length / this.slicesLeft);
    this.slicesLeft--;
    const idleBefore = now - this.options.peerTimeoutMs;
    const quietBefore = now - this.options.sweepIntervalMs;
    for (const connection of this.pending.splice(0, count)) {
      if (!this.connections.has(connection)) continue;
      if (!connection.alive) this.drop(connection, "no_pong");
      else if (connection.lastMessageMs < idleBefore) this.drop(connection, "idle");
      else if (connection.lastMessageMs < quietBefore) {
        connection.alive = false;
        connection.ws.ping();
      }
    }
  }
}
