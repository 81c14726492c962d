// What each simulated viewer has told its neighbours about one segment, and what a neighbour can
// know of it at a given moment. Instead of copying every availability delta and `fetching`
// announcement into every neighbour's map (as the SDK's Peer does, message by message), a holder
// records when it announced what, once; a neighbour reads that record through the link's latency.
// With ordered, reliable channels and a fixed latency per link this gives exactly what the
// neighbour's Peer.canServe (sdk/src/p2p/peer.ts) would answer at that moment.
import { canServe } from "../../sdk/src/p2p/can-serve.js";

/** A holder's announcements about one segment, in the holder's clock (ms); -1 = never. */
export interface HolderRecord {
  /** `fetching` broadcast (an HTTP download started). */
  fetchingAt: number;
  /** `fetch-cancelled` broadcast. */
  cancelledAt: number;
  /** First bytes stored: announced as a partial segment (availability-delta "added"). */
  addedAt: number;
  /** Segment complete: announced complete. */
  completeAt: number;
  /** Evicted or deleted from the store: announced removed. */
  removedAt: number;
  /** Size of the segment in bytes (known from the first byte on: every response has a length). */
  totalBytes: number;
}

/** How a neighbour sees one holder: the link's one-way latency and when it was established. */
export interface LinkView {
  readonly latencyMs: number;
  /** When the holder added this peer (availability-full sent then; later deltas follow it). */
  readonly connectedAtMs: number;
}

export function newHolderRecord(): HolderRecord {
  return { fetchingAt: -1, cancelledAt: -1, addedAt: -1, completeAt: -1, removedAt: -1, totalBytes: 0 };
}

/**
 * What the neighbour's view of the holder says about the segment at `nowMs`, as Peer.canServe:
 * "complete", "fetching" (partial bytes announced, or a `fetching` announcement younger than
 * FETCHING_TTL_MS), or undefined. Store state from before the link existed arrives with the
 * availability-full map at connection time; `fetching` announcements before it are never seen
 * (they are broadcast to the peers connected at that moment only). An `absent` reply makes the
 * neighbour forget what it heard before it.
 */
export function visibleState(
  rec: HolderRecord | undefined,
  nowMs: number,
  link: LinkView,
  /** When this viewer last received `absent` from the holder for the segment; -Infinity if never. */
  absentAtMs = Number.NEGATIVE_INFINITY,
): "complete" | "fetching" | undefined {
  if (rec === undefined) return undefined;
  const { latencyMs, connectedAtMs } = link;
  const arrival = (sentMs: number) => (sentMs < 0 ? Infinity : Math.max(sentMs, connectedAtMs) + latencyMs);
  // The neighbour's availability entry: there from the first delta until the removal arrives, and
  // forgotten on an `absent` (what arrived before it no longer counts).
  const added = arrival(rec.addedAt);
  let entry: { complete: boolean } | undefined;
  if (arrival(rec.removedAt) > nowMs) {
    const complete = arrival(rec.completeAt);
    if (complete <= nowMs && complete > absentAtMs) entry = COMPLETE;
    else if (added <= nowMs && added > absentAtMs) entry = PARTIAL;
  }
  return canServe(entry, added <= nowMs ? undefined : fetchingHeardMs(rec, nowMs, link, absentAtMs), nowMs);
}

const COMPLETE = { complete: true };
const PARTIAL = { complete: false };

/**
 * When the holder's `fetching` note reached the neighbour, while it stands: sent after the link was
 * up (it goes to the peers connected then), arrived by now, after any `absent`, not cancelled since.
 * An availability entry, once received, replaces it (Peer.addAvailability): the caller checks that.
 */
function fetchingHeardMs(
  rec: HolderRecord,
  nowMs: number,
  link: LinkView,
  absentAtMs: number,
): number | undefined {
  if (rec.fetchingAt < 0 || rec.fetchingAt < link.connectedAtMs) return undefined;
  const heard = rec.fetchingAt + link.latencyMs;
  if (heard > nowMs || heard <= absentAtMs) return undefined;
  if (rec.cancelledAt >= rec.fetchingAt && rec.cancelledAt + link.latencyMs <= nowMs) return undefined;
  return heard;
}

/** The announced size, if the neighbour has heard one (Swarm.announcedLength). */
export function visibleLength(
  rec: HolderRecord | undefined,
  nowMs: number,
  link: LinkView,
  absentAtMs = Number.NEGATIVE_INFINITY,
): number | undefined {
  if (rec === undefined || rec.addedAt < 0) return undefined;
  const arrival = Math.max(rec.addedAt, link.connectedAtMs) + link.latencyMs;
  return arrival <= nowMs && arrival > absentAtMs ? rec.totalBytes : undefined;
}

/**
 * Every holder's records for one swarm, by segment, so records of segments that left the live
 * window can be dropped wholesale (memory stays bounded by window × viewers).
 */
export class AvailabilityBoard {
  private readonly bySegment = new Map<number, Map<number, HolderRecord>>();

  get(msn: number, holder: number): HolderRecord | undefined {
    return this.bySegment.get(msn)?.get(holder);
  }

  /** The holder's record for the segment, created empty on first use. */
  record(msn: number, holder: number): HolderRecord {
    let holders = this.bySegment.get(msn);
    if (!holders) this.bySegment.set(msn, (holders = new Map()));
    let rec = holders.get(holder);
    if (!rec) holders.set(holder, (rec = newHolderRecord()));
    return rec;
  }

  /** Forget every segment below `msn`. */
  pruneBelow(msn: number): void {
    for (const key of this.bySegment.keys()) if (key < msn) this.bySegment.delete(key);
  }

  get segments(): number {
    return this.bySegment.size;
  }
}
