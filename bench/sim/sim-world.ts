// The shared state of one simulation run: the clock, randomness, streams, the board of
// announcements per swarm, the tracker's membership and the origin's counters.
import type { SegmentCounterMap } from "../lib/swarm-metrics.js";
import { AvailabilityBoard } from "./sim-availability.js";
import type { EventQueue } from "./event-queue.js";
import type { SimOptions } from "./sim-types.js";
import type { LiveStream } from "./stream-model.js";
import type { TrustCounters } from "./sim-trust.js";
import type { HttpDiagnosis } from "./http-diagnosis.js";

/** Bytes and requests the origin served, per rendition and per segment (the bench's ground truth). */
export class OriginCounters {
  readonly byRendition = new Map<string, { mediaBytes: number; segments: SegmentCounterMap }>();

  private of(rendition: string) {
    let r = this.byRendition.get(rendition);
    if (!r) this.byRendition.set(rendition, (r = { mediaBytes: 0, segments: {} }));
    return r;
  }

  request(rendition: string, msn: number): void {
    const r = this.of(rendition);
    const s = (r.segments[msn] ??= { bytes: 0, requests: 0 });
    s.requests++;
  }

  bytes(rendition: string, msn: number, bytes: number): void {
    const r = this.of(rendition);
    r.mediaBytes += bytes;
    const s = (r.segments[msn] ??= { bytes: 0, requests: 0 });
    s.bytes += bytes;
  }

  /** A deep copy, for the steady window's starting point. */
  snapshot(): Map<string, { mediaBytes: number; segments: SegmentCounterMap }> {
    const copy = new Map<string, { mediaBytes: number; segments: SegmentCounterMap }>();
    for (const [name, r] of this.byRendition) {
      const segments: SegmentCounterMap = {};
      for (const [k, v] of Object.entries(r.segments)) segments[k] = { ...v };
      copy.set(name, { mediaBytes: r.mediaBytes, segments });
    }
    return copy;
  }
}

/**
 * The tracker's membership, per swarm: an array for O(1) random picks and an index for O(1)
 * removal. The real tracker picks offer targets at random within the nearest tier
 * (demo-server/src/tracker/peer-selection.ts); simulated viewers share one tier, so a uniform
 * sample of the members is the same choice without a pass over 10,000 of them per announce.
 */
export class TrackerMembership<T extends { readonly index: number }> {
  private readonly members = new Map<string, { list: T[]; at: Map<number, number> }>();

  private swarm(key: string) {
    let s = this.members.get(key);
    if (!s) this.members.set(key, (s = { list: [], at: new Map() }));
    return s;
  }

  add(key: string, member: T): void {
    const s = this.swarm(key);
    if (s.at.has(member.index)) return;
    s.at.set(member.index, s.list.length);
    s.list.push(member);
  }

  remove(key: string, member: T): void {
    const s = this.members.get(key);
    const i = s?.at.get(member.index);
    if (s === undefined || i === undefined) return;
    const last = s.list.pop()!;
    if (last !== member) {
      s.list[i] = last;
      s.at.set(last.index, i);
    }
    s.at.delete(member.index);
  }

  count(key: string): number {
    return this.members.get(key)?.list.length ?? 0;
  }

  /** Up to `count` distinct members other than `self`, uniformly at random. */
  pick(key: string, self: T, count: number, random: () => number): T[] {
    const list = this.members.get(key)?.list ?? [];
    const others = list.length - (this.members.get(key)?.at.has(self.index) ? 1 : 0);
    const want = Math.min(count, others);
    const chosen = new Set<T>();
    if (want <= 0) return [];
    if (want * 3 >= list.length) {
      const pool = list.filter((m) => m !== self);
      for (let i = 0; i < want; i++) {
        const j = i + Math.floor(random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        chosen.add(pool[i]!);
      }
      return [...chosen];
    }
    while (chosen.size < want) {
      const m = list[Math.floor(random() * list.length)]!;
      if (m !== self) chosen.add(m);
    }
    return [...chosen];
  }
}

export interface World<V extends { readonly index: number }> {
  readonly queue: EventQueue;
  readonly random: () => number;
  readonly options: SimOptions;
  readonly streams: ReadonlyMap<string, LiveStream>;
  readonly boards: ReadonlyMap<string, AvailabilityBoard>;
  readonly tracker: TrackerMembership<V>;
  readonly origin: OriginCounters;
  /** What verifying peer bytes cost the origin (spot checks, the digest service's fetches). */
  readonly trust: TrustCounters;
  /** SIM_DIAG=1: every HTTP decision with the swarm's state then (http-diagnosis.ts). */
  readonly diag?: HttpDiagnosis;
}

export function createBoards(renditions: Iterable<string>): Map<string, AvailabilityBoard> {
  return new Map([...renditions].map((r) => [r, new AvailabilityBoard()]));
}
