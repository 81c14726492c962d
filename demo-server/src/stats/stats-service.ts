// The stats service as one unit for the composition root: aggregator + rate limiters + origin
// sampler + metrics + dashboard event stream + router, driven by one 1-s timer.
import type express from "express";
import pino from "pino";
import type { Registry } from "prom-client";
import type { Logger } from "pino";
import type { OriginStatsSnapshot } from "../origin/origin-counters.js";
import type { TrackerStats } from "../tracker/stats.js";
import type { SessionClaims } from "../net/session-token.js";
import { StatsAggregator, type AggregatorLimits } from "./aggregator.js";
import {
  CLIENT_RATE_BURST,
  CLIENT_RATE_PER_SEC,
  IP_RATE_BURST,
  IP_RATE_PER_SEC,
  LABEL_REBALANCE_INTERVAL_MS,
  MAX_IP_BUCKETS,
  SSE_HEARTBEAT_INTERVAL_MS,
  SNAPSHOT_MAX_AGE_MS,
  SSE_PUSH_INTERVAL_MS,
  SWEEP_INTERVAL_MS,
} from "./constants.js";
import { ReportIntake } from "./report-intake.js";
import { StatsMetrics } from "./metrics.js";
import type { MetricsSources } from "./metrics.js";
import { OriginSampler } from "./origin-sampler.js";
import { KeyedRateLimiter, type RateLimit } from "../net/rate-limiter.js";
import { REPORT_REFUSALS, zeroCounts } from "../net/refusal-reasons.js";
import { buildSnapshot } from "./snapshot.js";
import type { StatsSnapshot } from "./snapshot-types.js";
import { DEFAULT_SSE_HUB_OPTIONS, SseHub } from "./sse-hub.js";
import { createStatsRouter } from "./stats-router.js";
import { StatsFanout } from "./redis-fanout.js";

export interface StatsServiceOptions {
  /** The demo origin, whose counters are sampled beside the reports. Absent = no origin comparison. */
  origin?: { getStats(): OriginStatsSnapshot; catalog: { streams: ReadonlyMap<string, unknown> } };
  /** The tracker, for swarm sizes and tracker metrics. */
  tracker?: { stats(): TrackerStats };
  /** `GET /api/ice` requests by result ("ok" or the refusal reason), for `/metrics`. */
  iceRequests?: ReadonlyMap<string, number>;
  /** Other refusal counters of the server for `/metrics` (admin actions, HTTP connections). */
  serverRefusals?: MetricsSources["serverRefusals"];
  /**
   * The tracker's session check (`SwarmAccess.verifySession`): a report batch counts only with a
   * session it verifies. Absent: no batch has a valid session.
   */
  verifySession?: (token: string) => SessionClaims | undefined;
  /** Also count batches without a session (see `ServerOptions.acceptAnonymousReports`). @default false */
  acceptAnonymousReports?: boolean;
  /** Epoch ms. @default Date.now */
  clock?: () => number;
  /** @default a silent logger */
  logger?: Logger;
  /** Rate-limit by the rightmost `X-Forwarded-For` entry. @default false */
  trustProxy?: boolean;
  /** Bounds of the aggregator (tests shrink them). */
  limits?: Partial<AggregatorLimits>;
  /** Per clientId. @default 1/s, burst 5 */
  clientRateLimit?: Partial<RateLimit>;
  /** Per client address. @default 50/s, burst 100 */
  ipRateLimit?: Partial<RateLimit>;
  /**
   * Folder of the dashboard page (its index.html and dist/), built by `npm run build`; the
   * composition root passes `DASHBOARD_DIR`. Unset: no /dashboard route. @default undefined
   */
  dashboardDir?: string;
  /**
   * Share accepted reports and origin samples with every instance on this Redis, so each instance's
   * figures are the sum over all (see `StatsFanout`). Unset = this instance's reports only.
   * @default undefined
   */
  redisUrl?: string;
  /** Prefix of the Redis channel. @default "nearcast:" */
  redisKeyPrefix?: string;
  /** Adds another service's series to `/metrics` (the digest service's). */
  registerMetrics?: (registry: Registry) => void;
}

export interface StatsService {
  /** Mount at the root: it serves /api/stats/…, /metrics and /dashboard. */
  readonly router: express.Router;
  readonly aggregator: StatsAggregator;
  snapshot(): StatsSnapshot;
  /** Runs one timer tick now (origin sample, and what is due): for tests with a fake clock. */
  tick(): void;
  /** Stops the timer and ends every event stream. Idempotent. */
  close(): Promise<void>;
}

export function createStatsService(options: StatsServiceOptions = {}): StatsService {
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? pino({ level: "silent" });
  const { origin, tracker } = options;
  const aggregator = new StatsAggregator({
    clock,
    isOriginStream: (name) => origin?.catalog.streams.has(name) ?? false,
    limits: options.limits,
  });
  const clientLimiter = new KeyedRateLimiter({
    perSec: CLIENT_RATE_PER_SEC,
    burst: CLIENT_RATE_BURST,
    maxKeys: aggregator.limits.maxClients,
    ...options.clientRateLimit,
  });
  const ipLimiter = new KeyedRateLimiter({
    perSec: IP_RATE_PER_SEC,
    burst: IP_RATE_BURST,
    maxKeys: MAX_IP_BUCKETS,
    ...options.ipRateLimit,
  });
  const intake = new ReportIntake(aggregator, {
    verifySession: options.verifySession,
    acceptAnonymous: options.acceptAnonymousReports ?? false,
  });
  const reports = {
    accepted: 0,
    duplicates: 0,
    anonymous: 0,
    rejected: 0,
    rejectedByReason: zeroCounts(REPORT_REFUSALS),
  };
  const fanout =
    options.redisUrl === undefined
      ? undefined
      : new StatsFanout({
          url: options.redisUrl,
          keyPrefix: options.redisKeyPrefix,
          logger,
          onBatch: (batch) => intake.take(batch, undefined),
          onOriginBytes: (name, bytes) => aggregator.recordOriginBytes(name, bytes),
        });
  const reportCounts = (): StatsSnapshot["reports"] => ({
    ...reports,
    rejectedByReason: { ...reports.rejectedByReason },
    clippedBytes: intake.clippedBytes(),
    awaitingConfirmationBytes: intake.awaitingConfirmationBytes,
  });
  const hub = new SseHub({ ...DEFAULT_SSE_HUB_OPTIONS, trustProxy: options.trustProxy ?? false });
  const sampler = origin === undefined ? undefined : new OriginSampler(origin.getStats());
  const metrics = new StatsMetrics({
    aggregator,
    reports: reportCounts,
    tracker,
    origin,
    iceRequests: options.iceRequests,
    serverRefusals: () => ({ ...options.serverRefusals?.(), ...hub.refused }),
    dashboardClients: () => hub.size,
  });
  options.registerMetrics?.(metrics.registry);

  const buildNow = (): StatsSnapshot => {
    const trackerStats = tracker?.stats();
    const swarmPeers = new Map((trackerStats?.topSwarms ?? []).map((swarm) => [swarm.infoHash, swarm.peers]));
    return buildSnapshot(aggregator, {
      swarmPeers,
      tracker:
        trackerStats === undefined
          ? null
          : {
              swarms: trackerStats.swarms,
              peers: trackerStats.peers,
              connections: trackerStats.connections,
              announces: trackerStats.announces,
            },
      reports: reportCounts(),
    });
  };
  // Reads are served from a snapshot at most SNAPSHOT_MAX_AGE_MS old: polling /api/stats in a loop
  // costs the event loop (which the tracker shares) one build per second, not one per request.
  let cached: { json: string; builtAtMs: number } | undefined;
  const refresh = (): { json: string } => {
    cached = { json: JSON.stringify(buildNow()), builtAtMs: clock() };
    return cached;
  };
  const current = (): { json: string } => {
    const now = clock();
    const fresh =
      cached !== undefined && now - cached.builtAtMs < SNAPSHOT_MAX_AGE_MS && now >= cached.builtAtMs;
    return fresh ? cached! : refresh();
  };
  /** In-process readers (tests, benches) get a fresh one. */
  const snapshot = (): StatsSnapshot => buildNow();

  const router = createStatsRouter({
    aggregator,
    intake,
    clientLimiter,
    ipLimiter,
    trustProxy: options.trustProxy ?? false,
    logger,
    outcomes: {
      accepted: (accepted, duplicates, batch, anonymous) => {
        reports.accepted += accepted;
        reports.duplicates += duplicates;
        if (anonymous) reports.anonymous += accepted;
        if (accepted > 0) fanout?.publishBatch(batch);
      },
      rejected: (reason) => {
        reports.rejected += 1;
        reports.rejectedByReason[reason] += 1;
      },
    },
    snapshotJson: () => current().json,
    hub,
    metrics,
    dashboardDir: options.dashboardDir,
  });

  let ticks = 0;
  const every = (intervalMs: number) =>
    ticks % Math.max(1, Math.round(intervalMs / SSE_PUSH_INTERVAL_MS)) === 0;
  const tick = (): void => {
    ticks++;
    try {
      if (sampler !== undefined && origin !== undefined) {
        const samples = [...sampler.sample(origin.getStats())];
        for (const [name, bytes] of samples) aggregator.recordOriginBytes(name, bytes);
        fanout?.publishOrigin(samples.filter(([, bytes]) => bytes > 0));
      }
      if (every(SWEEP_INTERVAL_MS)) {
        aggregator.sweep();
        const now = clock();
        intake.sweep(now);
        clientLimiter.sweep(now);
        ipLimiter.sweep(now);
      }
      if (every(LABEL_REBALANCE_INTERVAL_MS)) aggregator.rebalanceLabels();
      if (hub.size > 0) {
        // The once-a-second build: dashboards get a new snapshot every tick.
        hub.broadcast("snapshot", refresh().json);
        if (every(SSE_HEARTBEAT_INTERVAL_MS)) hub.heartbeat();
      }
    } catch (error) {
      logger.error({ err: error }, "stats: tick failed");
    }
  };
  const timer = setInterval(tick, SSE_PUSH_INTERVAL_MS);
  timer.unref();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      clearInterval(timer);
      fanout?.close();
      hub.close();
      metrics.close();
    })();
    return closed;
  };

  return { router, aggregator, snapshot, tick, close };
}
