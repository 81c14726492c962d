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

/**
 * Connections beyond `maxPeers` a viewer of a large swarm keeps for the offers of viewers that lack
 * peers (connect-rules.ts `peerLimit`): a few, so that an under-connected viewer's offers find an
 * answer at the first random member they reach, while upload and connection costs per viewer grow by
 * at most this share of `maxPeers`.
 */
export const ANSWER_HEADROOM_PEERS = 2;

/**
 * Non-trickle ICE: gathering that has brought candidates and then none for this long is taken as
 * done (see `iceGathered`). A STUN server that is unreachable (a firewall dropping UDP) never answers,
 * so gathering would otherwise run to ICE_GATHERING_TIMEOUT_MS on every offer and answer; a reachable
 * one answers within a round trip (RFC 8489 §6.2.1: first retransmission after 500 ms), which this
 * covers on all but very distant links. Not applied while a TURN server is configured and no relay
 * candidate has come yet: an allocation takes two round trips and the relay may be the only path.
 */
export const ICE_GATHERING_QUIET_MS = 500;

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

/**
 * A rendition the player switched away from (another rendition of the same track used since) is left
 * once it has gone unused this long: a few segment durations, so an ABR probe or a quick switch back
 * does not make the viewer leave and rejoin a swarm (and lose its connections there).
 */
export const SWARM_SWITCH_GRACE_MS = 8000;

/**
 * A swarm being left keeps its connections until the uploads peers had already asked of us end, at
 * most this long (a 2-MB segment at 2 Mbit/s): then the rest is cut, and those peers' loads turn to
 * another source as after any peer that goes away.
 */
export const SWARM_LEAVE_DRAIN_MS = 8000;

/**
 * After a rendition switch (the viewer has peers in its track's other swarm), the new swarm's offers
 * wait this long at most for a tracker's count of it, so only viewers that are there get one; a
 * tracker answers within a round trip, and without an answer the next announce offers as usual.
 */
export const SWITCH_OFFERS_WAIT_MS = 3000;

/** How often swarms are checked for leaving: a small part of the grace above. */
export const SWARM_SWEEP_MS = 2000;

/** After a failed connection attempt, announce again after about this long (not a full interval). */
export const RETRY_AFTER_FAILURE_MS = 2000;

/** Banned peer ids, and separately tracker fingerprints, remembered at most (oldest forgotten first). */
export const MAX_BANNED_PEERS = 1000;

/**
 * Distinct peer_ids of one tracker address fingerprint banned before the address itself is, while
 * every peer byte is verified (peer-bans.ts says why): a liar that returns under a new id is caught
 * by its next failed verification, which bans the address; one liar alone does not get the honest
 * viewers behind its NAT refused. With `allowUnverifiedPeers` the address is banned at the first.
 */
export const ADDRESS_BAN_STRIKES = 2;

/**
 * Largest segment a viewer takes from peers, bytes; a larger one comes over HTTP. Real segments are
 * far smaller (Apple's HLS authoring ladder tops out near 17 Mbit/s for 2160p HEVC: 6 s of it is
 * 12.6 MB; a 10-s 4K segment at 12 Mbit/s is 15 MB). Whatever size a peer claims, this is the most
 * it can make us hold for one segment.
 */
export const MAX_PEER_SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * Most bytes from peers one viewer holds for the loads in flight, reserved at the size each request
 * asks for and freed when its load ends; a load that finds no room takes HTTP. hls.js loads one main,
 * one alternate-audio and one subtitle fragment at a time: this is two segments at the cap above.
 */
export const MAX_PEER_BUFFERED_BYTES = 2 * MAX_PEER_SEGMENT_BYTES;

/**
 * After we cancel a request, data frames the sender had already queued still arrive: its channel
 * holds at most SEND_HIGH_WATER_BYTES plus one chunk when our cancel lands, and about as much is in
 * flight. They are dropped, up to the bytes the request had left and at most this; more is
 * unrequested data.
 */
export const LATE_DATA_ALLOWANCE_BYTES = 4 * 1024 * 1024;

/** Cancelled requests remembered per peer for that allowance (oldest forgotten first). */
export const MAX_CANCELLED_REQUESTS_REMEMBERED = 64;

/**
 * A peer that announced a segment complete serves it at its uplink's speed: one that averages less
 * than this over a download (once it has run STALL_JUDGE_AFTER_MS) is stalling — sending nothing, or
 * trickling bytes to dodge a no-progress timer. 4 KiB/s is 32 kbit/s, below any video rendition.
 * Peers still fetching a segment are not judged: their own source may be slow.
 */
export const MIN_COMPLETE_HOLDER_BYTES_PER_SEC = 4096;

/** A download is judged for stalling only after this long: a quicker cancel says nothing of the peer. */
export const STALL_JUDGE_AFTER_MS = 1000;

/**
 * Stalls in a row (a completed download resets the count) before a peer is closed and banned: one
 * is a hiccup, three are a peer that announces what it does not serve.
 */
export const MAX_CONSECUTIVE_PEER_STALLS = 3;

/**
 * How often the uplink meter (uplink-meter.ts) reads the channels' send queues while bytes are
 * queued: a few readings per segment upload, and no timer at all while the uplink is idle.
 */
export const UPLINK_METER_INTERVAL_MS = 250;

/**
 * Queued bytes at both ends of an interval for it to count as backlogged: half a data frame
 * (MAX_CHUNK_BYTES), far more than the control messages that ride on the same channels.
 */
export const UPLINK_BACKLOG_MIN_BYTES = 32 * 1024;

/**
 * A swarm a tracker refused in an announce reply (`token_scope`, `swarm_full`, …) is announced there
 * again only after this long, doubling at each further refusal up to the cap: the page's token or the
 * swarm's crowd will not change within seconds, and a refused viewer must not hammer the tracker.
 */
export const REFUSED_SWARM_RETRY_MIN_MS = 5 * 60_000;
export const REFUSED_SWARM_RETRY_MAX_MS = 60 * 60_000;
