/**
 * Bounds and timings of the stats service. Every collection keyed by something a client sends is
 * bounded here, so no sequence of reports can grow memory without limit; each constant says why it
 * has its value.
 */

/**
 * Width of one time bucket. Reports arrive every ~10 s per client; 5-s buckets give a chart with
 * two points per report interval and cost 180 buckets for 15 minutes.
 */
export const BUCKET_MS = 5_000;

/** The windows of the offload ratio, as exposed in JSON and in the `window` metric label. */
export const WINDOWS = ["1m", "15m", "all"] as const;
export type WindowName = (typeof WINDOWS)[number];

/** Buckets in each sliding window ("all" is kept as exact running totals instead). */
export const WINDOW_BUCKETS: Readonly<Record<Exclude<WindowName, "all">, number>> = {
  "1m": 60_000 / BUCKET_MS,
  "15m": 900_000 / BUCKET_MS,
};

/**
 * The newest buckets are left out of windows and charts: a report carries the bytes of the ~10 s
 * before it, so the last 5–10 s are not yet reported by every client while the origin counter
 * already has them. Comparing both sides over settled buckets keeps the two offload figures honest.
 */
export const SETTLE_BUCKETS = 2;

/**
 * The origin-measured offload in the chart series is computed over this many trailing buckets (30 s):
 * the origin counts a segment the instant it is served while reports spread it over their interval,
 * so a 5-s ratio of the two swings wildly even when they agree over half a minute.
 */
export const SERIES_ORIGIN_SMOOTH_BUCKETS = 6;

/** Ring size: the 15-min window plus the unsettled buckets plus one of slack for the current one. */
export const RING_BUCKETS = WINDOW_BUCKETS["15m"] + SETTLE_BUCKETS + 2;

/**
 * The SDK's default report interval (`statsIntervalMs`). A client's first report is assumed to cover
 * this much time; later ones cover the time since the client's previous report.
 */
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;

/**
 * A report's bytes are spread over at most this much time before its arrival: a report retried after
 * an outage must not be smeared over minutes of history, and a client that reports rarely is rare.
 */
export const MAX_REPORT_SPAN_MS = 30_000;

/** A client is a viewer while its last report is this recent: two report intervals, one may be late. */
export const VIEWER_WINDOW_MS = 2 * DEFAULT_REPORT_INTERVAL_MS;

/** A silent client's state (dedup, peers) is forgotten after this; a retry older than that is lost. */
export const CLIENT_IDLE_EXPIRY_MS = 120_000;

/** A stream with no report for this long is removed (its 15-min window is then empty anyway). */
export const STREAM_IDLE_EXPIRY_MS = 900_000;

/** Clients tracked at once: 20k viewers at ~1 KB of state each is ~20 MB. */
export const MAX_CLIENTS = 20_000;

/**
 * Streams tracked at once. Each costs a few rings of ~6 KB; 200 covers a demo fleet. Reports for new
 * streams beyond this are counted under the stream "other" (not rejected): the totals stay true and
 * clients do not retry reports the server refused.
 */
export const MAX_STREAMS = 200;

/** Renditions per stream (a real ladder has 3–10, plus audio); more are summed under "other". */
export const MAX_RENDITIONS_PER_STREAM = 16;

/**
 * Raw stream ids remembered per stream key, to match tracker swarms (several hosts may serve one
 * origin stream: localhost, 127.0.0.1, a LAN address).
 */
export const MAX_STREAM_IDS_PER_STREAM = 4;

/**
 * Seqs above a client's highest contiguous one remembered for deduplication. Clients send in order
 * and retry the oldest first, so only a gap (a lost report) leaves seqs here; past this many the gap
 * is declared lost and forgotten.
 */
export const MAX_SEQS_AHEAD = 64;

/** Distinct stream label values in /metrics: the most-watched streams; the rest are `stream="other"`. */
export const MAX_METRIC_STREAM_LABELS = 50;

/** Longest stream label (a URL path can be long; Prometheus labels should stay readable). */
export const MAX_LABEL_CHARS = 64;

/** Streams in one JSON snapshot (with their 15-min series): the most-watched first. */
export const MAX_SNAPSHOT_STREAMS = 24;

/**
 * Plausibility cap for one report's byte counts: 2 GiB in a ~10 s interval is ~1.7 Gbit/s, beyond
 * any video player. A larger value is a bug or an attack and would poison the totals.
 */
export const MAX_REPORT_BYTES = 2 * 1024 ** 3;

/**
 * Segments failing verification in one report interval: one per segment at most, and a viewer loads
 * well under 100 segments in a 10 s interval; 10 000 is beyond any real client.
 */
export const MAX_REPORTED_INTEGRITY_FAILURES = 10_000;

/** A viewer keeps a handful of peers per swarm; 1000 is far beyond any real client. */
export const MAX_REPORTED_PEERS = 1000;

/** Lengths from the report contract (see sdk/src/core/report-types.ts). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const MAX_STREAM_ID_CHARS = 2048;
export const MAX_RENDITION_CHARS = 128;

/**
 * Plausibility cap on what one viewer can have received (HTTP + P2P), in bits per second: above a 4K
 * stream's ~25 Mbit/s. Bytes beyond it (after the burst below) are not counted ("rate").
 */
export const MAX_VIEWER_BITS_PER_SEC = 40_000_000;

/**
 * Seconds of a viewer's rate it may report at once: a player fills its buffer (hls.js: 30 s by
 * default) at link speed when it starts or seeks.
 */
export const REPORT_BURST_SEC = 30;

/**
 * A rendition whose key declares its bandwidth (`v842000-…`, the SDK's form) caps its viewers at this
 * multiple of it (never above the cap above): room for the buffer fill, ABR probing and seeks.
 */
export const RENDITION_RATE_HEADROOM = 3;

/**
 * New viewers (clientIds not yet counted) per client address: an office behind one NAT starting
 * together fits in the burst; a script minting viewers gets 2 a second.
 */
export const NEW_CLIENTS_PER_IP = { perSec: 2, burst: 200 } as const;

/** New streams per client address: a viewer opens a few; a script inventing stream ids does not. */
export const NEW_STREAMS_PER_IP = { perSec: 1 / 60, burst: 10 } as const;

/**
 * P2P transfers held for cross-checking: (swarm, sender, receiver) triples. A viewer has a handful of
 * peers per swarm, so 100k covers ~20k viewers; beyond it the least recently updated pair is dropped
 * and what only one side had claimed goes uncounted.
 */
export const MAX_TRANSFER_PAIRS = 100_000;

/**
 * A transfer pair with no report from either side for this long is dropped. Both sides report every
 * ~10 s, so two minutes leave room for a retried report; a claim the other side never confirms by
 * then is counted as unconfirmed.
 */
export const TRANSFER_PAIR_IDLE_MS = 120_000;

/** `GET /api/stats` is served from a snapshot at most this old (building one costs ~10-20 ms). */
export const SNAPSHOT_MAX_AGE_MS = 1_000;

/** Rate limit per clientId: the SDK sends one batch per ~10 s; a burst allows retries and the unload beacon. */
export const CLIENT_RATE_PER_SEC = 1;
export const CLIENT_RATE_BURST = 5;

/** Rate limit per client address: a NAT of a few hundred viewers reporting every 10 s stays under it. */
export const IP_RATE_PER_SEC = 50;
export const IP_RATE_BURST = 100;

/** Addresses with a rate-limit bucket at once; idle buckets are full and get dropped first. */
export const MAX_IP_BUCKETS = 10_000;

/** How often the origin's counters are sampled into the buckets. */
export const ORIGIN_SAMPLE_INTERVAL_MS = 1_000;

/** Origin streams followed (the catalog of a demo origin is small; this only bounds a big --hls-dir). */
export const MAX_ORIGIN_STREAMS = 64;

/** How often snapshots are pushed to dashboard clients. */
export const SSE_PUSH_INTERVAL_MS = 1_000;

/** Comment lines keep idle proxies from closing an event stream between snapshots. */
export const SSE_HEARTBEAT_INTERVAL_MS = 15_000;

/** `retry:` sent to EventSource clients: reconnect after 3 s when the stream drops. */
export const SSE_RETRY_MS = 3_000;

/** Dashboards connected at once; each costs one snapshot write per second. */
export const MAX_SSE_CLIENTS = 50;

/** A dashboard that does not read its stream is dropped once this much is queued for it. */
export const MAX_SSE_BUFFERED_BYTES = 4 * 1024 * 1024;

/** How often idle clients, streams and rate-limit buckets are swept. */
export const SWEEP_INTERVAL_MS = 5_000;

/** How often metric stream labels are re-assigned to the most-watched streams. */
export const LABEL_REBALANCE_INTERVAL_MS = 10_000;
