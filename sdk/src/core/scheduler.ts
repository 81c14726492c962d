/**
 * Per-segment choice between peers and HTTP, from the playback deadline. Pure: the engine feeds
 * it a snapshot and acts on the answer, so every rule here is unit-tested without sockets.
 *
 * The rules, in order:
 * 1. A connected peer that holds the whole segment is asked, for the slack (deadline − expected
 *    HTTP time − safety margin) while that is at least half the margin. With a shorter buffer it is
 *    still tried, for half the margin while the slack is positive and for the hedged budget
 *    (slack + half the margin) below that, so that at least half the margin is always kept and a
 *    longer buffer never gives a shorter try; where the slack alone is under
 *    {@link MIN_HEDGE_BUDGET_MS}, not if it was measured too slow for the budget.
 * 2. A peer that is downloading the segment right now (it announced `fetching`) is asked too, with
 *    the same budgets (no speed check: its speed is its own download's): it streams chunks to us as
 *    they reach it, so the swarm fetches each new live segment from the CDN about once. A hedged try
 *    is worth it here as well — the fetcher started its download before us, and bytes it has passed
 *    on are not fetched again (HTTP resumes with a Range) — where going straight to HTTP is one more
 *    CDN fetch of the same bytes.
 * 3. A viewer that just joined a swarm the tracker says has other viewers, but whose first peer
 *    connection is not up yet, waits for it within the hedged budget (half the safety margin kept):
 *    start-up is where a viewer would otherwise fetch its first segments from the CDN although
 *    peers hold them all.
 * 4. A new live segment nobody around us has announced: hold for a moment before becoming one
 *    more CDN fetch. Viewers that see the segment at nearly the same time would otherwise all fetch
 *    it (each is "first" among its own neighbours); the hold is spread by a hash of (segment, viewer)
 *    so one viewer goes first, announces `fetching`, and the others take it from that viewer. When
 *    the slack is shorter than the hold, the hold is scaled into it ({@link fitHoldToSlack}), so
 *    viewers with equally short buffers still end their holds in the hashed order, not together.
 * 5. Otherwise HTTP, at once, announcing `fetching` so later viewers wait for us instead of
 *    hitting the CDN too.
 *
 * A viewer that cannot relay a segment in real time ({@link relaysInRealTime}) must not be the first
 * fetcher of rules 4–5 (its neighbours would wait on it in vain): it holds longer and announces no
 * `fetching`.
 */
import type { PlaybackState } from "./types.js";

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
   * fetch, so its note tends to arrive later (link latencies can reorder this; not measured apart).
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
  /** What is left of this viewer's new-segment hold for this segment (see {@link newSegmentHoldMs}). */
  holdLeftMs: number;
}

export type Decision =
  | { kind: "p2p"; peerId: string; budgetMs: number; reason: "complete" | "fetching" }
  | { kind: "wait"; maxWaitMs: number; reason: "awaiting-first-peer" | "new-segment-hold" }
  | { kind: "http"; reason: "no-peer-has-it" | "no-time" | "p2p-disabled" };

/**
 * Milliseconds until the player needs more data: the media buffered ahead at the playback rate, or
 * 0 while it is waiting (starting up or stalled: whatever it waits for is due now). The
 * `deadlineMs` of {@link ScheduleInput}.
 */
export function playbackDeadlineMs(playback: PlaybackState | undefined): number {
  if (!playback || playback.waiting) return 0;
  return (playback.bufferedAheadSec * 1000) / (playback.playbackRate || 1);
}

/** Below this, a peer try could not even get its first chunk across: go straight to HTTP. */
export const MIN_HEDGE_BUDGET_MS = 300;

/** Assumed HTTP throughput before the first measurement: a modest 2 Mbps. */
export const DEFAULT_HTTP_BANDWIDTH_BPS = 2_000_000;

export function expectedHttpMs(bytes: number, bandwidthBps: number, firstByteMs: number): number {
  const bps = bandwidthBps > 0 ? bandwidthBps : DEFAULT_HTTP_BANDWIDTH_BPS;
  return firstByteMs + ((bytes * 8) / bps) * 1000;
}

/**
 * Time we may spend on peers and still have the HTTP fallback arrive before the deadline, ms:
 * deadline − expected HTTP time − safety margin. Negative when the buffer is shorter than that.
 */
function slackOf(input: ScheduleInput): number {
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
  const holders = usable.filter((c) => c.complete).sort(byScore);
  const best = holders[0];
  if (best) {
    // Where the slack alone would not allow a try, a holder measured too slow for it is not asked.
    const p2pMs =
      slackMs < MIN_HEDGE_BUDGET_MS && best.throughputBytesPerSec > 0
        ? (input.segmentBytesEstimate / best.throughputBytesPerSec) * 1000
        : undefined;
    if (peerBudgetMs >= MIN_HEDGE_BUDGET_MS && (p2pMs === undefined || p2pMs * 2 < peerBudgetMs)) {
      return { kind: "p2p", peerId: best.peerId, budgetMs: peerBudgetMs, reason: "complete" };
    }
    return { kind: "http", reason: "no-time" };
  }

  // A fetcher's speed is that of its own download, not measured here: no speed check.
  const fetcher = usable.filter((c) => c.fetching).sort(byAnnouncement)[0];
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
 * This viewer's new-segment hold for one segment, fitted to the time the buffer leaves. A hold may
 * use the slack (deadline − expected HTTP time − safety margin) down to {@link MIN_HEDGE_BUDGET_MS}:
 * the window. {@link decide} ends every hold once the slack falls under {@link MIN_HEDGE_BUDGET_MS}
 * (the window's end), so viewers with equally short buffers (the same downlink and latency) would
 * all end their holds together and all fetch from the CDN. When the window is shorter than `spanMs`
 * (the end of the hold range, 1500 ms by default), every hold is therefore scaled by window /
 * `spanMs`: they keep the hashed order, and those after the first take the segment from it. Holds
 * past the range (a non-relaying viewer's) end with the window. Swarm simulator, 3 seeds, with the
 * budgets of {@link decide}: weak-8 0.796 → 0.808 offload, abr-1000 0.888 → 0.920, live-1000 0.954 →
 * 0.953, node-50 0.947 → 0.940 (0.95–0.97 × its ceiling); scaling only windows under 1000 ms kept
 * node-50 but lost weak-8 (0.753). Milliseconds; 0 when no hold fits.
 */
export function fitHoldToSlack(
  holdMs: number,
  input: ScheduleInput,
  spanMs = NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS,
): number {
  const windowMs = slackOf(input) - MIN_HEDGE_BUDGET_MS;
  if (!(windowMs > 0) || !(holdMs > 0)) return 0;
  return Math.min(windowMs, holdMs * Math.min(1, windowMs / spanMs));
}

/**
 * The least time a peer gets for a segment after the origin failed it: hls.js's default fragment
 * retry delay (`fragLoadPolicy.default.errorRetry.retryDelayMs`), so a failed peer try costs no more
 * than the back-off it replaces.
 */
export const AFTER_HTTP_FAILURE_PEER_BUDGET_MS = 1000;

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

/**
 * Shortest new-segment hold and the spread above it (500–1500 ms). The spread must exceed the time
 * news of a fetch takes to cross the swarm: with 200–1000 ms the swarm simulator (bench/sim) saw 2.1
 * CDN fetches per segment at N = 50 on loopback, 1.3 with 500–1500 ms; longer minimums (1000–2000)
 * ate the buffer's slack and fetched more. Bounded by the slack, so the hold never risks a stall.
 */
export const NEW_SEGMENT_HOLD_MIN_MS = 500;
export const NEW_SEGMENT_HOLD_SPREAD_MS = 1000;

/**
 * Extra hold of a viewer that cannot relay in real time: one spread, so capable viewers' holds end
 * first; among themselves such viewers keep the hashed order.
 */
export const NON_RELAY_HOLD_EXTRA_MS = NEW_SEGMENT_HOLD_SPREAD_MS;

/**
 * Whether this viewer can pass a segment on as fast as it plays: uploads are on and the upload cap
 * (bytes/s, 0 = none) carries `segmentBytes` within `segmentDurationSec`.
 */
export function relaysInRealTime(
  uploading: boolean,
  maxUploadBytesPerSec: number,
  segmentBytes: number,
  segmentDurationSec: number,
): boolean {
  if (!uploading) return false;
  if (maxUploadBytesPerSec <= 0 || !(segmentDurationSec > 0)) return true;
  return maxUploadBytesPerSec * segmentDurationSec >= segmentBytes;
}

/**
 * How long this viewer holds a new live segment before fetching it from the CDN: `minMs` to
 * `minMs + spreadMs` (default 500–1500 ms), by an FNV-1a hash of (segment id, peer id). Different for every viewer and segment, so the job of
 * fetching rotates and viewers that saw the segment together do not give up together.
 */
export function newSegmentHoldMs(
  segmentId: string,
  peerId: string,
  minMs = NEW_SEGMENT_HOLD_MIN_MS,
  spreadMs = NEW_SEGMENT_HOLD_SPREAD_MS,
): number {
  let hash = 0x811c9dc5;
  const text = `${segmentId}\n${peerId}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return minMs + (spreadMs * hash) / 2 ** 32;
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
