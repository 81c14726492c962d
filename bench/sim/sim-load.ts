// One simulated segment load (engine.loadSegment): its bytes as counts, and what the player, the
// trust ladder and SIM_DIAG record of it. Bytes are counted, not carried (see sim-store.ts).
import type { LoadBytes } from "../../sdk/src/core/policy/load-context.js";
import type { SegmentLoad } from "../../sdk/src/engine/segment-load.js";
import type { SimViewer } from "./sim-viewer.js";

/** One segment load (engine.loadSegment): its bytes as counts, and what the player records of it. */
export class Load implements LoadBytes {
  readonly requestMs: number;
  readonly peersAtRequest: number;
  length = 0;
  httpBytes = 0;
  p2pBytes = 0;
  /** The bytes are mirrored into the store (SegmentAssembly's `mirrored`). */
  mirrored: boolean | undefined;
  /** Peer bytes arrived before any were mirrored: none are, until verified (SegmentAssembly's `held`). */
  held = false;
  /** When the first peer bytes arrived (the trust ladder's digest ask goes out then). */
  firstPeerByteMs: number | undefined;
  /** The chunk digests are in: held bytes are passed on chunk by chunk (verified cut-through). */
  cutThrough = false;
  /** Held bytes `[0, releasedEnd)` were mirrored after passing their chunk digests. */
  releasedEnd = 0;
  /** The policy's last decision, "kind:reason". */
  decision: string | undefined;
  run: SegmentLoad | undefined;
  /** SIM_DIAG: this load was counted as started / its HTTP decision recorded. */
  diagStarted = false;
  diagHttp = false;

  constructor(
    v: SimViewer,
    readonly msn: number,
    readonly totalBytes: number,
    public onDone: (load: Load) => void,
  ) {
    this.requestMs = v.world.queue.now;
    this.peersAtRequest = v.links.size;
  }

  get complete(): boolean {
    return this.length === this.totalBytes;
  }
}
