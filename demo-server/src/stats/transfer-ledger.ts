// Both sides of every P2P transfer, held against each other: bytes a viewer says it received from a
// peer count only once that peer says it sent them, and the other way round. One forged report
// therefore cannot add P2P bytes (or uploads) to the figures; it takes two admitted sessions that
// both lie, and each stays within its own rate cap. Pure: the caller passes the time.
import { MAX_TRANSFER_PAIRS, TRANSFER_PAIR_IDLE_MS } from "./constants.js";

/** One side's account of a transfer in one swarm, from a report with a valid session. */
export interface TransferClaim {
  /** The swarm (40 hex) and the stream and rendition its key was made of. */
  infoHash: string;
  streamId: string;
  rendition: string;
  /** The reporting viewer's peer_id (from its session) and the other peer's, 40 hex each. */
  self: string;
  peer: string;
  /** Bytes `self` says it received from `peer`, and sent to it, since its previous report. */
  receivedBytes: number;
  sentBytes: number;
}

/** Bytes confirmed by both sides: P2P bytes received and uploaded in one rendition's swarm. */
export interface TransferCredit {
  streamId: string;
  rendition: string;
  bytes: number;
  /** When the earlier of the two claims arrived: the credit is spread from there to now. */
  sinceMs: number;
}

interface Pair {
  streamId: string;
  rendition: string;
  /** As claimed by the sender and by the receiver, cumulative. */
  sent: number;
  received: number;
  confirmed: number;
  /** When the oldest unconfirmed bytes of either side arrived. */
  pendingSinceMs: number;
  lastMs: number;
}

export class TransferLedger {
  /** Cumulative bytes claimed by one side only, dropped when the pair went idle or was evicted. */
  readonly unconfirmed = { received: 0, sent: 0 };
  /** `${infoHash}:${sender}>${receiver}`, least recently updated first. */
  private readonly pairs = new Map<string, Pair>();

  constructor(
    private readonly maxPairs = MAX_TRANSFER_PAIRS,
    private readonly idleMs = TRANSFER_PAIR_IDLE_MS,
  ) {}

  get size(): number {
    return this.pairs.size;
  }

  /** Bytes one side claimed that the other has not confirmed yet (they may still be). */
  get awaitingBytes(): number {
    let total = 0;
    for (const pair of this.pairs.values()) total += Math.max(pair.sent, pair.received) - pair.confirmed;
    return total;
  }

  /** Records one claim; returns what it confirmed (0, 1 or 2 credits: what self received, what it sent). */
  record(claim: TransferClaim, nowMs: number): TransferCredit[] {
    const credits: TransferCredit[] = [];
    if (claim.receivedBytes > 0) {
      const pair = this.pair(claim, claim.peer, claim.self, nowMs);
      pair.received += claim.receivedBytes;
      this.confirm(pair, nowMs, credits);
    }
    if (claim.sentBytes > 0) {
      const pair = this.pair(claim, claim.self, claim.peer, nowMs);
      pair.sent += claim.sentBytes;
      this.confirm(pair, nowMs, credits);
    }
    return credits;
  }

  /** Forgets pairs idle for `idleMs`; what only one side claimed is counted in `unconfirmed`. */
  sweep(nowMs: number): void {
    for (const [key, pair] of this.pairs) {
      if (nowMs - pair.lastMs <= this.idleMs) break; // the rest were updated later
      this.drop(key, pair);
    }
  }

  private pair(claim: TransferClaim, sender: string, receiver: string, nowMs: number): Pair {
    const key = `${claim.infoHash}:${sender}>${receiver}`;
    let pair = this.pairs.get(key);
    if (pair === undefined) {
      pair = {
        streamId: claim.streamId,
        rendition: claim.rendition,
        sent: 0,
        received: 0,
        confirmed: 0,
        pendingSinceMs: nowMs,
        lastMs: nowMs,
      };
      if (this.pairs.size >= this.maxPairs) {
        const [oldestKey, oldest] = this.pairs.entries().next().value as [string, Pair];
        this.drop(oldestKey, oldest);
      }
    } else {
      this.pairs.delete(key); // re-inserted below: the order is least recently updated first
      if (pair.sent === pair.confirmed && pair.received === pair.confirmed) pair.pendingSinceMs = nowMs;
    }
    pair.lastMs = nowMs;
    this.pairs.set(key, pair);
    return pair;
  }

  private confirm(pair: Pair, nowMs: number, credits: TransferCredit[]): void {
    const bytes = Math.min(pair.sent, pair.received) - pair.confirmed;
    if (bytes <= 0) return;
    pair.confirmed += bytes;
    credits.push({ streamId: pair.streamId, rendition: pair.rendition, bytes, sinceMs: pair.pendingSinceMs });
    pair.pendingSinceMs = nowMs;
  }

  private drop(key: string, pair: Pair): void {
    this.pairs.delete(key);
    this.unconfirmed.received += pair.received - pair.confirmed;
    this.unconfirmed.sent += pair.sent - pair.confirmed;
  }
}
