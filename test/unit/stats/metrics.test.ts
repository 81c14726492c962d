import { describe, expect, it } from "vitest";
import { StatsMetrics } from "../../../demo-server/src/stats/metrics.js";
import {
  REPORT_CLIP_REASONS,
  REPORT_REFUSALS,
  zeroCounts,
} from "../../../demo-server/src/net/refusal-reasons.js";
import type { TrackerStats } from "../../../demo-server/src/tracker/stats.js";
import { batch, FakeClock, makeAggregator, report } from "./fixtures.js";
import { parseMetrics, sample } from "../../integration/stats/prometheus-text.js";

const tracker = {
  stats: (): TrackerStats =>
    ({
      swarms: 2,
      peers: 5,
      connections: 4,
      announces: 40,
      offersRelayed: 7,
      answersRelayed: 6,
      scrapes: 0,
      rejected: { invalid_json: 3 },
      rejectedTotal: 3,
      dropped: 1,
      expiredPeers: 0,
      connectionsAccepted: 9,
      connectionsRejected: { tracker_full: 0 },
      disconnects: { idle: 2 },
      topSwarms: [],
    }) as unknown as TrackerStats,
};

function setup(maxMetricLabels: number) {
  const clock = new FakeClock();
  const aggregator = makeAggregator(clock, { maxMetricLabels });
  const reports = {
    accepted: 0,
    duplicates: 0,
    anonymous: 0,
    rejected: 2,
    rejectedByReason: { ...zeroCounts(REPORT_REFUSALS), bad_number: 2 },
    clippedBytes: zeroCounts(REPORT_CLIP_REASONS),
    awaitingConfirmationBytes: 0,
  };
  const metrics = new StatsMetrics({
    aggregator,
    reports: () => reports,
    tracker,
    dashboardClients: () => 1,
  });
  return { clock, aggregator, metrics };
}

describe("StatsMetrics", () => {
  it("exposes offload, bytes, viewers and peers per stream, and the service's own counters", async () => {
    const { clock, aggregator, metrics } = setup(50);
    aggregator.ingest(batch(report({ peers: 3 })));
    aggregator.recordOriginBytes("demo", 2000);
    clock.advance(15_000);
    const parsed = parseMetrics(await metrics.render());
    const live = { stream: "demo/live" };
    expect(sample(parsed, "nearcast_reported_offload_ratio", { ...live, window: "1m" })).toBe(0.75);
    expect(sample(parsed, "nearcast_reported_offload_ratio", { ...live, window: "all" })).toBe(0.75);
    expect(sample(parsed, "nearcast_origin_vs_reported_offload_ratio", { ...live, window: "all" })).toBe(0.5);
    expect(sample(parsed, "nearcast_reported_bytes_total", { ...live, source: "http" })).toBe(1000);
    expect(sample(parsed, "nearcast_reported_bytes_total", { ...live, source: "p2p" })).toBe(3000);
    expect(sample(parsed, "nearcast_reported_bytes_total", { ...live, source: "upload" })).toBe(500);
    expect(sample(parsed, "nearcast_viewers", live)).toBe(1);
    expect(sample(parsed, "nearcast_peers", live)).toBe(3);
    expect(sample(parsed, "nearcast_stats_reports_total", { result: "rejected" })).toBe(2);
    expect(sample(parsed, "nearcast_stats_rejected_total", { reason: "bad_number" })).toBe(2);
    expect(sample(parsed, "nearcast_stats_rejected_total", { reason: "rate_limited_ip" })).toBe(0);
    expect(sample(parsed, "nearcast_tracker_peers", {})).toBe(5);
    expect(sample(parsed, "nearcast_tracker_offers_relayed_total", {})).toBe(7);
    expect(sample(parsed, "nearcast_tracker_rejected_total", { reason: "invalid_json" })).toBe(3);
    expect(sample(parsed, "nearcast_tracker_disconnects_total", { reason: "idle" })).toBe(2);
    expect(parsed.some((s) => s.name === "process_cpu_seconds_total")).toBe(true);
    metrics.close();
  });

  it("counts integrity failures viewers report, per stream, in /metrics and the snapshot", async () => {
    const { aggregator, metrics } = setup(50);
    aggregator.ingest(batch(report({ integrityFailures: 2 })));
    aggregator.ingest(batch(report({ seq: 2, integrityFailures: 1 })));
    aggregator.ingest(batch(report({ seq: 2, integrityFailures: 1 }))); // a resend: counted once
    aggregator.ingest(batch(report({ seq: 3 })));
    const parsed = parseMetrics(await metrics.render());
    expect(sample(parsed, "nearcast_integrity_failures_total", { stream: "demo/live" })).toBe(3);
    expect([...aggregator.streams.values()][0]?.integrityFailures).toBe(3);
    metrics.close();
  });

  it('bounds the stream label: the rest is summed under stream="other"', async () => {
    const { aggregator, metrics } = setup(2);
    for (let i = 0; i < 5; i++)
      aggregator.ingest(batch(report({ clientId: `client-${i}000`, streamId: `id-${i}` })));
    const parsed = parseMetrics(await metrics.render());
    const streams = new Set(
      parsed.filter((s) => s.name === "nearcast_reported_bytes_total").map((s) => s.labels["stream"]),
    );
    expect(streams).toEqual(new Set(["id-0", "id-1", "other"]));
    expect(sample(parsed, "nearcast_reported_bytes_total", { stream: "other", source: "http" })).toBe(3000);
    expect(sample(parsed, "nearcast_viewers", { stream: "other" })).toBe(3);
    metrics.close();
  });

  it("keeps byte counters monotonic when a busier stream takes a label", async () => {
    const { clock, aggregator, metrics } = setup(1);
    aggregator.ingest(batch(report({ clientId: "client-a000", streamId: "quiet" })));
    aggregator.ingest(
      batch(
        report({ clientId: "client-b000", streamId: "busy" }),
        report({ clientId: "client-c000", streamId: "busy" }),
      ),
    );
    const before = parseMetrics(await metrics.render());
    expect(sample(before, "nearcast_reported_bytes_total", { stream: "other", source: "http" })).toBe(2000);
    aggregator.rebalanceLabels();
    clock.advance(10_000);
    aggregator.ingest(batch(report({ clientId: "client-b000", streamId: "busy", seq: 2 })));
    aggregator.ingest(batch(report({ clientId: "client-a000", streamId: "quiet", seq: 2 })));
    const after = parseMetrics(await metrics.render());
    expect(sample(after, "nearcast_reported_bytes_total", { stream: "busy", source: "http" })).toBe(1000);
    expect(sample(after, "nearcast_reported_bytes_total", { stream: "other", source: "http" })).toBe(3000);
    expect(
      sample(after, "nearcast_reported_bytes_total", { stream: "quiet", source: "http" }),
    ).toBeUndefined();
    metrics.close();
  });
});
