// Prometheus exposition of the stats service, the tracker and the origin, on a registry of its own
// (several servers may run in one process, as in tests). Values are read at scrape time.
import { HTTP_REJECTION_REASONS, PEER_REJECTION_REASONS } from "nearcast";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { OriginStatsSnapshot } from "../origin/origin-counters.js";
import type { TrackerStats } from "../tracker/stats.js";
import type { StatsAggregator } from "./aggregator.js";
import type { StreamState } from "./stream-state.js";
import { HTTP, P2P, UPLOAD } from "./stream-state.js";
import { WINDOWS } from "./constants.js";
import { FigureBook } from "./figures.js";
import type { StatsSnapshot } from "./snapshot-types.js";

export interface MetricsSources {
  aggregator: StatsAggregator;
  reports: () => StatsSnapshot["reports"];
  tracker?: { stats(): TrackerStats };
  origin?: { getStats(): OriginStatsSnapshot };
  /** `GET /api/ice` requests by result ("ok" or the refusal reason). */
  iceRequests?: ReadonlyMap<string, number>;
  /** Other refusals of the server by reason: admin actions, HTTP connections (read at scrape time). */
  serverRefusals?: () => Readonly<Record<string, number>>;
  dashboardClients: () => number;
}

const SOURCES = [
  ["http", HTTP],
  ["p2p", P2P],
  ["upload", UPLOAD],
] as const;

export class StatsMetrics {
  readonly registry = new Registry();
  private readonly offload: Gauge<"stream" | "window">;
  private readonly originVsReportedOffload: Gauge<"stream" | "window">;
  private readonly bytes: Counter<"stream" | "source">;
  private readonly viewers: Gauge<"stream">;
  private readonly peers: Gauge<"stream">;
  private readonly reports: Counter<"result">;
  private readonly rejected: Counter<"reason">;
  private readonly tracked: Gauge<"kind">;
  private readonly originBytes: Counter<"origin_stream">;
  private readonly integrityFailures: Counter<"stream">;
  private readonly peerRejections: Counter<"stream" | "reason">;
  private readonly httpBodyRejections: Counter<"stream" | "reason">;
  private readonly iceRequests: Counter<"result">;
  private readonly clipped: Counter<"reason">;
  private readonly awaiting: Gauge;
  private readonly serverRefusals: Counter<"reason">;
  private readonly updateTracker: (() => void) | undefined;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });

    this.offload = gauge(
      "nearcast_reported_offload_ratio",
      "Built from viewer reports (with a tracker session, rate-capped, P2P confirmed by both peers): p2p / (http + p2p)",
      ["stream", "window"],
    );
    this.originVsReportedOffload = gauge(
      "nearcast_origin_vs_reported_offload_ratio",
      "Built from both: 1 - media bytes the demo origin served (its own counter) / http + p2p reported by viewers",
      ["stream", "window"],
    );
    this.bytes = counter(
      "nearcast_reported_bytes_total",
      "Built from viewer reports (with a tracker session, rate-capped, P2P and upload confirmed by both peers): media bytes by source (http = from the CDN, p2p = from peers, upload = to peers)",
      ["stream", "source"],
    );
    this.clipped = counter(
      "nearcast_stats_clipped_bytes_total",
      "Bytes of accepted reports that were not counted, by reason (rate, swarm_not_joined, p2p_unconfirmed, upload_unconfirmed)",
      ["reason"],
    );
    this.awaiting = gauge(
      "nearcast_stats_awaiting_confirmation_bytes",
      "P2P bytes one side of a transfer reported that the other side may still confirm",
      [],
    );
    this.serverRefusals = counter(
      "nearcast_server_refused_total",
      "Refused admin actions (admin_off, admin_denied), HTTP connections closed while still sending headers (pending_evicted_ip, pending_evicted), refused over the per-address connection cap (connection_ip_limit), requests answered 503 over the per-address responses-in-flight cap (response_ip_limit), connections reset because their response stopped draining (write_stalled), and dashboard streams refused or closed for another address (sse_full, sse_evicted)",
      ["reason"],
    );
    this.viewers = gauge("nearcast_viewers", "Viewers that reported in the last 20 s", ["stream"]);
    this.peers = gauge("nearcast_peers", "Peer connections reported by current viewers", ["stream"]);
    this.reports = counter(
      "nearcast_stats_reports_total",
      "Stats reports by outcome (rejected counts requests)",
      ["result"],
    );
    this.rejected = counter("nearcast_stats_rejected_total", "Rejected stats requests by reason", ["reason"]);
    this.tracked = gauge("nearcast_stats_tracked", "Entries held by the stats service", ["kind"]);
    this.integrityFailures = counter(
      "nearcast_integrity_failures_total",
      "Segments whose bytes from peers failed verification (SHA-256 or validateSegment), as viewers reported: discarded, sender banned, fetched over HTTP",
      ["stream"],
    );
    this.peerRejections = counter(
      "nearcast_peer_rejections_total",
      `Peer connections viewers cut off and banned, as they reported, by reason: ${PEER_REJECTION_REASONS.join(", ")}`,
      ["stream", "reason"],
    );
    this.httpBodyRejections = counter(
      "nearcast_http_body_rejections_total",
      `HTTP bodies viewers refused (never stored or shared, re-fetched), as they reported, by reason: ${HTTP_REJECTION_REASONS.join(", ")}`,
      ["stream", "reason"],
    );
    this.iceRequests = counter(
      "nearcast_ice_requests_total",
      "GET /api/ice requests (ICE servers, TURN credentials) by result: ok, or why one was refused (token_missing, token_invalid, token_expired, origin_not_allowed)",
      ["result"],
    );
    this.originBytes = counter(
      "nearcast_origin_media_bytes_total",
      "Measured at the demo origin (its own byte counter, never from reports): media bytes written to sockets",
      ["origin_stream"],
    );
    this.updateTracker =
      sources.tracker === undefined ? undefined : this.trackerMetrics(sources.tracker, gauge, counter);
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, with every value read now. */
  async render(): Promise<string> {
    this.updateStreams();
    this.updateService();
    this.updateTracker?.();
    return this.registry.metrics();
  }

  close(): void {
    this.registry.clear();
  }

  private updateStreams(): void {
    const aggregator = this.sources.aggregator;
    const book = new FigureBook(aggregator);
    const activity = aggregator.activity();
    const byLabel = new Map<string, StreamState[]>();
    for (const stream of aggregator.streams.values()) {
      const label = aggregator.labels.labelOf(stream.key);
      byLabel.set(label, [...(byLabel.get(label) ?? []), stream]);
    }
    for (const metric of [this.offload, this.originVsReportedOffload, this.viewers, this.peers])
      metric.reset();
    for (const [stream, members] of byLabel) {
      const figures = book.measured(members);
      for (const window of WINDOWS) {
        const { offload, originVsReportedOffload } = figures[window];
        if (offload !== null) this.offload.set({ stream, window }, offload);
        if (originVsReportedOffload !== null)
          this.originVsReportedOffload.set({ stream, window }, originVsReportedOffload);
      }
      const current = members.map((member) => activity.get(member.key));
      this.viewers.set(
        { stream },
        current.reduce((sum, a) => sum + (a?.viewers ?? 0), 0),
      );
      this.peers.set(
        { stream },
        current.reduce((sum, a) => sum + (a?.peers ?? 0), 0),
      );
    }
    this.bytes.reset();
    for (const [stream, totals] of aggregator.labelBytes) {
      for (const [source, channel] of SOURCES) this.bytes.inc({ stream, source }, totals[channel] ?? 0);
    }
    this.integrityFailures.reset();
    for (const [stream, count] of aggregator.labelIntegrityFailures)
      this.integrityFailures.inc({ stream }, count);
    this.peerRejections.reset();
    for (const [stream, reasons] of aggregator.labelPeerRejections)
      for (const [reason, count] of reasons) this.peerRejections.inc({ stream, reason }, count);
    this.httpBodyRejections.reset();
    for (const [stream, reasons] of aggregator.labelHttpBodyRejections)
      for (const [reason, count] of reasons) this.httpBodyRejections.inc({ stream, reason }, count);
  }

  private updateService(): void {
    const reports = this.sources.reports();
    this.reports.reset();
    this.reports.inc({ result: "accepted" }, reports.accepted);
    this.reports.inc({ result: "duplicate" }, reports.duplicates);
    this.reports.inc({ result: "rejected" }, reports.rejected);
    this.rejected.reset();
    for (const [reason, count] of Object.entries(reports.rejectedByReason))
      this.rejected.inc({ reason }, count);
    this.clipped.reset();
    for (const [reason, count] of Object.entries(reports.clippedBytes)) this.clipped.inc({ reason }, count);
    this.awaiting.set(reports.awaitingConfirmationBytes);
    this.serverRefusals.reset();
    for (const [reason, count] of Object.entries(this.sources.serverRefusals?.() ?? {}))
      this.serverRefusals.inc({ reason }, count);
    const aggregator = this.sources.aggregator;
    this.tracked.set({ kind: "streams" }, aggregator.streams.size);
    this.tracked.set({ kind: "clients" }, aggregator.clientCount);
    this.tracked.set({ kind: "dashboards" }, this.sources.dashboardClients());
    this.iceRequests.reset();
    for (const [result, count] of this.sources.iceRequests ?? []) this.iceRequests.inc({ result }, count);
    if (this.sources.origin !== undefined) {
      this.originBytes.reset();
      for (const [name, counters] of Object.entries(this.sources.origin.getStats().streams)) {
        this.originBytes.inc({ origin_stream: name }, counters.mediaBytes);
      }
    }
  }

  /** Defines the tracker's metrics; returns the function that refreshes them from `tracker.stats()`. */
  private trackerMetrics(
    tracker: { stats(): TrackerStats },
    gauge: <L extends string>(name: string, help: string, labelNames: readonly L[]) => Gauge<L>,
    counter: <L extends string>(name: string, help: string, labelNames: readonly L[]) => Counter<L>,
  ): () => void {
    const gauges = {
      swarms: gauge("nearcast_tracker_swarms", "Swarms (stream renditions) with at least one peer", []),
      peers: gauge("nearcast_tracker_peers", "Peers announced to the tracker", []),
      connections: gauge("nearcast_tracker_connections", "Open tracker WebSockets", []),
    };
    const totals = {
      announces: counter("nearcast_tracker_announces_total", "Announces handled", []),
      offersRelayed: counter("nearcast_tracker_offers_relayed_total", "WebRTC offers relayed to peers", []),
      answersRelayed: counter(
        "nearcast_tracker_answers_relayed_total",
        "WebRTC answers relayed to peers",
        [],
      ),
      scrapes: counter("nearcast_tracker_scrapes_total", "Scrapes handled", []),
      dropped: counter("nearcast_tracker_dropped_messages_total", "Messages dropped by the rate limit", []),
      expiredPeers: counter("nearcast_tracker_expired_peers_total", "Peers forgotten after going silent", []),
      fairnessEvictions: counter(
        "nearcast_tracker_fairness_evictions_total",
        "Members of a full swarm's most crowded network prefix that made room for a less crowded one",
        [],
      ),
      connectionsAccepted: counter("nearcast_tracker_connections_accepted_total", "WebSockets accepted", []),
      forwardedForIgnored: counter(
        "nearcast_tracker_forwarded_for_ignored_total",
        "Upgrades carrying X-Forwarded-For while --trust-proxy is off (header ignored)",
        [],
      ),
    };
    const byReason = {
      rejected: counter("nearcast_tracker_rejected_total", "Messages refused, by reason", ["reason"]),
      connectionsRejected: counter(
        "nearcast_tracker_connections_rejected_total",
        "Connections refused, by reason",
        ["reason"],
      ),
      disconnects: counter("nearcast_tracker_disconnects_total", "Sockets closed by the tracker, by reason", [
        "reason",
      ]),
    };
    // Scale-out (tracker with redisUrl): defined only then, so a single process exports no dead series.
    let federation: ReturnType<typeof federationMetrics> | undefined;
    const federationMetrics = () => ({
      connected: gauge(
        "nearcast_tracker_redis_connected",
        "1 while the shared Redis is reachable, else 0",
        [],
      ),
      relays: counter("nearcast_tracker_redis_relays_total", "Offers and answers routed via Redis", [
        "direction",
      ]),
      errors: counter("nearcast_tracker_redis_errors_total", "Redis commands that failed", []),
      recoveries: counter(
        "nearcast_tracker_redis_recoveries_total",
        "Redis outages after which the memberships were written again",
        [],
      ),
    });
    return () => {
      const stats = tracker.stats();
      const f = stats.federation ?? null; // absent from trackers built before scale-out
      if (f !== null) {
        federation ??= federationMetrics();
        federation.connected.set(f.connected ? 1 : 0);
        federation.relays.reset();
        federation.relays.inc({ direction: "out" }, f.relaysOut);
        federation.relays.inc({ direction: "in" }, f.relaysIn);
        federation.relays.inc({ direction: "undeliverable" }, f.relaysUndeliverable);
        federation.errors.reset();
        federation.errors.inc(f.errors);
        federation.recoveries.reset();
        federation.recoveries.inc(f.recoveries);
      }
      for (const key of Object.keys(gauges) as (keyof typeof gauges)[]) gauges[key].set(stats[key]);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) {
        totals[key].reset();
        totals[key].inc(stats[key]);
      }
      for (const key of Object.keys(byReason) as (keyof typeof byReason)[]) {
        byReason[key].reset();
        for (const [reason, count] of Object.entries<number>(stats[key]))
          byReason[key].inc({ reason }, count);
      }
    };
  }
}
