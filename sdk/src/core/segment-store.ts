import { isUint32, UNKNOWN_LENGTH, type SegmentAvailability } from "./availability.js";
import { availabilityOf, behindSec, checkTiming, newDraft, snapshot } from "./segment-store-entries.js";
import type {
  AppendResult,
  ChangeDraft,
  Entry,
  RemovedSegment,
  SegmentStoreChange,
  SegmentStoreOptions,
  SegmentTiming,
  StoredSegment,
} from "./segment-store-types.js";

export type {
  AppendResult,
  RemovedSegment,
  SegmentStoreChange,
  SegmentStoreOptions,
  SegmentTiming,
  StoredAvailability,
  StoredSegment,
} from "./segment-store-types.js";

/** Smallest growth step for a segment of unknown size: one maximum peer chunk. */
const MIN_GROWTH_BYTES = 65_536;

/**
 * Segment bytes kept in memory to serve peers and avoid refetching, bounded by `maxBytes`.
 * Segments are keyed by (swarmKey, segmentId): ids repeat across renditions.
 *
 * A segment is stored whole with {@link put} or written in order with {@link begin} +
 * {@link append}. A partial segment of known size reserves its whole length up front, so appends
 * never evict; one of unknown size grows as bytes arrive and is closed by {@link finish}.
 *
 * When room is needed, complete segments are evicted: first those that ended more than
 * `keepBehindSec` before their swarm's playhead, furthest behind first; then least recently used.
 * Partial segments are never evicted (the caller deletes abandoned ones). A segment larger than
 * the budget, or that cannot fit beside the partial ones, is refused rather than stored.
 */
export class SegmentStore {
  readonly maxBytes: number;
  readonly keepBehindSec: number;
  readonly maxEntries: number;
  private readonly onChange: ((change: SegmentStoreChange) => void) | undefined;
  private readonly swarms = new Map<string, Map<string, Entry>>();
  private readonly playheads = new Map<string, number>();
  private defaultPlayheadSec: number | undefined;
  private bytes = 0;
  private count = 0;
  private clock = 0;
  private destroyed = false;

  constructor(options: SegmentStoreOptions) {
    const { maxBytes, keepBehindSec = 30, maxEntries = 10_000 } = options;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
    }
    if (!Number.isFinite(keepBehindSec) || keepBehindSec < 0) {
      throw new RangeError(`keepBehindSec must be a finite number >= 0, got ${keepBehindSec}`);
    }
    if (!Number.isSafeInteger(maxEntries) || maxEntries <= 0) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.maxBytes = maxBytes;
    this.keepBehindSec = keepBehindSec;
    this.maxEntries = maxEntries;
    this.onChange = options.onChange;
  }

  /** Bytes charged to the budget (always ≤ maxBytes). */
  get totalBytes(): number {
    return this.bytes;
  }

  /** Segments held, partial ones included. */
  get size(): number {
    return this.count;
  }

  /**
   * Store a complete segment, replacing a partial one with the same key. `data` is copied: the
   * store owns its bytes, so a caller that later mutates or transfers its buffer cannot corrupt
   * them. False when empty, larger than the budget, or no room can be made.
   */
  put(swarmKey: string, segmentId: string, data: Uint8Array, timing?: SegmentTiming): boolean {
    checkTiming(timing);
    if (this.destroyed || data.byteLength === 0 || data.byteLength > this.maxBytes) return false;
    const existing = this.find(swarmKey, segmentId);
    if (existing?.complete) {
      this.touch(existing);
      return true;
    }
    const change = newDraft();
    const extraBytes = data.byteLength - (existing?.retainedBytes ?? 0);
    // Only complete segments are evicted, so `existing` survives making room.
    if (!this.makeRoom(extraBytes, existing ? 0 : 1, change)) return false;
    const owned = data.slice();
    const wasAvailable = existing !== undefined && existing.bytesAvailable > 0;
    const entry = existing ?? this.insert(swarmKey, segmentId, timing, owned);
    this.setBuffer(entry, owned);
    entry.timing = timing ?? entry.timing;
    entry.bytesAvailable = entry.totalLength = owned.byteLength;
    entry.complete = true;
    this.touch(entry);
    (wasAvailable ? change.updated : change.added).push(availabilityOf(entry));
    this.emit(change);
    return true;
  }

  /**
   * Open a partial segment to be written by {@link append}. `totalLength` 0 means unknown size.
   * False when the key is already held, the size exceeds the budget, or no room can be made.
   */
  begin(swarmKey: string, segmentId: string, totalLength: number, timing?: SegmentTiming): boolean {
    if (!isUint32(totalLength)) throw new RangeError(`totalLength must be a u32, got ${totalLength}`);
    checkTiming(timing);
    if (this.destroyed || totalLength > this.maxBytes || this.find(swarmKey, segmentId)) return false;
    const change = newDraft();
    if (!this.makeRoom(totalLength, 1, change)) return false;
    this.insert(swarmKey, segmentId, timing, new Uint8Array(totalLength));
    this.emit(change);
    return true;
  }

  /**
   * Write the next bytes of a partial segment. Writes must continue exactly where the last one
   * ended ("gap"/"overlap" otherwise) and stay within the known size ("past-end"); rejected writes
   * change nothing. A segment of unknown size that cannot grow is dropped ("over-budget").
   */
  append(swarmKey: string, segmentId: string, offset: number, chunk: Uint8Array): AppendResult {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`bad offset ${offset}`);
    const entry = this.destroyed ? undefined : this.find(swarmKey, segmentId);
    if (!entry || this.dropIfDetached(entry)) return "not-found";
    if (entry.complete) return "already-complete";
    if (offset > entry.bytesAvailable) return "gap";
    if (offset < entry.bytesAvailable) return "overlap";
    const end = offset + chunk.byteLength;
    if (entry.totalLength !== UNKNOWN_LENGTH && end > entry.totalLength) return "past-end";
    if (chunk.byteLength === 0) return "appended";
    const change = newDraft();
    if (end > entry.retainedBytes && !this.grow(entry, end, change)) {
      this.remove(entry, "dropped", change);
      this.emit(change);
      return "over-budget";
    }
    const wasAvailable = entry.bytesAvailable > 0;
    entry.buffer.set(chunk, offset);
    entry.bytesAvailable = end;
    entry.complete = end === entry.totalLength;
    (wasAvailable ? change.updated : change.added).push(availabilityOf(entry));
    this.emit(change);
    return entry.complete ? "completed" : "appended";
  }

  /**
   * Mark a segment of unknown size complete at the bytes received, releasing spare capacity.
   * True if the segment is now complete; false if absent, empty, or short of its known size.
   */
  finish(swarmKey: string, segmentId: string): boolean {
    const entry = this.destroyed ? undefined : this.find(swarmKey, segmentId);
    if (!entry || this.dropIfDetached(entry)) return false;
    if (entry.complete) return true;
    if (entry.totalLength !== UNKNOWN_LENGTH || entry.bytesAvailable === 0) return false;
    this.setBuffer(entry, entry.buffer.slice(0, entry.bytesAvailable));
    entry.totalLength = entry.bytesAvailable;
    entry.complete = true;
    this.emit({ added: [], updated: [availabilityOf(entry)], removed: [] });
    return true;
  }

  /** The segment if it has at least one byte; counts as a use for LRU eviction. */
  get(swarmKey: string, segmentId: string): StoredSegment | undefined {
    const entry = this.find(swarmKey, segmentId);
    if (!entry || entry.bytesAvailable === 0) return undefined;
    if (this.dropIfDetached(entry)) return undefined;
    this.touch(entry);
    return snapshot(entry);
  }

  /** Whether {@link get} would return the segment; not a use. */
  has(swarmKey: string, segmentId: string): boolean {
    return (this.find(swarmKey, segmentId)?.bytesAvailable ?? 0) > 0;
  }

  /** Remove a segment, partial or complete (e.g. an abandoned download). True if it was held. */
  delete(swarmKey: string, segmentId: string): boolean {
    const entry = this.find(swarmKey, segmentId);
    if (!entry) return false;
    const change = newDraft();
    this.remove(entry, "deleted", change);
    this.emit(change);
    return true;
  }

  /** Availability of every segment of a swarm with at least one byte: the full map for a new peer. */
  list(swarmKey: string): SegmentAvailability[] {
    const swarm = this.swarms.get(swarmKey);
    if (!swarm) return [];
    const list: SegmentAvailability[] = [];
    for (const entry of swarm.values()) {
      const { segmentId, totalLength, bytesAvailable, complete } = entry;
      if (bytesAvailable > 0) list.push({ segmentId, totalLength, bytesAvailable, complete });
    }
    return list;
  }

  /** Every segment held, partial ones included, for stats and debugging; not a use. */
  entries(): StoredSegment[] {
    const all: StoredSegment[] = [];
    for (const swarm of this.swarms.values()) for (const entry of swarm.values()) all.push(snapshot(entry));
    return all;
  }

  /**
   * Tell the store where playback is. Without `swarmKey` it applies to every swarm that has no
   * playhead of its own (renditions of one stream share a timeline). Takes effect at the next
   * eviction; it evicts nothing by itself.
   */
  setPlayhead(positionSec: number, swarmKey?: string): void {
    if (!Number.isFinite(positionSec)) throw new RangeError(`positionSec must be finite, got ${positionSec}`);
    if (swarmKey === undefined) this.defaultPlayheadSec = positionSec;
    else this.playheads.set(swarmKey, positionSec);
  }

  /** Free everything. Idempotent; no change is reported, and later writes are refused. */
  destroy(): void {
    this.destroyed = true;
    this.swarms.clear();
    this.playheads.clear();
    this.bytes = 0;
    this.count = 0;
  }

  private find(swarmKey: string, segmentId: string): Entry | undefined {
    return this.swarms.get(swarmKey)?.get(segmentId);
  }

  /** Adds the entry to the maps and charges its buffer. */
  private insert(
    swarmKey: string,
    segmentId: string,
    timing: SegmentTiming | undefined,
    buffer: Uint8Array,
  ): Entry {
    const entry: Entry = {
      swarmKey,
      segmentId,
      timing,
      buffer,
      retainedBytes: buffer.byteLength,
      bytesAvailable: 0,
      totalLength: buffer.byteLength,
      complete: false,
      lastAccess: ++this.clock,
    };
    let swarm = this.swarms.get(swarmKey);
    if (!swarm) this.swarms.set(swarmKey, (swarm = new Map()));
    swarm.set(segmentId, entry);
    this.count += 1;
    this.bytes += buffer.byteLength;
    return entry;
  }

  private remove(entry: Entry, reason: RemovedSegment["reason"], change: ChangeDraft): void {
    const swarm = this.swarms.get(entry.swarmKey);
    swarm?.delete(entry.segmentId);
    if (swarm?.size === 0) this.swarms.delete(entry.swarmKey);
    this.bytes -= entry.retainedBytes;
    this.count -= 1;
    if (entry.bytesAvailable > 0) {
      change.removed.push({ swarmKey: entry.swarmKey, segmentId: entry.segmentId, reason });
    }
  }

  private touch(entry: Entry): void {
    entry.lastAccess = ++this.clock;
  }

  /**
   * Evict complete segments until `extraBytes` and `extraEntries` more fit. Plans first: when
   * eviction cannot make enough room, nothing is evicted and the answer is false.
   */
  private makeRoom(extraBytes: number, extraEntries: number, change: ChangeDraft): boolean {
    let bytes = this.bytes + extraBytes;
    let count = this.count + extraEntries;
    const fits = (): boolean => bytes <= this.maxBytes && count <= this.maxEntries;
    if (fits()) return true;
    const victims: Entry[] = [];
    for (const entry of this.evictionOrder()) {
      if (fits()) break;
      victims.push(entry);
      bytes -= entry.retainedBytes;
      count -= 1;
    }
    if (!fits()) return false;
    for (const victim of victims) this.remove(victim, "evicted", change);
    return true;
  }

  /** Complete segments, furthest behind the playhead first, then least recently used. */
  private evictionOrder(): Entry[] {
    const candidates: { entry: Entry; behindSec: number }[] = [];
    for (const [swarmKey, swarm] of this.swarms) {
      const playhead = this.playheads.get(swarmKey) ?? this.defaultPlayheadSec;
      for (const entry of swarm.values()) {
        if (entry.complete)
          candidates.push({ entry, behindSec: behindSec(entry, playhead, this.keepBehindSec) });
      }
    }
    candidates.sort((a, b) => b.behindSec - a.behindSec || a.entry.lastAccess - b.entry.lastAccess);
    return candidates.map((c) => c.entry);
  }

  /** Reallocate a segment of unknown size to hold `needed` bytes: doubling if room allows. */
  private grow(entry: Entry, needed: number, change: ChangeDraft): boolean {
    if (needed > this.maxBytes) return false;
    const old = entry.retainedBytes;
    const doubled = Math.min(this.maxBytes, Math.max(needed, old * 2, MIN_GROWTH_BYTES));
    for (const capacity of doubled > needed ? [doubled, needed] : [needed]) {
      if (!this.makeRoom(capacity - old, 0, change)) continue;
      const buffer = new Uint8Array(capacity);
      buffer.set(entry.buffer.subarray(0, entry.bytesAvailable));
      this.setBuffer(entry, buffer);
      return true;
    }
    return false;
  }

  /** A caller transferred the buffer behind a view we handed out: the bytes are gone. */
  private dropIfDetached(entry: Entry): boolean {
    if (entry.buffer.byteLength === entry.retainedBytes) return false;
    const change = newDraft();
    this.remove(entry, "dropped", change);
    this.emit(change);
    return true;
  }

  private setBuffer(entry: Entry, buffer: Uint8Array): void {
    this.bytes += buffer.byteLength - entry.retainedBytes;
    entry.buffer = buffer;
    entry.retainedBytes = buffer.byteLength;
  }

  private emit(change: ChangeDraft): void {
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    this.onChange?.(change);
  }
}
