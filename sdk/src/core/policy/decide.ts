/**
 * One decision for a segment from a snapshot: ask a peer (which, for how long), wait for peers, or go
 * to HTTP. Pure; {@link LoadPolicy} feeds it and turns its answer into actions.
 *
 * The rules, in order:
 * 1. A connected peer that holds the whole segment is asked (of several, first those whose measured
 *    throughput delivers the segment within the try, then the fastest), for the slack (deadline −
 *    expected HTTP time − safety margin) while that is at least half the margin. With a shorter buffer it is
 *    still tried, for half the margin while the slack is positive and for the hedged budget
 *    (slack + half the margin) below that, so that at least half the margin is always kept and a
 *    longer buffer never gives a shorter try; where the slack alone is under
 *    {@link MIN_HEDGE_BUDGET_MS}, not if it was measured too slow for the budget.
 *    With an empty buffer (start-up, a seek, a stall: the player waits, the deadline is now) there is
 *    no slack at all; a holder is still asked when it can beat HTTP, for the time HTTP is expected to
 *    take (see {@link decideEmptyBuffer}).
 * 2. A peer that is downloading the segment right now (it announced `fetching`) is asked too, with
 *    the same budgets (no speed check: its speed is its own download's; of several, first those not
 *    measured too slow for the try, then the one heard from first): it streams chunks to us as
 *    they reach it, so the swarm fetches each new live segment from the CDN about once. Bytes it has
 *    passed on are not fetched again (HTTP resumes with a Range), where going straight to HTTP is one
 *    more CDN fetch of the same bytes.
 * 3. A viewer that just joined a swarm the tracker says has other viewers, but whose first peer
 *    connection is not up yet, waits for it within the hedged budget: start-up is where a viewer
 *    would otherwise fetch its first segments from the CDN although peers hold them all.
 * 4. A new live segment nobody around us has announced: hold for a moment (see waits.ts) before
 *    becoming one more CDN fetch, so that one viewer goes first and the others take it from it.
 * 5. Otherwise HTTP, at once.
 */
import type { PlaybackState } from "../types.js";
import {
  AFTER_HTTP_FAILURE_PEER_BUDGET_MS,
  DEFAULT_HTTP_BANDWIDTH_BPS,
  MIN_HEDGE_BUDGET_MS,
  MIN_PEER_TRY_MS,
} from "./constants.js";

export interface PeerCandidate {
  peerId: string;
  /** The peer holds every byte of the segment. */
  complete: boolean;
  /** The peer is receiving the segment now and will stream it on. */
  fetching: boolean;
  /** Measured delivery throughput from this peer, bytes per second; 0 = not measured yet. */
  throughputBytesPerSec: number;
  /** Requests we have outstanding to this peer. */
  pendingRequests: number;
  /** Random, breaks ties so that viewers spread their requests over equally good peers. */
  tieBreak?: number;
  /**
   * When the `fetching` note of this peer reached us (ms, any clock shared by the candidates of one
   * call); undefined when unknown. Of several fetchers the one heard from first is asked first: a
   * neighbour that takes the segment from the CDN's fetcher announces only after it heard of that
   * fetch, so its note tends to arrive later.
   */
  fetchingSinceMs?: number;
}

export interface ScheduleInput {
  segmentBytesEstimate: number;
  /** Milliseconds until the player needs this segment (buffered media ahead / rate). */
  deadlineMs: number;
  httpBandwidthBps: number;
  httpFirstByteMs: number;
  safetyMarginMs: number;
  candidates: readonly PeerCandidate[];
  /** Peers that already failed for this segment: never asked again for it. */
  failedPeers: ReadonlySet<string>;
  /** No peer connected yet, but the tracker reported others in the swarm: connections are coming. */
  awaitingFirstPeer: boolean;
  live: boolean;
  connectedPeers: number;
  /** What is left of this viewer's new-segment hold for this segment (see waits.ts). */
  holdLeftMs: number;
}

export type Decision =
  | { kind: "p2p"; peerId: string; budgetMs: number; reason: "complete" | "fetching" }
  | { kind: "wait"; maxWaitMs: number; reason: "awaiting-first-peer" | "new-segment-hold" }
  | { kind: "http"; reason: "no-peer-has-it" | "no-time" | "p2p-disabled" };

/**
 * Milliseconds until the player needs more data: the media buffered ahead at the playback rate, or
 * 0 while it is waiting (starting up or stalled: whatever it waits for is due now).
 */
export function playbackDeadlineMs(playback: PlaybackState | undefined): number {
  if (!playback || playback.waiting) return 0;
  return (playback.bufferedAheadSec * 1000) / (playback.playbackRate || 1);
}

/** Expected time to fetch `bytes` over HTTP, ms (throughput 0 = not measured: the default assumed). */
export function expectedHttpMs(bytes: number, bandwidthBps: number, firstByteMs: number): number {
  const bps = bandwidthBps > 0 ? bandwidthBps : DEFAULT_HTTP_BANDWIDTH_BPS;
  return firstByteMs + ((bytes * 8) / bps) * 1000;
}

/** The segment's transfer time from `peer` at its measured throughput, ms; 0 when not measured. */
function peerTransferMs(input: ScheduleInput, peer: PeerCandidate): number {
  const bps = peer.throughputBytesPerSec;
  return bps > 0 ? (input.segmentBytesEstimate / bps) * 1000 : 0;
}

/**
 * Time we may spend on peers and still have the HTTP fallback arrive before the deadline, ms:
 * deadline − expected HTTP time − safety margin. Negative when the buffer is shorter than that.
 */
export function slackOf(input: ScheduleInput): number {
  const httpMs = expectedHttpMs(input.segmentBytesEstimate, input.httpBandwidthBps, input.httpFirstByteMs);
  return input.deadlineMs - httpMs - input.safetyMarginMs;
}

export function decide(input: ScheduleInput): Decision {
  const slackMs = slackOf(input);
  const halfMarginMs = input.safetyMarginMs / 2;
  // Short buffer (start-up, after a seek, a slow link): a try that keeps half the margin.
  const hedgeBudgetMs = slackMs + halfMarginMs;
  const usable = input.candidates.filter((c) => !input.failedPeers.has(c.peerId));

  // What a peer try may take: the slack, but never less than half the margin while the slack is
  // positive, and the hedged budget once it is not — so a longer buffer never means a shorter try.
  const peerBudgetMs = slackMs >= 0 ? Math.max(slackMs, halfMarginMs) : hedgeBudgetMs;
  // Holders measured fast enough to deliver the segment within the try come first: a peer behind a
  // slow uplink is asked only when no other holds it (and then may still bring part of it).
  const inTime = (c: PeerCandidate) =>
    c.throughputBytesPerSec <= 0 || peerTransferMs(input, c) <= peerBudgetMs;
  const holders = usable.filter((c) => c.complete).sort(inTimeFirst(inTime, byScore));
  const best = holders[0];
  if (best) {
    // Where the slack alone would not allow a try, a holder measured too slow for it is not asked.
    const p2pMs =
      slackMs < MIN_HEDGE_BUDGET_MS && best.throughputBytesPerSec > 0
        ? peerTransferMs(input, best)
        : undefined;
    if (peerBudgetMs >= MIN_HEDGE_BUDGET_MS && (p2pMs === undefined || p2pMs * 2 < peerBudgetMs)) {
      return { kind: "p2p", peerId: best.peerId, budgetMs: peerBudgetMs, reason: "complete" };
    }
    if (input.deadlineMs <= 0) return decideEmptyBuffer(input, best);
    return { kind: "http", reason: "no-time" };
  }

  // A fetcher's speed is that of its own download, not measured here: no speed check.
  const fetcher = usable.filter((c) => c.fetching).sort(inTimeFirst(inTime, byAnnouncement))[0];
  if (fetcher) {
    if (peerBudgetMs >= MIN_HEDGE_BUDGET_MS)
      return { kind: "p2p", peerId: fetcher.peerId, budgetMs: peerBudgetMs, reason: "fetching" };
    return { kind: "http", reason: "no-time" };
  }
  // Start-up: peers are connecting and will hold this segment; wait within the same hedged budget
  // as a short-buffer peer try (half the safety margin stays in reserve for HTTP).
  if (input.awaitingFirstPeer && hedgeBudgetMs >= MIN_HEDGE_BUDGET_MS) {
    return { kind: "wait", maxWaitMs: hedgeBudgetMs, reason: "awaiting-first-peer" };
  }
  if (input.live && input.connectedPeers > 0 && input.holdLeftMs > 0 && slackMs >= MIN_HEDGE_BUDGET_MS) {
    return { kind: "wait", maxWaitMs: Math.min(slackMs, input.holdLeftMs), reason: "new-segment-hold" };
  }
  return { kind: "http", reason: "no-peer-has-it" };
}

/**
 * Rule 1 with an empty buffer: the player waits for this segment now (start-up, a seek, a stall), so
 * whichever source delivers first plays first. A connected peer that holds the whole segment has no
 * CDN distance to cross — HTTP's first byte alone is the origin's distance (100+ ms from a far CDN),
 * a connected peer's is a data-channel round trip — so it is asked, for the time HTTP is expected to
 * take (first byte + transfer at the measured rate): a peer that has not delivered by then hands over
 * to HTTP, which resumes after the bytes it sent (a Range), so the wait for a peer never exceeds what
 * HTTP itself would have taken. A holder measured slower than that HTTP time is not asked, nor one
 * whose try would be too short to bring a first chunk ({@link MIN_PEER_TRY_MS}).
 */
export function decideEmptyBuffer(input: ScheduleInput, best: PeerCandidate): Decision {
  const httpMs = expectedHttpMs(input.segmentBytesEstimate, input.httpBandwidthBps, input.httpFirstByteMs);
  const p2pMs = peerTransferMs(input, best);
  if (httpMs >= MIN_PEER_TRY_MS && p2pMs < httpMs)
    return { kind: "p2p", peerId: best.peerId, budgetMs: httpMs, reason: "complete" };
  return { kind: "http", reason: "no-time" };
}

/**
 * The choice after the origin just failed this segment: hls.js would retry only after its back-off,
 * so nothing is waited for and the deadline is set aside — a peer that holds or is fetching the
 * segment is tried (best first, as in {@link decide}) for at least
 * {@link AFTER_HTTP_FAILURE_PEER_BUDGET_MS}, more when the buffer allows; without one, HTTP.
 */
export function decideAfterHttpFailure(input: ScheduleInput): Decision {
  const calm = { ...input, awaitingFirstPeer: false, holdLeftMs: 0 };
  const inTime = decide(calm);
  const any = inTime.kind === "p2p" ? inTime : decide({ ...calm, deadlineMs: Number.MAX_SAFE_INTEGER });
  if (any.kind !== "p2p") return { kind: "http", reason: "no-peer-has-it" };
  const budgetMs = inTime.kind === "p2p" ? inTime.budgetMs : 0;
  return { ...any, budgetMs: Math.max(budgetMs, AFTER_HTTP_FAILURE_PEER_BUDGET_MS) };
}

/** Candidates `inTime` says can deliver within the try first; then by `order`. */
function inTimeFirst(
  inTime: (c: PeerCandidate) => boolean,
  order: (a: PeerCandidate, b: PeerCandidate) => number,
): (a: PeerCandidate, b: PeerCandidate) => number {
  return (a, b) => Number(inTime(b)) - Number(inTime(a)) || order(a, b);
}

/** Fetchers that announced earlier first (unknown last); then as {@link byScore}. */
function byAnnouncement(a: PeerCandidate, b: PeerCandidate): number {
  const since = (a.fetchingSinceMs ?? Infinity) - (b.fetchingSinceMs ?? Infinity);
  return since !== 0 && !Number.isNaN(since) ? since : byScore(a, b);
}

/** Faster peers first; among equals, the least busy. */
function byScore(a: PeerCandidate, b: PeerCandidate): number {
  const load = a.pendingRequests - b.pendingRequests;
  const speed =
    b.throughputBytesPerSec / (1 + b.pendingRequests) - a.throughputBytesPerSec / (1 + a.pendingRequests);
  if (speed !== 0) return speed;
  return load !== 0 ? load : (a.tieBreak ?? 0) - (b.tieBreak ?? 0);
}
