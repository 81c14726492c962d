// The `nearcast-server --help` text: every flag with its environment variable and default.
import { DEFAULT_SERVER_OPTIONS, LIMITS } from "../config.js";
import { DEFAULT_ICE_OPTIONS, TURN_TTL_LIMITS } from "../ice/ice-options.js";
import { DEFAULT_DIGEST_OPTIONS } from "../digests/digest-options.js";

export const USAGE = `Usage: nearcast-server [flags]
       nearcast-server digests <dir> [--check]   publish SHA-256 segment digests in an HLS folder

Nearcast server: WebSocket tracker (/tracker), viewer stats API, /metrics and dashboard, demo player,
and a demo HLS origin (VOD + simulated live) with a byte counter and CDN emulation.

Flags (each also read from the environment variable in brackets; a flag wins over its variable):
  --port <n>                TCP port, 0 = any free port [PORT] (default ${DEFAULT_SERVER_OPTIONS.port})
  --host <address>          bind address [NEARCAST_HOST] (default ${DEFAULT_SERVER_OPTIONS.host})
  --trust-proxy             take client addresses from X-Forwarded-For (behind your own proxy only)
                            [NEARCAST_TRUST_PROXY=1]
  --no-origin               do not serve the demo origin (/streams, /api/origin): production, where
                            your CDN serves the media [NEARCAST_ORIGIN=0]
  --media-dir <path>        folder of streams, one subfolder with master.m3u8 each
                            [NEARCAST_MEDIA_DIR] (default: demo-server/media in a checkout; the npm
                            package has none, so the demo origin is off unless this or --hls-dir)
  --hls-dir [name=]<path>   extra HLS folder to serve as stream <name> (default: folder name);
                            needs a master playlist or a single media playlist; repeatable
  --live-window <n>         segments in a live playlist, ${LIMITS.liveWindowSegments.min}-${LIMITS.liveWindowSegments.max} [NEARCAST_LIVE_WINDOW] (default ${DEFAULT_SERVER_OPTIONS.liveWindowSegments})
  --cdn-latency-ms <n>      delay before the first byte of each media response
                            [NEARCAST_CDN_LATENCY_MS] (default 0 = off)
  --cdn-bandwidth-kbps <n>  bandwidth cap per media request in kbit/s
                            [NEARCAST_CDN_BANDWIDTH_KBPS] (default 0 = unlimited)

HTTP connections per client address (IPv4 address or IPv6 /64; refusals in /metrics as
nearcast_server_refused_total{reason}):
  --max-http-connections-per-ip <n>
                            open HTTP connections from one address, ${LIMITS.maxHttpConnectionsPerIp.min}-${LIMITS.maxHttpConnectionsPerIp.max}; more are
                            closed on arrival (connection_ip_limit); not applied with --trust-proxy
                            [NEARCAST_MAX_HTTP_CONNECTIONS_PER_IP] (default ${DEFAULT_SERVER_OPTIONS.maxHttpConnectionsPerIp})
  --max-responses-in-flight-per-ip <n>
                            requests from one address still being answered, ${LIMITS.maxResponsesInFlightPerIp.min}-${LIMITS.maxResponsesInFlightPerIp.max}; more are
                            answered 503 (response_ip_limit); the address from X-Forwarded-For with
                            --trust-proxy [NEARCAST_MAX_RESPONSES_IN_FLIGHT_PER_IP] (default ${DEFAULT_SERVER_OPTIONS.maxResponsesInFlightPerIp})
  --write-stall-timeout-ms <n>
                            reset a connection whose queued response bytes reached the kernel not
                            once in this long (a client that stopped reading), ${LIMITS.writeStallTimeoutMs.min}-${LIMITS.writeStallTimeoutMs.max}
                            (write_stalled) [NEARCAST_WRITE_STALL_TIMEOUT_MS] (default ${DEFAULT_SERVER_OPTIONS.writeStallTimeoutMs})

ICE servers handed to viewers at GET /api/ice (SDK option iceConfigUrl):
  --stun-url <url>          STUN server, repeatable; replaces the default public STUN servers
                            (${DEFAULT_ICE_OPTIONS.stunUrls.join(", ")}); "none" for none
                            [NEARCAST_STUN_URLS, comma-separated]
  --turn-url <url>          TURN server (coturn), repeatable, e.g. turn:turn.example.com:3478?transport=udp
                            [NEARCAST_TURN_URLS, comma-separated]; needs NEARCAST_TURN_SECRET (coturn's
                            --static-auth-secret), from the environment only. TURN is off without it:
                            it relays the P2P traffic of the viewers it serves through your server
  --turn-ttl-sec <n>        lifetime of each TURN credential, ${TURN_TTL_LIMITS.min}-${TURN_TTL_LIMITS.max}
                            [NEARCAST_TURN_TTL_SEC] (default ${DEFAULT_ICE_OPTIONS.turnTtlSec}); never beyond the
                            expiry of the join token that obtained it
  --turn-open               hand TURN credentials without join tokens (anyone reaching /api/ice may
                            relay through your TURN server) [NEARCAST_TURN_OPEN=1]; without it, TURN
                            needs --tracker-token-secret-file and the server refuses to start

Tracker access control (all off by default = an open tracker):
  --tracker-token-secret-file <path>
                            require a signed join token (?token= on the tracker URL); the HMAC
                            secret (>= 16 bytes) is read from this file
                            [NEARCAST_TRACKER_TOKEN_SECRET_FILE, or NEARCAST_TRACKER_TOKEN_SECRET
                            holding the secret itself]
  --tracker-allowed-origins <list>
                            comma-separated page origins (https://site.example) allowed to open the
                            tracker WebSocket [NEARCAST_TRACKER_ALLOWED_ORIGINS]
  --tracker-allowed-info-hashes <list>
                            comma-separated info-hashes (40 hex) that may be announced; others are
                            refused [NEARCAST_TRACKER_ALLOWED_INFO_HASHES]
  --redis <url>             share tracker swarms and viewer stats with every instance on this Redis
                            (redis://host:port) [NEARCAST_REDIS_URL] (default: one process, no Redis);
                            needs the same --server-secret-file on every instance

Secrets (files or environment only: a secret on the command line shows in ps):
  --server-secret-file <path>
                            the server's own secret (>= 16 bytes): signs viewer sessions and address
                            fingerprints [NEARCAST_SERVER_SECRET_FILE, or NEARCAST_SERVER_SECRET]
                            (default: random at each start)
  --admin-secret-file <path>
                            the operator's secret for admin actions (POST /api/origin/stats/reset with
                            Authorization: Bearer <secret>) [NEARCAST_ADMIN_SECRET_FILE, or
                            NEARCAST_ADMIN_SECRET] (default: none = admin actions refused)

Viewer stats:
  --accept-anonymous-reports
                            also count reports without a tracker session (players using another
                            tracker); anyone can then write the figures within the rate caps
                            [NEARCAST_ACCEPT_ANONYMOUS_REPORTS=1] (default: a session is required)
  --no-digests              do not publish SHA-256 segment digests in playlists, only to measure
                            what verification costs [NEARCAST_DIGESTS=0]

Digest service (POST /api/digests: SHA-256 of segments of origins that publish none, for viewers to
verify bytes from peers; see docs/digest-service.md):
  --digests-min-swarm <n>   serve swarms of at least n viewers; smaller ones are told to use CDN spot
                            checks; 0 = service off [NEARCAST_DIGESTS_MIN_SWARM] (default ${DEFAULT_DIGEST_OPTIONS.minSwarmSize})
  --digests-allow-private <list>
                            private/loopback addresses it may fetch from: IP or CIDR[:port], e.g.
                            10.0.0.0/8,127.0.0.1:8081 [NEARCAST_DIGESTS_ALLOW_PRIVATE] (default none;
                            this server's own demo origin is always allowed)
  --digests-allowed-origins <list>
                            fetch only from these origins (https://cdn.example); playlists there need
                            no manifest [NEARCAST_DIGESTS_ALLOWED_ORIGINS] (default any public origin)
  --digests-origin-headers-file <path>
                            JSON {"https://cdn.example": {"Header": "value"}}: headers sent to that
                            origin only, for credentialed CDNs [NEARCAST_DIGESTS_ORIGIN_HEADERS_FILE]

  -h, --help                show this help

Environment: LOG_LEVEL (pino level, default info; logs go to stderr as JSON lines).

Mint a join token (the secret from NEARCAST_TRACKER_TOKEN_SECRET or --tracker-token-secret-file):
  nearcast-server token --stream <stream key> [--info-hash <hex>] [--ttl <seconds, default 3600>]
`;
