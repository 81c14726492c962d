// Pure helpers of the segment store: entry views, timing checks, eviction distance.
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

export function availabilityOf(entry: Entry): StoredAvailability {
  return {
    swarmKey: entry.swarmKey,
    segmentId: entry.segmentId,
    totalLength: entry.totalLength,
    bytesAvailable: entry.bytesAvailable,
    complete: entry.complete,
  };
}

export function snapshot(entry: Entry): StoredSegment {
  return {
    ...availabilityOf(entry),
    data: entry.buffer.subarray(0, entry.bytesAvailable),
    timing: entry.timing,
    retainedBytes: entry.retainedBytes,
  };
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
