/** P2P tuning constants. Each says why it has its value. */

/**
 * Stop queuing data frames once this much is buffered in the channel: 16 chunks keep a loopback
 * or LAN link busy, while a request for a near-playhead segment never waits behind megabytes.
 */
export const SEND_HIGH_WATER_BYTES = 1024 * 1024;

/** Resume sending when the channel drains below this (its `bufferedAmountLowThreshold`). */
export const SEND_LOW_WATER_BYTES = 256 * 1024;

/** A peer may keep at most this many requests open with us; more is abuse, and it is dropped. */
export const MAX_INBOUND_REQUESTS_PER_PEER = 16;

/** Most segments a peer's availability map may list; more is abuse (a live window is ~20). */
export const MAX_PEER_AVAILABILITY_ENTRIES = 5000;

/** A `fetching` announcement is trusted this long without bytes following it. */
export const FETCHING_TTL_MS = 6000;

/** An offer nobody answered is dropped after this long (bittorrent-tracker uses 50 s). */
export const OFFER_TIMEOUT_MS = 50_000;

/** A connection whose data channel is not open by then is abandoned. */
export const CONNECT_TIMEOUT_MS = 15_000;

/** Non-trickle ICE: the offer/answer goes out with whatever candidates exist by then. */
export const ICE_GATHERING_TIMEOUT_MS = 3000;

/** Most offers made per announce: enough to fill a small mesh in one round trip. */
export const MAX_OFFERS_PER_ANNOUNCE = 5;

/** Re-announce this often while a swarm has fewer peers than wanted (the server's interval otherwise). */
export const UNDERFULL_ANNOUNCE_INTERVAL_MS = 15_000;

/** Tracker reconnect backoff: first delay, cap, and ± jitter so a restarted tracker is not stampeded. */
export const RECONNECT_MIN_MS = 1000;
export const RECONNECT_MAX_MS = 30_000;
export const RECONNECT_JITTER = 0.5;

/** Largest tracker message accepted; SDP offers are a few kB, so 64 KiB is generous. */
export const MAX_TRACKER_MESSAGE_BYTES = 64 * 1024;

/** A swarm not used by the player for this long is left (still serving peers until then). */
export const SWARM_IDLE_MS = 60_000;

/** After a failed connection attempt, announce again after about this long (not a full interval). */
export const RETRY_AFTER_FAILURE_MS = 2000;

/** Peers banned for protocol violations are remembered this many at most (oldest forgotten first). */
export const MAX_BANNED_PEERS = 1000;
