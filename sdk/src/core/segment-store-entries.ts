// Pure helpers of the segment store: entry views, timing checks, eviction distance.
import { UNKNOWN_LENGTH } from "./availability.js";
import type {
  ChangeDraft,
  Entry,
  SegmentTiming,
  StoredAvailability,
  StoredSegment,
} from "./segment-store-types.js";

/** Seconds a segment lies past the keep-behind horizon, or 0 when it is not behind (or untimed). */
export function behindSec(entry: Entry, playheadSec: number | undefined, keepBehindSec: number): number {
  if (!entry.timing || playheadSec === undefined) return 0;
  const past = playheadSec - keepBehindSec - (entry.timing.startTimeSec + entry.timing.durationSec);
  return past > 0 ? past : 0;
}

/**
 * What peers are told of an entry: a complete copy not yet confirmed is one byte short of complete
 * (that byte is held back from uploads), one whose size nobody stated is of unknown size until
 * confirmed, and undefined when that leaves no byte to announce.
 */
export function availabilityOf(entry: Entry): StoredAvailability | undefined {
  const unsure = !entry.confirmed;
  const held = entry.complete && unsure && entry.lengthStated ? 1 : 0;
  const bytesAvailable = entry.bytesAvailable - held;
  if (bytesAvailable <= 0) return undefined;
  return {
    swarmKey: entry.swarmKey,
    segmentId: entry.segmentId,
    totalLength: unsure && !entry.lengthStated ? UNKNOWN_LENGTH : entry.totalLength,
    bytesAvailable,
    complete: entry.complete && entry.confirmed,
  };
}

export function snapshot(entry: Entry): StoredSegment {
  return {
    swarmKey: entry.swarmKey,
    segmentId: entry.segmentId,
    totalLength: entry.totalLength,
    bytesAvailable: entry.bytesAvailable,
    complete: entry.complete,
    confirmed: entry.confirmed,
    generation: entry.generation,
    lengthStated: entry.lengthStated,
    data: entry.buffer.subarray(0, entry.bytesAvailable),
    timing: entry.timing,
    retainedBytes: entry.retainedBytes,
  };
}

/** Records what peers are told changed in `entry` (added, or updated when it was announced before). */
export function noteChange(change: ChangeDraft, entry: Entry, wasAnnounced: boolean): void {
  const now = availabilityOf(entry);
  if (now) (wasAnnounced ? change.updated : change.added).push(now);
}

export function checkTiming(timing: SegmentTiming | undefined): void {
  if (!timing) return;
  if (
    !Number.isFinite(timing.startTimeSec) ||
    !Number.isFinite(timing.durationSec) ||
    timing.durationSec < 0
  ) {
    throw new RangeError(`bad segment timing ${JSON.stringify(timing)}`);
  }
}

export function newDraft(): ChangeDraft {
  return { added: [], updated: [], removed: [] };
}
