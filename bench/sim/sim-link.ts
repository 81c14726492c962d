// One direction of a simulated peer connection: what a viewer knows of, and does with, one
// neighbour (the simulated counterpart of the SDK's Peer object).
import { PeerThroughput } from "../../sdk/src/core/policy/peer-throughput.js";
import type { LinkView } from "./sim-availability.js";

export class SimLink<V> implements LinkView {
  /** Delivery throughput from this neighbour, measured as Peer measures it. */
  readonly throughput = new PeerThroughput();
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
