/**
 * How long a transfer from one peer may run, and when to look again. `decide` grants a budget from
 * the playback deadline, reserving the HTTP time of the *whole* segment for the fallback; every byte
 * the peer delivers shrinks what that fallback would have to fetch (it resumes with a Range), so the
 * peer earns that byte's HTTP time back. A slow but steady peer — a viewer streaming on what it is
 * still fetching over a throttled link, or one whose upload is capped — is then not cut off while the
 * fallback for what is left would still arrive in time.
 */
import { DEFAULT_HTTP_BANDWIDTH_BPS, MIN_PEER_STALL_MS, TRANSFER_CHECK_INTERVAL_MS } from "./constants.js";

export interface PeerTransferLimits {
  /** Total time the transfer may take from its start, ms. */
  budgetMs: number;
  /** Longest gap between chunks before the peer counts as stalled, ms. */
  stallMs: number;
}

/** One peer transfer as the policy follows it (times on the policy's clock, ms). */
export interface PeerTransfer {
  readonly peerId: string;
  readonly startedMs: number;
  /** The budget `decide` granted, ms. */
  readonly grantedMs: number;
  lastProgressMs: number;
  receivedBytes: number;
}

/**
 * The limits of a peer transfer after `receivedBytes` arrived from it.
 *
 * @param grantedMs the budget `decide` granted (deadline − HTTP time of the whole segment − margin), ms
 * @param receivedBytes bytes this transfer delivered so far
 * @param httpBandwidthBps measured HTTP throughput, bits/s; 0 = not measured (the default assumed)
 * @param stallTimeoutMs `p2pStallTimeoutMs` of the config
 */
export function peerTransferLimits(
  grantedMs: number,
  receivedBytes: number,
  httpBandwidthBps: number,
  stallTimeoutMs: number,
): PeerTransferLimits {
  const bps = httpBandwidthBps > 0 ? httpBandwidthBps : DEFAULT_HTTP_BANDWIDTH_BPS;
  const budgetMs = grantedMs + (Math.max(0, receivedBytes) * 8000) / bps;
  return { budgetMs, stallMs: Math.min(stallTimeoutMs, Math.max(budgetMs, MIN_PEER_STALL_MS)) };
}

/** Why the transfer must stop at `nowMs`, or undefined while it is within its limits. */
export function transferOverLimit(
  t: PeerTransfer,
  nowMs: number,
  limits: PeerTransferLimits,
): string | undefined {
  if (nowMs - t.lastProgressMs > limits.stallMs) return `no data for ${Math.round(limits.stallMs)} ms`;
  if (nowMs - t.startedMs > limits.budgetMs) return `over the ${Math.round(limits.budgetMs)} ms budget`;
  return undefined;
}

/**
 * When to check the transfer next: the first tick of its {@link TRANSFER_CHECK_INTERVAL_MS} grid
 * (from its start) at which today's limits would be passed, after `nowMs`. The limits only grow with
 * the bytes received, so no earlier tick could find them passed; a check that finds them not passed
 * (bytes arrived meanwhile) asks again. The same instants a timer ticking on the grid would stop it.
 */
export function nextTransferCheckMs(t: PeerTransfer, nowMs: number, limits: PeerTransferLimits): number {
  const tripMs = Math.min(t.lastProgressMs + limits.stallMs, t.startedMs + limits.budgetMs);
  const interval = TRANSFER_CHECK_INTERVAL_MS;
  let tick = t.startedMs + interval * (Math.floor((tripMs - t.startedMs) / interval) + 1);
  if (tick <= nowMs) tick += interval;
  return tick;
}
