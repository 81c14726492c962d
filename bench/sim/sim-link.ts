// One direction of a simulated peer connection: what a viewer knows of, and does with, one
// neighbour (the simulated counterpart of the SDK's Peer object).
import { Ewma } from "../../sdk/src/core/ewma.js";
import type { LinkView } from "./sim-availability.js";

export class SimLink<V> implements LinkView {
  /** Delivery throughput from this neighbour, bytes/s, as Peer measures it (half-life 4 s of transfer). */
  readonly throughput = new Ewma(4);
  /** Requests outstanding to this neighbour. */
  pending = 0;
  /** Segment → when this neighbour last answered `absent` for it. */
  readonly absent = new Map<number, number>();

  constructor(
    readonly remote: V,
    readonly latencyMs: number,
    /** When the neighbour added us (its availability map is as of then). */
    readonly connectedAtMs: number,
    /** When its availability-full map reached us; Infinity when it uploads nothing (it sends none). */
    readonly availabilityAtMs: number,
  ) {}

  absentAt(msn: number): number {
    return this.absent.get(msn) ?? Number.NEGATIVE_INFINITY;
  }
}
