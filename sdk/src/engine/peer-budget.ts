// How long a transfer from one peer may run. The scheduler grants a budget from the playback
// deadline, reserving the HTTP time of the *whole* segment for the fallback; every byte the peer
// delivers shrinks what that fallback would have to fetch (it resumes with a Range), so the peer
// earns that byte's HTTP time back. A slow but steady peer — a viewer streaming on what it is still
// fetching over a throttled link, or one whose upload is capped — is then not cut off while the
// fallback for what is left would still arrive in time.
import { DEFAULT_HTTP_BANDWIDTH_BPS } from "../core/scheduler.js";

/** Shortest no-progress timeout: below it, one 64 KiB chunk on a modest link looks like a stall. */
export const MIN_PEER_STALL_MS = 300;

export interface PeerTransferLimits {
  /** Total time the transfer may take from its start, ms. */
  budgetMs: number;
  /** Longest gap between chunks before the peer counts as stalled, ms. */
  stallMs: number;
}

/**
 * The limits of a peer transfer after `receivedBytes` arrived from it.
 *
 * @param grantedMs the scheduler's budget (deadline − HTTP time of the whole segment − margin), ms
 * @param receivedBytes bytes this transfer delivered so far
 * @param httpBandwidthBps measured HTTP throughput, bits/s; 0 = not measured (2 Mbit/s assumed, as
 *   the scheduler does)
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
