// A simulated viewer's segment store: the SDK's SegmentStore, scaled (one stored byte per KiB of
// segment: a 10,000-viewer run could not hold real segments; offsets the engine uses are whole 64-KiB
// chunks or a segment's end, so the scaling is exact where it matters), the engine's mirroring of a
// load's bytes into it, and what its change notifications tell the neighbours (p2p-network's
// onStoreChange). It keeps at most STORE_MAX_ENTRIES segments (48 s, more than the 40-s live window):
// it then evicts those furthest behind the playhead, as a full real store would; no live viewer asks
// for a segment that old.
import { SegmentStore } from "../../sdk/src/core/segment-store.js";
import type { SegmentStoreChange } from "../../sdk/src/core/segment-store-types.js";
import { MAX_CHUNK_BYTES } from "../../sdk/src/p2p/protocol-constants.js";
import type { Load } from "./sim-load.js";
import type { SimViewer } from "./sim-viewer.js";

const STORE_BYTES_PER_UNIT = 1024;
const STORE_MAX_ENTRIES = 24;
const ZEROS = new Uint8Array(MAX_CHUNK_BYTES / STORE_BYTES_PER_UNIT + 1);

/** Store units for a byte offset (offsets are chunk multiples or a segment's end). */
const units = (bytes: number) => Math.ceil(bytes / STORE_BYTES_PER_UNIT);

export class SimStore {
  private readonly segments: SegmentStore;
  /** Segment → bytes held (-1: complete), mirrored from the store's change notifications. */
  private readonly held = new Map<number, number>();

  constructor(private readonly v: SimViewer) {
    this.segments = new SegmentStore({
      maxBytes: Math.floor((64 * 1024 * 1024) / STORE_BYTES_PER_UNIT),
      keepBehindSec: 30,
      maxEntries: STORE_MAX_ENTRIES,
      onChange: (change) => this.onStoreChange(change),
    });
  }

  /** The store holds segment `msn` of our rendition complete (Engine.cached). */
  complete(msn: number): boolean {
    return this.segments.get(this.v.rendition, String(msn))?.complete === true;
  }

  /** Eviction keeps what is near `positionSec` (SegmentStore.setPlayhead). */
  setPlayhead(positionSec: number): void {
    this.segments.setPlayhead(positionSec);
  }

  /** SegmentAssembly.mirror: bytes `[offset, offset + bytes)` into the store, from the segment's start. */
  mirror(load: Load, offset: number, bytes: number): void {
    if (load.mirrored === false) return;
    const key = String(load.msn);
    const rendition = this.v.rendition;
    if (load.mirrored === undefined) {
      const timing = { startTimeSec: this.v.player.timelineSec, durationSec: this.v.stream.segmentMs / 1000 };
      load.mirrored = offset === 0 && this.segments.begin(rendition, key, units(load.totalBytes), timing);
      if (!load.mirrored) return;
    }
    const size = units(offset + bytes) - units(offset);
    const result = this.segments.append(rendition, key, units(offset), ZEROS.subarray(0, size));
    if (result === "appended" || result === "completed") return;
    if (result !== "already-complete" && result !== "not-found") this.segments.delete(rendition, key);
    load.mirrored = false;
  }

  /** SegmentAssembly.publish of a copy held whole until verified: it goes to the store confirmed. */
  putVerified(load: Load): void {
    const timing = { startTimeSec: this.v.player.timelineSec, durationSec: this.v.stream.segmentMs / 1000 };
    const data = new Uint8Array(units(load.totalBytes));
    this.segments.put(this.v.rendition, String(load.msn), data, timing, { confirmed: true });
  }

  /**
   * p2p-network.onStoreChange: wake waiting uploads; announce new and completed segments. Also
   * keeps `held` (what the store holds of each segment, from these same notifications), which the
   * uploader reads instead of copying a snapshot out of the store for every chunk.
   */
  private onStoreChange(change: SegmentStoreChange): void {
    const v = this.v;
    const announce = v.profile.uploadEnabled;
    const now = v.world.queue.now;
    for (const r of change.removed) {
      const msn = Number(r.segmentId);
      this.held.delete(msn);
      v.uploader.notify(msn);
      if (!announce) continue;
      v.board.record(msn, v.index).removedAt = now;
      v.broadcast(msn);
    }
    for (let i = 0; i < change.added.length + change.updated.length; i++) {
      const added = i < change.added.length;
      const a = added ? change.added[i]! : change.updated[i - change.added.length]!;
      const msn = Number(a.segmentId);
      this.held.set(msn, a.complete ? -1 : a.bytesAvailable * STORE_BYTES_PER_UNIT);
      v.uploader.notify(msn);
      // Partial growth is not announced: uploads stream it.
      if (!announce || (!added && !a.complete)) continue;
      const rec = v.board.record(msn, v.index);
      if (rec.addedAt < 0) {
        rec.addedAt = now;
        rec.totalBytes = v.stream.bytesOf(msn);
      }
      if (a.complete) rec.completeAt = now;
      v.broadcast(msn, a.complete ? "complete" : "added");
    }
  }

  /** Bytes of the segment the store holds, from its change notifications (0 = none). */
  heldBytes(msn: number): number {
    const held = this.held.get(msn);
    if (held === undefined) return 0;
    return held < 0 ? this.v.stream.bytesOf(msn) : held;
  }
}
