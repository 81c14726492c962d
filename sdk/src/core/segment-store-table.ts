// The segment store's bookkeeping (sdk/src/core/segment-store.ts): entries by swarm and segment id,
// the bytes and entries they are charged, recency for LRU, playheads, and the eviction order.
import type { SegmentAvailability } from "./availability.js";
import { availabilityOf, behindSec, snapshot } from "./segment-store-entries.js";
import type {
  ChangeDraft,
  Entry,
  RemovedSegment,
  SegmentTiming,
  StoredSegment,
} from "./segment-store-types.js";

/**
 * Segments keyed by (swarmKey, segmentId), and what they cost. It enforces no budget: the store
 * decides what goes in and what is evicted.
 */
export class SegmentTable {
  private readonly swarms = new Map<string, Map<string, Entry>>();
  private readonly playheads = new Map<string, number>();
  private defaultPlayheadSec: number | undefined;
  private bytes = 0;
  private count = 0;
  private clock = 0;
  private generations = 0;

  /** Bytes charged: the retained buffers of every entry. */
  get totalBytes(): number {
    return this.bytes;
  }

  /** Entries held, partial ones included. */
  get size(): number {
    return this.count;
  }

  find(swarmKey: string, segmentId: string): Entry | undefined {
    return this.swarms.get(swarmKey)?.get(segmentId);
  }

  /** Adds the entry to the maps and charges its buffer. */
  insert(
    swarmKey: string,
    segmentId: string,
    timing: SegmentTiming | undefined,
    buffer: Uint8Array,
    confirmed: boolean,
    lengthStated: boolean,
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
      confirmed,
      generation: ++this.generations,
      lengthStated,
      lastAccess: ++this.clock,
    };
    let swarm = this.swarms.get(swarmKey);
    if (!swarm) this.swarms.set(swarmKey, (swarm = new Map()));
    swarm.set(segmentId, entry);
    this.count += 1;
    this.bytes += buffer.byteLength;
    return entry;
  }

  remove(entry: Entry, reason: RemovedSegment["reason"], change: ChangeDraft): void {
    const swarm = this.swarms.get(entry.swarmKey);
    swarm?.delete(entry.segmentId);
    if (swarm?.size === 0) this.swarms.delete(entry.swarmKey);
    this.bytes -= entry.retainedBytes;
    this.count -= 1;
    if (availabilityOf(entry)) {
      change.removed.push({ swarmKey: entry.swarmKey, segmentId: entry.segmentId, reason });
    }
  }

  touch(entry: Entry): void {
    entry.lastAccess = ++this.clock;
  }

  setBuffer(entry: Entry, buffer: Uint8Array): void {
    this.bytes += buffer.byteLength - entry.retainedBytes;
    entry.buffer = buffer;
    entry.retainedBytes = buffer.byteLength;
  }

  /** Without `swarmKey`, the playhead of every swarm that has none of its own. */
  setPlayhead(positionSec: number, swarmKey?: string): void {
    if (swarmKey === undefined) this.defaultPlayheadSec = positionSec;
    else this.playheads.set(swarmKey, positionSec);
  }

  /** Complete segments, furthest behind the playhead first, then least recently used. */
  evictionOrder(keepBehindSec: number): Entry[] {
    const candidates: { entry: Entry; behindSec: number }[] = [];
    for (const [swarmKey, swarm] of this.swarms) {
      const playhead = this.playheads.get(swarmKey) ?? this.defaultPlayheadSec;
      for (const entry of swarm.values()) {
        if (entry.complete) candidates.push({ entry, behindSec: behindSec(entry, playhead, keepBehindSec) });
      }
    }
    candidates.sort((a, b) => b.behindSec - a.behindSec || a.entry.lastAccess - b.entry.lastAccess);
    return candidates.map((c) => c.entry);
  }

  /** What peers are told of every segment of a swarm that has a byte to announce. */
  list(swarmKey: string): SegmentAvailability[] {
    const swarm = this.swarms.get(swarmKey);
    if (!swarm) return [];
    const list: SegmentAvailability[] = [];
    for (const entry of swarm.values()) {
      const announced = availabilityOf(entry);
      if (!announced) continue;
      const { segmentId, totalLength, bytesAvailable, complete } = announced;
      list.push({ segmentId, totalLength, bytesAvailable, complete });
    }
    return list;
  }

  /** Every entry, partial ones included. */
  entries(): StoredSegment[] {
    const all: StoredSegment[] = [];
    for (const swarm of this.swarms.values()) for (const entry of swarm.values()) all.push(snapshot(entry));
    return all;
  }

  /** Forget every entry and every swarm's own playhead. */
  clear(): void {
    this.swarms.clear();
    this.playheads.clear();
    this.bytes = 0;
    this.count = 0;
  }
}
