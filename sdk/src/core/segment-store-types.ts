// The shapes of the segment store (sdk/src/core/segment-store.ts): what callers see, what it keeps.
import type { SegmentAvailability } from "./availability.js";

/** Where a segment sits on the media timeline; decides whether it is behind the playhead. */
export interface SegmentTiming {
  readonly startTimeSec: number;
  readonly durationSec: number;
}

export interface StoredAvailability extends SegmentAvailability {
  readonly swarmKey: string;
}

export interface RemovedSegment {
  readonly swarmKey: string;
  readonly segmentId: string;
  /**
   * evicted: to make room; deleted: by the caller; dropped: its bytes were lost (a segment of
   * unknown size outgrew the budget, or a caller transferred its buffer away).
   */
  readonly reason: "evicted" | "deleted" | "dropped";
}

/**
 * What one store call changed in what peers can be told. Only segments with at least one byte
 * count as available: `begin` alone announces nothing, the first `append` does.
 */
export interface SegmentStoreChange {
  /** Became available. */
  readonly added: readonly StoredAvailability[];
  /** Were available and now have more bytes, or became complete. */
  readonly updated: readonly StoredAvailability[];
  /** Were available and are gone. Listed before the additions they made room for. */
  readonly removed: readonly RemovedSegment[];
}

export interface StoredSegment extends StoredAvailability {
  /**
   * The copy may be shared whole: see {@link SegmentStore.confirm}. Until then peers are told of it
   * as one byte short of complete, and uploads hold its last byte back.
   */
  readonly confirmed: boolean;
  /** Tells copies of one segment apart: a segment deleted and stored again gets a new generation. */
  readonly generation: number;
  /**
   * The size was known when the copy began (`begin` with a length, `put`), not only learned when its
   * bytes ended (`finish`). A copy of a size nobody stated is not shared at all before it is confirmed.
   */
  readonly lengthStated: boolean;
  /**
   * Bytes [0, bytesAvailable): a view into the store's memory, still valid after eviction. Never
   * mutate it or transfer its buffer; copy it (`slice()`) before handing it to code that may, such
   * as hls.js, which transfers fragment buffers to its transmuxing worker.
   */
  readonly data: Uint8Array;
  readonly timing: SegmentTiming | undefined;
  /** Bytes charged to the budget: the whole length of a partial segment of known size. */
  readonly retainedBytes: number;
}

export type AppendResult =
  | "appended"
  | "completed"
  | "not-found"
  | "already-complete"
  | "gap"
  | "overlap"
  | "past-end"
  | "over-budget";

export interface SegmentStoreOptions {
  /** Budget for segment bytes; never exceeded. */
  maxBytes: number;
  /** Segments that ended this long before the playhead are evicted first. @default 30 */
  keepBehindSec?: number;
  /** Most segments held at once, so zero-byte or tiny entries cannot grow the maps unbounded. @default 10000 */
  maxEntries?: number;
  /**
   * Complete segments are shared with peers only once confirmed ({@link SegmentStore.confirm}, or
   * `put` with `confirmed`); otherwise every complete segment counts as confirmed. @default false
   */
  requireConfirmation?: boolean;
  /** Called synchronously once per store call that changed availability, after the change. */
  onChange?: (change: SegmentStoreChange) => void;
}

export interface Entry {
  readonly swarmKey: string;
  readonly segmentId: string;
  timing: SegmentTiming | undefined;
  /** Longer than bytesAvailable while partial: a known size is reserved, an unknown one grows. */
  buffer: Uint8Array;
  /**
   * What the entry is charged, kept apart from `buffer.byteLength` so that a buffer detached by
   * a transfer (see {@link StoredSegment.data}) is detected rather than corrupting the count.
   */
  retainedBytes: number;
  bytesAvailable: number;
  totalLength: number;
  complete: boolean;
  confirmed: boolean;
  readonly generation: number;
  lengthStated: boolean;
  lastAccess: number;
}

export interface ChangeDraft {
  added: StoredAvailability[];
  updated: StoredAvailability[];
  removed: RemovedSegment[];
}
