import { isUint32, UNKNOWN_LENGTH, type SegmentAvailability } from "./availability.js";
import { availabilityOf, checkTiming, newDraft, noteChange, snapshot } from "./segment-store-entries.js";
import { SegmentTable } from "./segment-store-table.js";
import type {
  AppendResult,
  ChangeDraft,
  Entry,
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
 * With `requireConfirmation`, a complete segment is shared whole only once {@link confirm}ed: until
 * then peers are told of it as one byte short, and uploads hold that byte back (see uploader.ts).
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
  readonly requireConfirmation: boolean;
  private readonly onChange: ((change: SegmentStoreChange) => void) | undefined;
  private readonly table = new SegmentTable();
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
    this.requireConfirmation = options.requireConfirmation ?? false;
    this.onChange = options.onChange;
  }

  /** Bytes charged to the budget (always ≤ maxBytes). */
  get totalBytes(): number {
    return this.table.totalBytes;
  }

  /** Segments held, partial ones included. */
  get size(): number {
    return this.table.size;
  }

  /**
   * Store a complete segment, replacing a partial one with the same key. `data` is copied: the
   * store owns its bytes, so a caller that later mutates or transfers its buffer cannot corrupt
   * them. `confirmed` (default: not `requireConfirmation`) shares it whole at once. False when
   * empty, larger than the budget, or no room can be made.
   */
  put(
    swarmKey: string,
    segmentId: string,
    data: Uint8Array,
    timing?: SegmentTiming,
    options: { confirmed?: boolean } = {},
  ): boolean {
    checkTiming(timing);
    const confirmed = options.confirmed ?? !this.requireConfirmation;
    if (this.destroyed || data.byteLength === 0 || data.byteLength > this.maxBytes) return false;
    const existing = this.table.find(swarmKey, segmentId);
    if (existing?.complete) {
      this.table.touch(existing);
      if (confirmed) this.confirm(swarmKey, segmentId);
      return true;
    }
    const change = newDraft();
    const extraBytes = data.byteLength - (existing?.retainedBytes ?? 0);
    // Only complete segments are evicted, so `existing` survives making room.
    if (!this.makeRoom(extraBytes, existing ? 0 : 1, change)) return false;
    const owned = data.slice();
    const wasAnnounced = existing !== undefined && availabilityOf(existing) !== undefined;
    const entry = existing ?? this.table.insert(swarmKey, segmentId, timing, owned, confirmed, true);
    this.table.setBuffer(entry, owned);
    entry.timing = timing ?? entry.timing;
    entry.bytesAvailable = entry.totalLength = owned.byteLength;
    entry.complete = true;
    entry.confirmed = confirmed;
    entry.lengthStated = true;
    this.table.touch(entry);
    noteChange(change, entry, wasAnnounced);
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
    if (this.destroyed || totalLength > this.maxBytes || this.table.find(swarmKey, segmentId)) return false;
    const change = newDraft();
    if (!this.makeRoom(totalLength, 1, change)) return false;
    const confirmed = !this.requireConfirmation;
    this.table.insert(swarmKey, segmentId, timing, new Uint8Array(totalLength), confirmed, totalLength > 0);
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
    const entry = this.destroyed ? undefined : this.table.find(swarmKey, segmentId);
    if (!entry || this.dropIfDetached(entry)) return "not-found";
    if (entry.complete) return "already-complete";
    if (offset > entry.bytesAvailable) return "gap";
    if (offset < entry.bytesAvailable) return "overlap";
    const end = offset + chunk.byteLength;
    if (entry.totalLength !== UNKNOWN_LENGTH && end > entry.totalLength) return "past-end";
    if (chunk.byteLength === 0) return "appended";
    const change = newDraft();
    if (end > entry.retainedBytes && !this.grow(entry, end, change)) {
      this.table.remove(entry, "dropped", change);
      this.emit(change);
      return "over-budget";
    }
    const wasAnnounced = availabilityOf(entry) !== undefined;
    entry.buffer.set(chunk, offset);
    entry.bytesAvailable = end;
    entry.complete = end === entry.totalLength;
    noteChange(change, entry, wasAnnounced);
    this.emit(change);
    return entry.complete ? "completed" : "appended";
  }

  /**
   * Mark a segment of unknown size complete at the bytes received, releasing spare capacity.
   * True if the segment is now complete; false if absent, empty, or short of its known size.
   */
  finish(swarmKey: string, segmentId: string): boolean {
    const entry = this.destroyed ? undefined : this.table.find(swarmKey, segmentId);
    if (!entry || this.dropIfDetached(entry)) return false;
    if (entry.complete) return true;
    if (entry.totalLength !== UNKNOWN_LENGTH || entry.bytesAvailable === 0) return false;
    const wasAnnounced = availabilityOf(entry) !== undefined;
    this.table.setBuffer(entry, entry.buffer.slice(0, entry.bytesAvailable));
    entry.totalLength = entry.bytesAvailable;
    entry.complete = true;
    const change = newDraft();
    noteChange(change, entry, wasAnnounced);
    this.emit(change);
    return true;
  }

  /**
   * The whole copy of a segment checks out (its length, or its bytes, against an authority: see
   * core/copy-confirmation.ts): peers are told it is complete, and uploads send its last byte. True
   * when the segment is now confirmed; false if it is absent or not complete.
   */
  confirm(swarmKey: string, segmentId: string): boolean {
    const entry = this.destroyed ? undefined : this.table.find(swarmKey, segmentId);
    if (!entry || this.dropIfDetached(entry) || !entry.complete) return false;
    if (entry.confirmed) return true;
    const wasAnnounced = availabilityOf(entry) !== undefined;
    entry.confirmed = true;
    const change = newDraft();
    noteChange(change, entry, wasAnnounced);
    this.emit(change);
    return true;
  }

  /** The segment if it has at least one byte; counts as a use for LRU eviction. */
  get(swarmKey: string, segmentId: string): StoredSegment | undefined {
    const entry = this.table.find(swarmKey, segmentId);
    if (!entry || entry.bytesAvailable === 0) return undefined;
    if (this.dropIfDetached(entry)) return undefined;
    this.table.touch(entry);
    return snapshot(entry);
  }

  /** Whether {@link get} would return the segment; not a use. */
  has(swarmKey: string, segmentId: string): boolean {
    return (this.table.find(swarmKey, segmentId)?.bytesAvailable ?? 0) > 0;
  }

  /** Remove a segment, partial or complete (e.g. an abandoned download). True if it was held. */
  delete(swarmKey: string, segmentId: string): boolean {
    const entry = this.table.find(swarmKey, segmentId);
    if (!entry) return false;
    const change = newDraft();
    this.table.remove(entry, "deleted", change);
    this.emit(change);
    return true;
  }

  /** Availability of every segment of a swarm with at least one byte: the full map for a new peer. */
  list(swarmKey: string): SegmentAvailability[] {
    return this.table.list(swarmKey);
  }

  /** Every segment held, partial ones included, for stats and debugging; not a use. */
  entries(): StoredSegment[] {
    return this.table.entries();
  }

  /**
   * Tell the store where playback is. Without `swarmKey` it applies to every swarm that has no
   * playhead of its own (renditions of one stream share a timeline). Takes effect at the next
   * eviction; it evicts nothing by itself.
   */
  setPlayhead(positionSec: number, swarmKey?: string): void {
    if (!Number.isFinite(positionSec)) throw new RangeError(`positionSec must be finite, got ${positionSec}`);
    this.table.setPlayhead(positionSec, swarmKey);
  }

  /** Free everything. Idempotent; no change is reported, and later writes are refused. */
  destroy(): void {
    this.destroyed = true;
    this.table.clear();
  }

  /**
   * Evict complete segments until `extraBytes` and `extraEntries` more fit. Plans first: when
   * eviction cannot make enough room, nothing is evicted and the answer is false.
   */
  private makeRoom(extraBytes: number, extraEntries: number, change: ChangeDraft): boolean {
    let bytes = this.table.totalBytes + extraBytes;
    let count = this.table.size + extraEntries;
    const fits = (): boolean => bytes <= this.maxBytes && count <= this.maxEntries;
    if (fits()) return true;
    const victims: Entry[] = [];
    for (const entry of this.table.evictionOrder(this.keepBehindSec)) {
      if (fits()) break;
      victims.push(entry);
      bytes -= entry.retainedBytes;
      count -= 1;
    }
    if (!fits()) return false;
    for (const victim of victims) this.table.remove(victim, "evicted", change);
    return true;
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
      this.table.setBuffer(entry, buffer);
      return true;
    }
    return false;
  }

  /** A caller transferred the buffer behind a view we handed out: the bytes are gone. */
  private dropIfDetached(entry: Entry): boolean {
    if (entry.buffer.byteLength === entry.retainedBytes) return false;
    const change = newDraft();
    this.table.remove(entry, "dropped", change);
    this.emit(change);
    return true;
  }

  private emit(change: ChangeDraft): void {
    if (change.added.length + change.updated.length + change.removed.length === 0) return;
    this.onChange?.(change);
  }
}
