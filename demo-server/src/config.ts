// Options of the demo server, with a documented default for every key, and the repository paths it
// serves from. Paths are resolved from this file's location, never from the working directory.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { HlsDirSpec } from "./origin/catalog-types.js";
import { DEFAULT_ICE_OPTIONS, iceOptionsProblem, type IceOptions } from "./ice/ice-options.js";
import type { AccessOptions } from "./net/access-policy.js";
import { checkServerSecret } from "./net/server-keys.js";
import { resolveDigestOptions, type DigestServiceOptions } from "./digests/digest-options.js";

/**
 * Root of the nearcast-server package: `demo-server/` in the repository, `node_modules/nearcast-server/`
 * once installed. This file runs from `src/` (tsx, tests) or `dist/` (the built server); both sit one
 * level below it.
 */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Root of the repository (meaningful only in a checkout: tests and benches use it). */
export const REPO_ROOT = path.resolve(PACKAGE_ROOT, "..");

/**
 * The demo media: in a checkout only. The npm package does not ship it (`files` in package.json), so an
 * installed server without `mediaDir` starts without the demo streams and says so (origin/demo-media.ts).
 */
export const DEFAULT_MEDIA_DIR = path.join(PACKAGE_ROOT, "media");

/**
 * Static files written by `npm run build` (scripts/build.mjs): the demo player page with its bundles
 * and the SDK's script-tag bundle under `sdk/`, and the dashboard under `dashboard/`. Missing until the
 * first build; the server then says so at start-up and on `/`.
 */
export const PUBLIC_DIR = path.join(PACKAGE_ROOT, "public");

/** The live dashboard page and its bundle (`/dashboard`), inside {@link PUBLIC_DIR}. */
export const DASHBOARD_DIR = path.join(PUBLIC_DIR, "dashboard");

export interface ServerOptions {
  /** TCP port; 0 = any free port. @default 8080 */
  port: number;
  /**
   * Bind address. @default "127.0.0.1": this machine only (the demo origin and player are not for the
   * LAN by accident); "0.0.0.0" or "::" to accept other machines, e.g. a LAN demo.
   */
  host: string;
  /**
   * Folder whose subfolders with a master.m3u8 are served as streams; a missing folder fails start-up
   * (CatalogError naming it). @default undefined = {@link DEFAULT_MEDIA_DIR} when it exists (a
   * checkout), else none: the origin serves only `hlsDirs`, or is off without them, and the server logs
   * that the demo media is not installed.
   */
  mediaDir: string | undefined;
  /** Extra HLS folders served as streams (`--hls-dir`). @default [] */
  hlsDirs: HlsDirSpec[];
  /** Segments listed in a live playlist. @default 20 */
  liveWindowSegments: number;
  /** CDN emulation: delay before the first byte of each media response. 0 = off. @default 0 */
  cdnLatencyMs: number;
  /** CDN emulation: bandwidth cap per media request, kbit/s. 0 = unlimited. @default 0 */
  cdnBandwidthKbps: number;
  /**
   * CDN emulation: delay before each playlist response (master and media playlists), ms. A far CDN
   * delays playlists like media; the browser bench sets it to its origin delay. 0 = off. @default 0
   */
  cdnPlaylistLatencyMs: number;
  /** Wall clock (epoch ms) driving the simulated live streams; tests inject a fake one. @default Date.now */
  clock: () => number;
  /** Structured logger. @default a silent logger */
  logger: Logger | undefined;
  /**
   * Trust `X-Forwarded-For` (rightmost entry) for the tracker's proximity grouping. Only behind a
   * reverse proxy you run: otherwise any client could claim any address. @default false
   */
  trustProxy: boolean;
  /**
   * Serve the demo origin (`/streams/…`, `/api/origin/…`) from `mediaDir` and `hlsDirs`. Off in
   * production, where the CDN serves the media: the media folders are then never read, `/metrics`
   * has no origin series and the dashboard no origin comparison. @default true
   */
  origin: boolean;
  /** ICE servers handed to viewers at `GET /api/ice` (STUN; TURN off unless configured). */
  ice: IceOptions;
  /**
   * Tracker access control (see README "Running it in production", docs/tracker-access.md): join-token secret, Origin allow-list,
   * info-hash allow-list. @default all undefined = an open tracker
   */
  trackerAccess: AccessOptions;
  /**
   * Scale-out: tracker swarms and viewer stats are shared with every instance on this Redis
   * (`redis://host:port[/db]`), so viewers on different instances meet and any instance's dashboard
   * shows the sum over all. Unset = one self-contained process. @default undefined
   */
  redisUrl: string | undefined;
  /**
   * Publish SHA-256 digests of every segment and init segment in the media playlists
   * (`#EXT-X-NEARCAST-SHA256`, see the README). Off only to measure what verification costs.
   * @default true
   */
  publishDigests: boolean;
  /**
   * The server's own secret (≥ 16 bytes): signs the sessions the tracker hands to viewers (their
   * stats reports carry them) and the address fingerprints relayed with offers. Required with
   * `redisUrl`: every instance must share it. @default undefined = a random one per start
   */
  serverSecret: string | undefined;
  /**
   * The operator's secret (≥ 16 bytes) for admin actions: `POST /api/origin/stats/reset` needs
   * `Authorization: Bearer <it>`. Unset: admin actions are refused. @default undefined
   */
  adminSecret: string | undefined;
  /**
   * Hand TURN credentials to anyone who can reach `/api/ice`, without join tokens. Refused at start
   * otherwise: TURN relays viewers' traffic through the operator's server. @default false
   */
  turnOpen: boolean;
  /**
   * Count stats reports that carry no tracker session, as before sessions existed: anyone can then
   * write the figures (within the rate caps), so only for players that use another tracker.
   * @default false
   */
  acceptAnonymousReports: boolean;
  /**
   * Time a client has to send a request's headers (Node's `headersTimeout`): a client that trickles
   * them is cut after this. Browsers send them in one packet. @default 10_000
   */
  headersTimeoutMs: number;
  /**
   * Time a client has to send a whole request, headers and body (Node's `requestTimeout`); the
   * largest body is a 64 KiB stats report. @default 30_000
   */
  requestTimeoutMs: number;
  /**
   * Connections still sending their first request's headers, from all addresses together; the
   * oldest is closed when one more arrives (see net/connection-gate.ts). @default 1_000
   */
  maxPendingConnections: number;
  /** The same, from one address (IPv4 address or IPv6 /64). @default 32 */
  maxPendingConnectionsPerIp: number;
  /**
   * Open HTTP connections from one socket address (IPv4 address or IPv6 /64), whatever they are doing
   * (sending headers, waiting for or reading a response, idle in keep-alive); WebSockets handed to the
   * tracker leave this count, they have the tracker's own. A newcomer over the cap is closed at once
   * (`connection_ip_limit`). A browser opens at most 6 connections to one host, so 256 leaves room
   * for 40 busy viewers behind one NAT. Not applied with `trustProxy`: every connection then comes
   * from the proxy, and {@link ServerOptions.maxResponsesInFlightPerIp} limits each viewer instead.
   * @default 256
   */
  maxHttpConnectionsPerIp: number;
  /**
   * Requests from one client address whose response has not finished (handed in full to the
   * connection, or the connection closed), the address resolved as everywhere else
   * (`X-Forwarded-For` with `trustProxy`; IPv4 address or IPv6 /64). One more is answered 503 with `Retry-After: 1` (`response_ip_limit`). Bounds what one
   * address can make the server buffer, also through pipelined requests on one connection. An hls.js
   * viewer has one or two requests in flight. @default 128
   */
  maxResponsesInFlightPerIp: number;
  /**
   * A connection whose response bytes wait in the server's buffers while none reach the kernel for
   * this long is reset (`write_stalled`): a client that stops reading frees what it holds within this
   * bound. The kernel takes more bytes only once half its send buffer has drained, so an honest
   * slow reader shows progress in bursts seconds apart; the default leaves a 300 kbit/s viewer on a
   * link with a second of queue three times its longest gap (docs/production.md, "Slow readers").
   * @default 30_000
   */
  writeStallTimeoutMs: number;
  /**
   * The digest service at `POST /api/digests` (docs/digest-service.md): SHA-256 of segments of
   * origins that publish none, for swarms of at least `minSwarmSize` viewers (0 = off).
   * @default DEFAULT_DIGEST_OPTIONS
   */
  digests: Partial<DigestServiceOptions>;
}

export const DEFAULT_SERVER_OPTIONS: Readonly<ServerOptions> = {
  port: 8080,
  host: "127.0.0.1",
  mediaDir: undefined,
  hlsDirs: [],
  liveWindowSegments: 20,
  cdnLatencyMs: 0,
  cdnBandwidthKbps: 0,
  cdnPlaylistLatencyMs: 0,
  clock: Date.now,
  logger: undefined,
  trustProxy: false,
  origin: true,
  ice: DEFAULT_ICE_OPTIONS,
  trackerAccess: { joinTokenSecret: undefined, allowedOrigins: undefined, allowedInfoHashes: undefined },
  redisUrl: undefined,
  publishDigests: true,
  serverSecret: undefined,
  adminSecret: undefined,
  turnOpen: false,
  acceptAnonymousReports: false,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxPendingConnections: 1_000,
  maxPendingConnectionsPerIp: 32,
  maxHttpConnectionsPerIp: 256,
  maxResponsesInFlightPerIp: 128,
  writeStallTimeoutMs: 30_000,
  digests: {},
};

/** Bounds shared by the CLI and by {@link resolveServerOptions}. */
export const LIMITS = {
  port: { min: 0, max: 65535 },
  liveWindowSegments: { min: 1, max: 10_000 },
  cdnLatencyMs: { min: 0, max: 60_000 },
  cdnBandwidthKbps: { min: 0, max: 100_000_000 },
  cdnPlaylistLatencyMs: { min: 0, max: 60_000 },
  headersTimeoutMs: { min: 1_000, max: 120_000 },
  requestTimeoutMs: { min: 1_000, max: 600_000 },
  maxPendingConnections: { min: 1, max: 100_000 },
  maxPendingConnectionsPerIp: { min: 1, max: 100_000 },
  maxHttpConnectionsPerIp: { min: 1, max: 100_000 },
  maxResponsesInFlightPerIp: { min: 1, max: 100_000 },
  writeStallTimeoutMs: { min: 1_000, max: 600_000 },
} as const;

/** Thrown for an impossible option value; `option` names the key. */
export class ServerOptionsError extends Error {
  override name = "ServerOptionsError";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** Merges a partial config with the defaults and rejects impossible values. */
export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
  const options: ServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...stripUndefined(partial) };
  for (const key of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const { min, max } = LIMITS[key];
    const value = options[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ServerOptionsError(key, `${key} must be an integer ${min}-${max}, got ${String(value)}`);
    }
  }
  if (options.host.trim() === "") throw new ServerOptionsError("host", "host must not be empty");
  options.ice = { ...DEFAULT_ICE_OPTIONS, ...stripUndefined(options.ice) };
  const iceProblem = iceOptionsProblem(options.ice);
  if (iceProblem) throw new ServerOptionsError("ice", iceProblem);
  try {
    options.digests = resolveDigestOptions(options.digests);
  } catch (error) {
    throw new ServerOptionsError("digests", (error as Error).message);
  }
  checkSafeDefaults(options);
  return options;
}

/** The combinations that would leave an open port unsafe or a scale-out inconsistent. */
function checkSafeDefaults(options: ServerOptions): void {
  for (const key of ["serverSecret", "adminSecret"] as const) {
    const secret = options[key];
    if (secret === undefined) continue;
    try {
      checkServerSecret(secret);
    } catch {
      throw new ServerOptionsError(key, `${key} must be at least 16 bytes`);
    }
  }
  if (options.requestTimeoutMs < options.headersTimeoutMs) {
    throw new ServerOptionsError("requestTimeoutMs", "requestTimeoutMs must not be below headersTimeoutMs");
  }
  if (options.redisUrl !== undefined && options.serverSecret === undefined) {
    throw new ServerOptionsError(
      "serverSecret",
      "with Redis every instance needs the same server secret (--server-secret-file or " +
        "NEARCAST_SERVER_SECRET): sessions minted by one instance are checked by another",
    );
  }
  if (
    options.ice.turnUrls.length > 0 &&
    options.trackerAccess.joinTokenSecret === undefined &&
    !options.turnOpen
  ) {
    throw new ServerOptionsError(
      "turnOpen",
      "TURN without join tokens hands relay credentials to anyone: set a join-token secret " +
        "(--tracker-token-secret-file) or say it is open on purpose (--turn-open)",
    );
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
