/**
 * The delivery policy's constants: every number that decides whether a segment comes from a peer or
 * over HTTP, and when. Each says why it has its value; measurements of them are in BENCHMARKS.md.
 */

/** Below this, a peer try could not even get its first chunk across: HTTP at once instead. */
export const MIN_HEDGE_BUDGET_MS = 300;

/**
 * Shortest try for a connected holder while the player waits with an empty buffer (decide.ts,
 * `decideEmptyBuffer`): its budget is HTTP's whole expected time, and below this even HTTP is near,
 * while a data channel's first chunk still needs a request round trip and queueing behind the
 * peer's other uploads.
 */
export const MIN_PEER_TRY_MS = 100;

/** Assumed HTTP throughput before the first measurement: a modest 2 Mbit/s, in bits/s. */
export const DEFAULT_HTTP_BANDWIDTH_BPS = 2_000_000;

/**
 * Shortest new-segment hold and the spread above it (holds are 500–1500 ms). The spread must exceed
 * the time news of a fetch takes to cross the swarm, so that the viewers after the first fetcher
 * hear of its fetch before their own holds end; a longer minimum only eats the buffer's slack.
 */
export const NEW_SEGMENT_HOLD_MIN_MS = 500;
export const NEW_SEGMENT_HOLD_SPREAD_MS = 1000;

/**
 * Extra hold of a viewer that cannot relay in real time: one spread, so capable viewers' holds end
 * first; among themselves such viewers keep the hashed order.
 */
export const NON_RELAY_HOLD_EXTRA_MS = NEW_SEGMENT_HOLD_SPREAD_MS;

/**
 * Viewers of a swarm that may fetch a new live segment from the CDN first, in expectation, at least
 * (more in a swarm over 200: {@link FIRST_FETCHER_SHARE}): each is elected for a segment with
 * probability count / (viewers the tracker counts), by hash, so the election needs no messages. The others hold {@link NOT_ELECTED_HOLD_EXTRA_MS} longer
 * and take the segment from the mesh. In a large swarm, holds that end within the time news takes
 * to cross it are each one more CDN fetch: with every viewer eligible they number in the hundreds at
 * 10,000 viewers, with a few elected ones a handful. Enough that the chance none is elected and
 * relays (e^-16 with Poisson draws) is negligible, few enough that each one's share of the swarm is
 * reached through the mesh in time at 1,000–10,000 viewers (bench:sim, BENCHMARKS.md).
 */
export const FIRST_FETCHERS_PER_SWARM = 16;

/**
 * Share of a large swarm elected, in expectation, as a new live segment's first fetchers (at least
 * {@link FIRST_FETCHERS_PER_SWARM}; mesh-rules.ts `electedFirstFetchers`). With peer bytes passed on
 * only once verified, a relay hop costs a whole transfer, and the buffers' window leaves room for
 * about two: with 16 elected, ~9 % of a 1,000-viewer swarm still lacked the segment when their windows
 * ended; of 16–300 elected, 8 % did best (bench:sim, BENCHMARKS.md "Toward the limit").
 */
export const FIRST_FETCHER_SHARE = 0.08;

/**
 * Smallest swarm (viewers the tracker counts, us included) in which first fetchers are elected;
 * in smaller ones everyone may fetch first, in the hashed order of their holds. There news crosses
 * the swarm in a hop or two within the holds' spread, and electing a few made the loopback swarm
 * of 50 fetch more (bench:sim node-50: 1.4 → 2.1 steady CDN fetches per segment, mean of 3 seeds).
 */
export const FIRST_FETCHER_ELECTION_MIN_SWARM = 100;

/**
 * Extra hold of a viewer not elected as a first fetcher: longer than news of the elected fetchers'
 * fetch takes to reach every viewer (a few hops of tens of ms each, after the last viewer's playlist
 * refresh, up to a target duration after the first), so the elected ones' holds all end first. The
 * hold is still fitted to the buffer's slack, so a short buffer never waits longer for it.
 */
export const NOT_ELECTED_HOLD_EXTRA_MS = 2000;

/**
 * Spread of an elected first fetcher's hold (0 up to it). Every ms they hold is taken from the window
 * in which news of their fetch must reach the rest of the swarm; but the elected do race each other:
 * a viewer holding for a segment announces nothing, so an elected viewer whose playlist showed the
 * segment early hears of no neighbour getting it (most have not asked yet) and fetches it too. A
 * wider spread gives the first elected fetches time to reach the later ones' neighbourhoods; too
 * wide (or a later start), and the not-elected run out of window before the first fetch reaches
 * them (bench:sim `--elected-hold`, BENCHMARKS.md "Toward the limit").
 */
export const ELECTED_HOLD_SPREAD_MS = 1000;

/**
 * The least time a peer gets for a segment after the origin failed it: hls.js's default fragment
 * retry delay (`fragLoadPolicy.default.errorRetry.retryDelayMs`), so a failed peer try costs no more
 * than the back-off it replaces.
 */
export const AFTER_HTTP_FAILURE_PEER_BUDGET_MS = 1000;

/** How many segment ids whose HTTP fetch failed a viewer remembers (a few playlists' worth). */
export const RECENT_HTTP_FAILURES = 64;

/** Shortest no-progress timeout: below it, one 64 KiB chunk on a modest link looks like a stall. */
export const MIN_PEER_STALL_MS = 300;

/**
 * A peer transfer whose rate since its first byte would bring less than 1/TRICKLE_FACTOR of the
 * bytes still to come before its budget ends is cut as stalled, once it has sent bytes for its stall
 * timeout: a peer that trickles a byte now and then resets the no-progress timeout, and would
 * otherwise hold the load for its whole budget. Far below what finishing needs, so a steady but
 * slow peer keeps its chance.
 */
export const TRICKLE_FACTOR = 4;

/**
 * In a large swarm, a peer transfer that has brought no byte this long after it was asked for is cut
 * and the load decides again (ms). `fetching` gossip lets news of a segment cross a hop in a round
 * trip (~30 ms) while its bytes need a verified 64-KiB chunk per hop, shared round-robin with the
 * relay's other requesters: the news outruns the bytes and viewers queue at the end of chains ten
 * relays deep whose first byte comes after their whole budget, by which time their other neighbours
 * hold the segment complete. Longer than a first chunk takes over one or two hops of a relay serving
 * its whole neighbourhood at once (~9 × 64 KiB at 10 Mbit/s ≈ 0.5 s), short enough to leave most of
 * a 4-s buffer's window for the next peer.
 */
export const RELAY_FIRST_BYTE_MS = 600;

/** A peer transfer's limits are checked on this grid from its start (ms). */
export const TRANSFER_CHECK_INTERVAL_MS = 50;

/**
 * Start-up window in which a viewer with no peer yet may wait for its first connection: long enough
 * for a tracker round trip and a WebRTC handshake, short enough that a swarm whose peers cannot be
 * reached costs only the first segments.
 */
export const FIRST_PEER_WAIT_WINDOW_MS = 5000;

/** First ABR probe this long after the last HTTP throughput sample (2 segments of 2 s). */
export const ABR_PROBE_MIN_INTERVAL_MS = 4_000;

/** Longest interval between ABR probes that keep finding the same throughput. */
export const ABR_PROBE_MAX_INTERVAL_MS = 32_000;

/** A probe "found more" when the estimate rose by this factor: the interval starts again. */
export const ABR_PROBE_FOUND_MORE = 1.15;

/**
 * Half-life of the uplink estimate (uplink-estimate.ts), in seconds of busy uplink: a few segments'
 * uploads, so that the bursts in which a data channel's queue drains average out.
 */
export const UPLINK_ESTIMATE_HALF_LIFE_SEC = 8;

/**
 * Busy uplink time before the uplink estimate is given: in browser runs under tc, 3-s spans of a
 * 500 kbit/s uplink read 27–109 kB/s (a 540p segment needs 111 kB/s), one 1-s span up to 436 kB/s.
 */
export const UPLINK_ESTIMATE_MIN_BUSY_MS = 3000;

/**
 * How long the uplink estimate lasts without a sample: a viewer judged too slow to relay goes first
 * no more and serves no segment it cannot pass on in real time (p2p/upload-rules.ts `servesSegment`),
 * so it is not measured again; past this it is judged as with no estimate (as a relay), serves, and
 * is measured anew. Each such re-measurement fills the slow link for seconds and slows the viewer's
 * own downloads (their acknowledgements queue behind the uploads): under tc, at 60 s the 500 kbit/s
 * viewers of weak-uplinks fetched their last 8–9 segments over HTTP once they served again. A home
 * link's upload rate rarely changes within minutes.
 */
export const UPLINK_ESTIMATE_MAX_AGE_MS = 300_000;
