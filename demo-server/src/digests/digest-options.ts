// Options of the digest service (docs/digest-service.md), each with its default and the reason for
// it, and the merge that rejects impossible values.

/** Token bucket: sustained requests per second and how many may come back to back. */
export interface DigestRateLimit {
  perSec: number;
  burst: number;
}

export interface DigestServiceOptions {
  /**
   * Smallest swarm (viewers of one rendition, over every tracker instance) served digests; smaller
   * swarms are answered `served: false, reason: "small_swarm"` and verify with CDN spot checks.
   * 0 switches the service off (`/api/digests` answers 404).
   *
   * Why 100: the service downloads each segment of a rendition once. Those bytes leave the origin
   * like any viewer's, so offload measured at the origin drops by 1/N for a swarm of N viewers.
   * Issue 18's budget for the default protection is ≤ 0.01 offload at N ≥ 100 and ≤ 0.04 at N = 6:
   * 1/N ≤ 0.01 holds from N = 100, while at N = 6 one download costs 0.17 — there the SDK's spot
   * checks (a few KiB per segment and viewer, a cost that does not grow as N shrinks) are what fits.
   * @default 100
   */
  minSwarmSize: number;
  /**
   * Private, loopback, link-local and other non-public destinations the service may fetch from
   * (it refuses them otherwise: SSRF). Entries: an IP or CIDR, optionally with `:port` (IPv6 in
   * brackets): `10.0.0.0/8`, `127.0.0.1:8080`, `[::1]:8080`. The server's own demo origin is allowed
   * without an entry. @default []
   */
  allowPrivate: string[];
  /**
   * Origins (`https://cdn.example`) allowed to be fetched. Set: manifests, playlists and segments on
   * other origins are refused, and a playlist on a listed origin needs no manifest (pages that set
   * `streamId`). Unset: any public origin reachable from the stream key's manifest. @default undefined
   */
  allowedOrigins: string[] | undefined;
  /**
   * Request headers per origin for credentialed CDNs, e.g.
   * `{ "https://cdn.example": { "Authorization": "Bearer …" } }`; sent to that origin only (not to a
   * redirect target elsewhere). @default {}
   */
  originHeaders: Record<string, Record<string, string>>;
  /** A JSON file holding `originHeaders` (read once at start: secrets stay out of argv). @default undefined */
  originHeadersFile: string | undefined;
  /** Longest a request waits for a fetch in progress before that segment answers `pending`, ms. @default 2000 */
  maxWaitMs: number;
  /** Connect + response headers of one origin request, ms. @default 5000 */
  firstByteTimeoutMs: number;
  /** Whole origin request, ms (a fetch goes on after its asker's wait ends, for later asks). @default 20000 */
  fetchTimeoutMs: number;
  /** Largest segment hashed, bytes (hashing streams: this bounds time and origin bytes, not memory). @default 64 MiB */
  maxSegmentBytes: number;
  /** Largest playlist read, bytes. @default 1 MiB */
  maxPlaylistBytes: number;
  /** Redirects followed per origin request (each target checked like the first). @default 3 */
  maxRedirects: number;
  /** Origin requests at once. @default 8 */
  maxConcurrentFetches: number;
  /** Segment fetches waiting for a slot; beyond, `unavailable: overloaded`. @default 64 */
  maxQueuedFetches: number;
  /** Digests kept. @default 50000 */
  maxCachedDigests: number;
  /** Estimated memory of kept digests and their keys, bytes. @default 16 MiB */
  maxCacheBytes: number;
  /** How long a digest of a segment no followed playlist lists is kept, ms. @default 600000 */
  digestTtlMs: number;
  /** How long an origin failure (timeout, 5xx, unreachable) is remembered, so asks do not pile on, ms. @default 2000 */
  failureTtlMs: number;
  /** Media playlists known (followed or indexed) at once; the least recently asked idle one goes first. @default 64 */
  maxPlaylists: number;
  /** Segment entries remembered per playlist (a live window, or a VOD's segments). @default 20000 */
  maxEntriesPerPlaylist: number;
  /** Streams whose manifest's variant list is remembered. @default 256 */
  maxStreams: number;
  /** How long a manifest's variant list is trusted before it is fetched again, ms. @default 60000 */
  manifestTtlMs: number;
  /** Newest segments hashed when a live playlist is first followed (later ones as they appear). @default 3 */
  precomputeTail: number;
  /** Requests per client address (IPv4 address, IPv6 /64). @default 20/s, burst 40 */
  ipRateLimit: DigestRateLimit;
  /** Requests per session (peer_id in a swarm until the tracker issues sessions). @default 10/s, burst 20 */
  sessionRateLimit: DigestRateLimit;
  /** Rate-limit buckets kept (least recently used evicted). @default 10000 */
  maxRateKeys: number;
}

export const DEFAULT_DIGEST_OPTIONS: Readonly<DigestServiceOptions> = {
  minSwarmSize: 100,
  allowPrivate: [],
  allowedOrigins: undefined,
  originHeaders: {},
  originHeadersFile: undefined,
  maxWaitMs: 2000,
  firstByteTimeoutMs: 5000,
  fetchTimeoutMs: 20_000,
  maxSegmentBytes: 64 * 1024 * 1024,
  maxPlaylistBytes: 1024 * 1024,
  maxRedirects: 3,
  maxConcurrentFetches: 8,
  maxQueuedFetches: 64,
  maxCachedDigests: 50_000,
  maxCacheBytes: 16 * 1024 * 1024,
  digestTtlMs: 600_000,
  failureTtlMs: 2000,
  maxPlaylists: 64,
  maxEntriesPerPlaylist: 20_000,
  maxStreams: 256,
  manifestTtlMs: 60_000,
  precomputeTail: 3,
  ipRateLimit: { perSec: 20, burst: 40 },
  sessionRateLimit: { perSec: 10, burst: 20 },
  maxRateKeys: 10_000,
};

const INTEGER_LIMITS: Partial<Record<keyof DigestServiceOptions, [min: number, max: number]>> = {
  minSwarmSize: [0, 1_000_000],
  maxWaitMs: [0, 60_000],
  firstByteTimeoutMs: [100, 120_000],
  fetchTimeoutMs: [100, 600_000],
  maxSegmentBytes: [1, 2 ** 40],
  maxPlaylistBytes: [1024, 64 * 1024 * 1024],
  maxRedirects: [0, 10],
  maxConcurrentFetches: [1, 1000],
  maxQueuedFetches: [0, 100_000],
  maxCachedDigests: [1, 10_000_000],
  maxCacheBytes: [1024, 2 ** 34],
  digestTtlMs: [1000, 7 * 24 * 3_600_000],
  failureTtlMs: [0, 600_000],
  maxPlaylists: [1, 100_000],
  maxEntriesPerPlaylist: [1, 1_000_000],
  maxStreams: [1, 100_000],
  manifestTtlMs: [0, 24 * 3_600_000],
  precomputeTail: [0, 100],
  maxRateKeys: [1, 10_000_000],
};

/**
 * The options merged over {@link DEFAULT_DIGEST_OPTIONS}.
 * @throws RangeError naming the option for an impossible value.
 */
export function resolveDigestOptions(partial: Partial<DigestServiceOptions> = {}): DigestServiceOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const options: DigestServiceOptions = { ...DEFAULT_DIGEST_OPTIONS, ...defined };
  for (const [key, [min, max]] of Object.entries(INTEGER_LIMITS) as [
    keyof DigestServiceOptions,
    [number, number],
  ][]) {
    const value = options[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new RangeError(`digests.${key} must be an integer ${min}-${max}, got ${String(value)}`);
    }
  }
  if (options.fetchTimeoutMs < options.firstByteTimeoutMs) {
    throw new RangeError("digests.fetchTimeoutMs must be >= digests.firstByteTimeoutMs");
  }
  for (const key of ["ipRateLimit", "sessionRateLimit"] as const) {
    const { perSec, burst } = options[key];
    if (!(perSec > 0) || !(burst >= 1))
      throw new RangeError(`digests.${key} needs perSec > 0 and burst >= 1`);
  }
  return options;
}
