/**
 * Defaults and protocol constants for the tracker. Every bound exists so that nothing a client
 * sends can grow memory or CPU without limit; each says why it has the value it has.
 */

/** Length of `info_hash`, `peer_id` and `to_peer_id`: 20 raw bytes sent as a latin1 ("binary") string. */
export const BINARY_ID_LENGTH = 20;

/**
 * `offer_id` is opaque to the tracker (it is relayed back unchanged). bittorrent-tracker sends 20
 * binary chars; the bound only stops a client from using it as a payload carrier.
 */
export const MAX_OFFER_ID_LENGTH = 64;

/**
 * A non-trickle SDP with all ICE candidates is usually 0.5–3 KB; 16 KiB leaves room for hosts with
 * many interfaces while keeping one relayed offer far below the message cap.
 */
export const MAX_SDP_LENGTH = 16 * 1024;

/** Region hints are short labels such as "eu-west-1"; anything longer is not a hint. */
export const MAX_REGION_LENGTH = 32;
/**
 * Longest `swarm_key` (Nearcast extension): a stream key of up to 2048 characters (the SDK's limit
 * on `streamId`, and a generous URL) plus "|" and a rendition key.
 */
export const MAX_SWARM_KEY_LENGTH = 2400;
export const REGION_PATTERN = /^[A-Za-z0-9._:-]{1,32}$/;

/**
 * WebSocket trackers use a shorter interval than HTTP ones (bittorrent-tracker's server sends 2 min):
 * peers churn quickly in a live video audience and a stale swarm wastes offers.
 */
export const DEFAULT_ANNOUNCE_INTERVAL_MS = 120_000;

/** Two missed announces before a silent peer is forgotten, so one late announce does not evict it. */
export const DEFAULT_PEER_TIMEOUT_MS = 2 * DEFAULT_ANNOUNCE_INTERVAL_MS;

/**
 * One maintenance tick expires peers, pings sockets and closes dead ones. 30 s keeps expiry within
 * ~12% of the peer timeout and costs one pass over the peer table per tick.
 */
export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

/**
 * ws `maxPayload`. An announce with 10 offers of ~3 KB SDP is ~30 KB; 64 KiB admits that and rejects
 * megabyte frames before they are buffered.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/** bittorrent-tracker's client sends at most 5 offers; 10 leaves headroom for other clients. */
export const DEFAULT_MAX_OFFERS_PER_ANNOUNCE = 10;

/**
 * Cap on peers that receive offers per announce. bittorrent-tracker caps at 82 (MAX_ANNOUNCE_PEERS);
 * a video viewer never needs more than a few dozen neighbours.
 */
export const DEFAULT_MAX_NUMWANT = 50;

/** One swarm per stream rendition; 10k covers a large catalogue and bounds the swarm table. */
export const DEFAULT_MAX_SWARMS = 10_000;

/**
 * Peer selection is a linear pass over the swarm, so its size bounds per-announce CPU. A viewer
 * connects to only a handful of neighbours, so 1,000 candidates are plenty to find nearby ones.
 */
export const DEFAULT_MAX_PEERS_PER_SWARM = 1_000;

/** Process-wide socket budget (file descriptors, ~10 KB of state each). */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/**
 * Limit per client address (IPv4 address or IPv6 /64). Generous because a campus NAT or CGNAT can put
 * a thousand real viewers behind one address — exactly the audience P2P helps most. It does not let
 * one address keep others out: once the tracker is full, the address holding the most sockets gives
 * one up to each newcomer from a less crowded address. Behind a reverse proxy set `trustProxy`, or
 * every viewer shares the proxy's address.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;

/**
 * Memberships (info_hash × peer_id) per socket. A player joins one swarm per rendition it plays;
 * bittorrent-tracker shares one socket between clients of a page, so allow a few dozen.
 */
export const DEFAULT_MAX_SWARMS_PER_CONNECTION = 20;

/** A scrape costs one lookup per hash and a reply line each; 50 keeps the reply small. */
export const DEFAULT_MAX_SCRAPE_INFO_HASHES = 50;

/**
 * Token bucket per socket. A well-behaved client sends one announce per swarm per interval and one
 * answer per received offer; bursts happen on join (one announce per rendition plus answers).
 */
export const DEFAULT_RATE_LIMIT_BURST = 50;
export const DEFAULT_RATE_LIMIT_PER_SEC = 10;

/**
 * Dropping excess messages costs little, but a client that keeps flooding after being throttled is
 * broken or hostile: close it after this many drops within the window.
 */
export const DEFAULT_FLOOD_CLOSE_DROPS = 200;
export const DEFAULT_FLOOD_WINDOW_MS = 10_000;

/**
 * A client that does not read its socket would make relayed offers and scrape replies pile up in our
 * buffers and, before them, in the kernel's (several MiB per socket on a fast link). Beyond this many
 * bytes sent that it has not shown it read, it is closed as a slow consumer (it can reconnect): with
 * 10,000 sockets that all stop reading, 1.25 GiB at most. A reading client acknowledges within a round
 * trip, and 128 KiB is ~40 relayed offers arriving within one.
 */
export const DEFAULT_MAX_UNREAD_BYTES = 128 * 1024;

/** Peer counts per swarm in `stats()`: enough for a dashboard, bounded for a JSON endpoint. */
export const DEFAULT_TOP_SWARMS_IN_STATS = 100;

/**
 * A viewer session outlives the announce reply that carried it by this much: five announce intervals,
 * so a viewer whose reconnects fail for a while, or whose page sends its last report after the tracker
 * socket closed, still counts; a session harvested and then used elsewhere stops working soon.
 */
export const DEFAULT_SESSION_TTL_MS = 5 * DEFAULT_ANNOUNCE_INTERVAL_MS;

/** Path served by `attach()` when none is given. */
export const DEFAULT_TRACKER_PATH = "/tracker";
