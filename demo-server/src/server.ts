// Composition root of the demo server: one HTTP server carrying the demo origin, the tracker
// (WebSocket upgrade at /tracker), the stats API and the static demo player. Services are built here
// and handed only what they need; nothing else wires them together.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import express from "express";
import type { NextFunction, Request, Response } from "express";
import pino from "pino";
import { DASHBOARD_DIR, DEFAULT_MEDIA_DIR, PUBLIC_DIR, resolveServerOptions } from "./config.js";
import type { ServerOptions } from "./config.js";
import { sendError } from "./origin/http-headers.js";
import { createOrigin, disabledOrigin } from "./origin/origin-service.js";
import { DEMO_MEDIA_MISSING, DEMO_MEDIA_MISSING_HLS_ONLY, planOrigin } from "./origin/demo-media.js";
import type { OriginHandle } from "./origin/origin-service.js";
import { createTracker, trackerStatsJson, type SwarmAccess, type Tracker } from "./tracker/index.js";
import { createStatsService, type StatsService } from "./stats/index.js";
import { createIceRouter, type IceRequestResult } from "./ice/ice-router.js";
import { AccessPolicy } from "./net/access-policy.js";
import { requireAdmin } from "./net/admin-guard.js";
import { ConnectionGate } from "./net/connection-gate.js";
import { ResponseBudget } from "./net/response-budget.js";
import { WriteStallWatch } from "./net/write-stall.js";
import { ADMIN_REFUSALS, zeroCounts } from "./net/refusal-reasons.js";
import { membershipAccess } from "./digests/digest-access.js";
import { registerDigestMetrics } from "./digests/digest-metrics.js";
import { resolveDigestOptions } from "./digests/digest-options.js";
import { createDigestRouter } from "./digests/digest-router.js";
import { DigestService } from "./digests/digest-service.js";

export type { ServerOptions } from "./config.js";
export type { OriginHandle } from "./origin/origin-service.js";
export type { OriginStatsSnapshot } from "./origin/origin-counters.js";
export { mintJoinToken, verifyJoinToken } from "./net/join-token.js";
export type { JoinGrant, MintJoinTokenOptions } from "./net/join-token.js";
export type { AccessOptions } from "./net/access-policy.js";
export type { SessionClaims } from "./net/session-token.js";
export type { SwarmAccess } from "./tracker/index.js";

export interface RunningServer {
  /** Base URL without trailing slash, reachable from this machine (e.g. `http://127.0.0.1:41234`). */
  url: string;
  port: number;
  httpServer: http.Server;
  app: express.Express;
  /** The demo origin: catalog and byte counters (no streams, zero counters when it is off). */
  origin: OriginHandle;
  /** `/streams/…` and `/api/origin/…` are served: `origin` was on and there was media to serve. */
  originOn: boolean;
  /** No `mediaDir` was given and the package's demo media is not installed (origin/demo-media.ts). */
  demoMediaMissing: boolean;
  /** The digest service's smallest swarm it serves (`POST /api/digests`), or undefined when it is off. */
  digestMinSwarm: number | undefined;
  /** The WebSocket tracker at `/tracker`, and what it answers about sessions and swarms. */
  tracker: Tracker & SwarmAccess;
  /** The stats service behind /api/stats, /metrics and the dashboard (`snapshot()` is always fresh). */
  stats: StatsService;
  /** Stops accepting, drops keep-alive and in-flight connections, releases every service. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const config = resolveServerOptions(options);
  const logger = config.logger ?? pino({ level: "silent" });
  /** Release functions of the services, run by close() in reverse order. */
  const closers: (() => Promise<void> | void)[] = [];

  // Built first, so a bad digests option (allow-list entry, headers file) fails start-up before any
  // service holds a timer. Access: the tracker's sessions (membership from the same network without one).
  const digestOptions = resolveDigestOptions(config.digests);
  const digests =
    digestOptions.minSwarmSize === 0
      ? undefined
      : new DigestService({
          options: digestOptions,
          access: membershipAccess({
            verifySession: (session) => tracker.verifySession(session),
            isMember: (viewer, infoHash) => tracker.isMember(viewer, infoHash),
            isMemberAt: (infoHash, peerId, address) => tracker.isMemberAt(infoHash, peerId, address),
            swarmSize: (infoHash) => tracker.swarmSize(infoHash),
          }),
          logger,
        });

  const plan = planOrigin(config, DEFAULT_MEDIA_DIR);
  if (plan.demoMediaMissing) {
    logger.warn({ dir: DEFAULT_MEDIA_DIR }, plan.origin ? DEMO_MEDIA_MISSING_HLS_ONLY : DEMO_MEDIA_MISSING);
  }
  const origin = plan.origin
    ? await createOrigin({
        mediaDir: plan.mediaDir,
        hlsDirs: config.hlsDirs,
        liveWindowSegments: config.liveWindowSegments,
        cdn: {
          latencyMs: config.cdnLatencyMs,
          bandwidthKbps: config.cdnBandwidthKbps,
          playlistLatencyMs: config.cdnPlaylistLatencyMs,
        },
        clock: config.clock,
        publishDigests: config.publishDigests,
        warn: (message) => logger.warn(message),
      })
    : disabledOrigin(config.clock);

  // One secret signs what the tracker hands out (sessions, address fingerprints) and what the stats
  // service checks; random per start unless the operator shares one between instances.
  const serverSecret = config.serverSecret ?? randomBytes(32).toString("base64url");
  const tracker = createTracker({
    ...config.trackerAccess,
    trustProxy: config.trustProxy,
    logger,
    redisUrl: config.redisUrl,
    serverSecret,
  });

  const app = express();
  app.disable("x-powered-by");

  app.get("/api/tracker/stats", (_req, res) => {
    res.type("json").set("Cache-Control", "no-store").send(trackerStatsJson(tracker));
  });

  // ── ICE servers for viewers (STUN, short-lived TURN credentials): /api/ice ─────────────────
  // Under the tracker's access rules: TURN credentials go only to those who may use the tracker.
  const iceRequests = new Map<IceRequestResult, number>();
  app.use(
    createIceRouter(
      config.ice,
      config.clock,
      new AccessPolicy(config.trackerAccess, config.clock),
      iceRequests,
    ),
  );

  // ── Digest service: POST /api/digests (unless minSwarmSize is 0) ─────────────────────────────
  if (digests !== undefined) {
    app.use(createDigestRouter(digests, { trustProxy: config.trustProxy, limits: digestOptions }));
    closers.push(() => digests.close());
  }

  // ── Demo origin: /streams/… and /api/origin/… (unless switched off); resetting needs the admin secret.
  const adminRefusals = zeroCounts(ADMIN_REFUSALS);
  if (plan.origin) {
    app.post("/api/origin/stats/reset", requireAdmin(config.adminSecret, adminRefusals));
    app.use(origin.router);
  }
  const gate = new ConnectionGate(config);
  const responses = new ResponseBudget(config);

  // ── Stats API: /api/stats/…, /metrics and the /dashboard page. ─────────────────────────────
  const stats = createStatsService({
    origin: plan.origin ? origin : undefined,
    tracker,
    iceRequests,
    clock: config.clock,
    logger,
    trustProxy: config.trustProxy,
    redisUrl: config.redisUrl,
    dashboardDir: DASHBOARD_DIR,
    verifySession: (token) => tracker.verifySession(token),
    acceptAnonymousReports: config.acceptAnonymousReports,
    serverRefusals: () => ({ ...adminRefusals, ...gate.refused, ...responses.refused }),
    registerMetrics:
      digests && ((registry) => registerDigestMetrics(registry, digests.counters, () => digests.gauges())),
  });
  app.use(stats.router);
  closers.push(() => stats.close());

  // ── Demo player (static, built by `npm run build`). Until then `/` says how to build it. ───────
  if (!existsSync(path.join(PUBLIC_DIR, "index.html"))) {
    logger.warn(
      { dir: PUBLIC_DIR },
      "demo player not built: run `npm run build`; `/` lists the streams only",
    );
  }
  app.use(express.static(PUBLIC_DIR));
  app.get("/", (_req, res) => sendLandingPage(res, plan.origin ? origin : undefined));

  app.use((_req, res) => sendError(res, 404, "not found"));
  app.use(errorHandler(logger));

  // Timeouts chosen, not inherited: headers within headersTimeoutMs, the whole request within
  // requestTimeoutMs, checked every second (Node's default check runs every 30 s); connections
  // still sending headers capped per address and in total, open connections per address
  // (net/connection-gate.ts); responses in flight per address, refused before any handler runs
  // (net/response-budget.ts); a response that stops draining cut after writeStallTimeoutMs
  // (net/write-stall.ts). Node's keepAliveTimeout (5 s) closes idle connections between requests.
  const httpServer = http.createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    },
    (req, res) => {
      if (responses.admit(req, res)) app(req, res);
    },
  );
  gate.attach(httpServer);
  const stalls = new WriteStallWatch(
    { writeStallTimeoutMs: config.writeStallTimeoutMs, checkIntervalMs: CONNECTIONS_CHECKING_INTERVAL_MS },
    () => gate.openSockets(),
    (socket) => gate.cut(socket, "write_stalled"),
  );
  closers.push(() => stalls.close());

  // ── Tracker: WebSocket upgrades at /tracker; any other upgrade is refused. ───────────────────
  tracker.attach(httpServer, "/tracker");
  closers.push(() => tracker.close());
  httpServer.on("upgrade", (req, socket) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/tracker") socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
  });

  await listen(httpServer, config.port, config.host);
  const port = (httpServer.address() as AddressInfo).port;
  // The demo origin is on this server: its own port may be fetched on loopback and local addresses.
  if (plan.origin) digests?.guard.allowSelf(port);
  const url = `http://${reachableHost(config.host)}:${port}`;
  logger.debug({ url }, "demo server listening");

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const closer of closers.reverse()) await closer();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    })();
    return closing;
  };

  return {
    url,
    port,
    httpServer,
    app,
    origin,
    originOn: plan.origin,
    demoMediaMissing: plan.demoMediaMissing,
    digestMinSwarm: digests ? digestOptions.minSwarmSize : undefined,
    tracker,
    stats,
    close,
  };
}

/** How often Node checks every connection against the header and request timeouts, and we for stalled writes. */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** An address a local client can connect to, for a server bound to `host`. */
function reachableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Shown at `/` until the demo player is built: where the streams are. */
function sendLandingPage(res: Response, origin: OriginHandle | undefined): void {
  const links = [...(origin?.catalog.streams.keys() ?? [])].flatMap((name) =>
    ["live", "vod"].map((mode) => `/streams/${name}/${mode}/master.m3u8`),
  );
  const items = [...links, ...(origin ? ["/api/origin/stats"] : []), "/api/tracker/stats"].map(
    (link) => `<li><a href="${link}">${link}</a></li>`,
  );
  res
    .status(200)
    .type("html")
    .send(
      `<!doctype html><title>Nearcast demo server</title><h1>Nearcast demo server</h1>` +
        `<p>The demo player is not built yet: run <code>npm run build</code> in the repository. Streams and APIs:</p><ul>${items.join("")}</ul>`,
    );
}

/** Last-resort handler: a client can make a request fail (bad URL encoding…) but never crash the server. */
function errorHandler(logger: pino.Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const status = httpStatusOf(error);
    if (status >= 500) logger.error({ err: error }, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, status, status >= 500 ? "internal server error" : "bad request");
  };
}

function httpStatusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? undefined;
  return typeof status === "number" && status >= 400 && status < 600 ? status : 500;
}
