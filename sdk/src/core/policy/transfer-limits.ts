/**
 * How long a transfer from one peer may run, and when to look again. `decide` grants a budget from
 * the playback deadline, reserving the HTTP time of the *whole* segment for the fallback; every byte
 * the peer delivers shrinks what that fallback would have to fetch (it resumes with a Range), so the
 * peer earns that byte's HTTP time back. A slow but steady peer — a viewer streaming on what it is
 * still fetching over a throttled link, or one whose upload is capped — is then not cut off while the
 * fallback for what is left would still arrive in time. What it earns never takes the budget past
 * the playback deadline, however many bytes arrive: a segment larger than estimated, or a peer that
 * keeps sending, cannot hold the load beyond the point where HTTP could still deliver the rest. Nor
 * can a peer that trickles: one far too slow to finish within its budget counts as stalled.
 */
import {
  DEFAULT_HTTP_BANDWIDTH_BPS,
  MIN_PEER_STALL_MS,
  TRANSFER_CHECK_INTERVAL_MS,
  TRICKLE_FACTOR,
} from "./constants.js";
import { expectedHttpMs } from "./decide.js";

export interface PeerTransferLimits {
  /** Total time the transfer may take from its start, ms. */
  budgetMs: number;
  /** Longest gap between chunks before the peer counts as stalled, ms. */
  stallMs: number;
  /** Longest wait for the first byte from the transfer's start, ms; undefined: only `stallMs`. */
  firstByteMs?: number;
}

/** One peer transfer as the policy follows it (times on the policy's clock, ms). */
export interface PeerTransfer {
  readonly peerId: string;
  readonly startedMs: number;
  /** The budget `decide` granted, ms. */
  readonly grantedMs: number;
  /** Milliseconds from the start to the playback deadline (then). */
  readonly deadlineMs: number;
  /** Bytes of the segment still to come at the start (as estimated then). */
  readonly expectedBytes: number;
  lastProgressMs: number;
  /** When its first bytes arrived; undefined before. */
  firstByteMs?: number;
  receivedBytes: number;
}

/** The HTTP estimates the limits are computed with. */
export interface HttpTiming {
  /** Measured HTTP throughput, bits/s; 0 = not measured (the default assumed). */
  httpBandwidthBps: number;
  /** Expected time to the first byte of an HTTP response, ms. */
  httpFirstByteMs: number;
}

/**
 * The limits of a peer transfer after `t.receivedBytes` arrived from it: the granted budget plus
 * each received byte's HTTP time, but never past `t.deadlineMs` less the HTTP time of the bytes
 * still to come (never below the grant, which `decide` sized: after an HTTP failure it sets the
 * deadline aside on purpose). Once bytes arrived, with `streamingReserveMs`, the budget reaches at
 * least that deadline less the HTTP time of the rest and the reserve.
 *
 * @param stallTimeoutMs `p2pStallTimeoutMs` of the config
 * @param streamingReserveMs what a streaming transfer leaves beyond the fallback's expected time, ms
 *   (the policy passes half the safety margin, the reserve `decide` keeps for short buffers);
 *   undefined: no extension but the bytes' own HTTP time
 */
export function peerTransferLimits(
  t: PeerTransfer,
  http: HttpTiming,
  stallTimeoutMs: number,
  streamingReserveMs?: number,
): PeerTransferLimits {
  const bps = http.httpBandwidthBps > 0 ? http.httpBandwidthBps : DEFAULT_HTTP_BANDWIDTH_BPS;
  const received = Math.max(0, t.receivedBytes);
  const earnedMs = (received * 8000) / bps;
  const remaining = Math.max(0, t.expectedBytes - received);
  const latestMs = t.deadlineMs - expectedHttpMs(remaining, http.httpBandwidthBps, http.httpFirstByteMs);
  // A peer that streams (bytes arrived) may go on until only the reserve is left beyond the
  // fallback's time: a relay deep in a large swarm passes a segment on chunk by chunk, and cutting
  // it at the grant makes one more CDN fetch of what it was about to bring.
  const streamingMs = received > 0 && streamingReserveMs !== undefined ? latestMs - streamingReserveMs : 0;
  const budgetMs = Math.max(t.grantedMs, Math.min(Math.max(t.grantedMs + earnedMs, streamingMs), latestMs));
  return { budgetMs, stallMs: Math.min(stallTimeoutMs, Math.max(budgetMs, MIN_PEER_STALL_MS)) };
}

/** Why the transfer must stop at `nowMs`, or undefined while it is within its limits. */
export function transferOverLimit(
  t: PeerTransfer,
  nowMs: number,
  limits: PeerTransferLimits,
): string | undefined {
  if (nowMs - t.lastProgressMs > limits.stallMs) return `no data for ${Math.round(limits.stallMs)} ms`;
  if (nowMs > firstByteTripMs(t, limits)) return `no first byte in ${Math.round(limits.firstByteMs!)} ms`;
  if (nowMs - t.startedMs > limits.budgetMs) return `over the ${Math.round(limits.budgetMs)} ms budget`;
  if (nowMs > trickleTripMs(t, limits)) {
    const bytesPerSec = Math.round((t.receivedBytes * 1000) / (nowMs - (t.firstByteMs ?? t.startedMs)));
    return `too slow: ${bytesPerSec} B/s for ${remainingBytes(t)} B in ${Math.round(t.startedMs + limits.budgetMs - nowMs)} ms`;
  }
  return undefined;
}

/** When a transfer with no byte yet passes its first-byte limit; Infinity once bytes came or unlimited. */
function firstByteTripMs(t: PeerTransfer, limits: PeerTransferLimits): number {
  if (t.firstByteMs !== undefined || limits.firstByteMs === undefined) return Infinity;
  return t.startedMs + limits.firstByteMs;
}

function remainingBytes(t: PeerTransfer): number {
  return Math.max(0, t.expectedBytes - t.receivedBytes);
}

/**
 * From when the transfer counts as trickling if nothing more arrives: once it has sent bytes for
 * its stall timeout, when TRICKLE_FACTOR × received × (budget end − t) < remaining × (t − first
 * byte), i.e. at its rate since its first byte it would bring less than 1/TRICKLE_FACTOR of what is
 * left. The rate is taken from the first byte, not the request: a fetcher streaming on a download
 * that started slowly is judged by its pace, not by its wait (no bytes at all is the stall limit's
 * case). Infinity before the first byte and when nothing is left. Bytes only move it later.
 */
function trickleTripMs(t: PeerTransfer, limits: PeerTransferLimits): number {
  const remaining = remainingBytes(t);
  const firstMs = t.firstByteMs;
  if (remaining === 0 || firstMs === undefined) return Infinity;
  const weight = TRICKLE_FACTOR * Math.max(0, t.receivedBytes);
  const endMs = t.startedMs + limits.budgetMs;
  const crossMs = (weight * endMs + remaining * firstMs) / (weight + remaining);
  return Math.max(firstMs + limits.stallMs, crossMs);
}

/**
 * When to check the transfer next: the first tick of its {@link TRANSFER_CHECK_INTERVAL_MS} grid
 * (from its start) at which today's limits would be passed, after `nowMs`. Bytes only move those
 * instants later, so no earlier tick could find them passed; a check that finds them not passed
 * (bytes arrived meanwhile) asks again. The same instants a timer ticking on the grid would stop it.
 */
export function nextTransferCheckMs(t: PeerTransfer, nowMs: number, limits: PeerTransferLimits): number {
  const tripMs = Math.min(
    t.lastProgressMs + limits.stallMs,
    t.startedMs + limits.budgetMs,
    firstByteTripMs(t, limits),
    trickleTripMs(t, limits),
  );
  const interval = TRANSFER_CHECK_INTERVAL_MS;
  let tick = t.startedMs + interval * (Math.floor((tripMs - t.startedMs) / interval) + 1);
  if (tick <= nowMs) tick += interval;
  return tick;
}
