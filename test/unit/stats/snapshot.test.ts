import { describe, expect, it } from "vitest";
import { swarmInfoHash } from "../../../demo-server/src/stats/aggregator.js";
import { buildSnapshot, type SnapshotExtras } from "../../../demo-server/src/stats/snapshot.js";
import {
  REPORT_CLIP_REASONS,
  REPORT_REFUSALS,
  zeroCounts,
} from "../../../demo-server/src/net/refusal-reasons.js";
import { batch, FakeClock, LIVE_ID, makeAggregator, RENDITION, report } from "./fixtures.js";

const VOD_ID = "http://127.0.0.1:8080/streams/demo/vod/master.m3u8";

function extras(overrides: Partial<SnapshotExtras> = {}): SnapshotExtras {
  return {
    swarmPeers: new Map(),
    tracker: null,
    reports: {
      accepted: 0,
      duplicates: 0,
      anonymous: 0,
      rejected: 0,
      rejectedByReason: zeroCounts(REPORT_REFUSALS),
      clippedBytes: zeroCounts(REPORT_CLIP_REASONS),
      awaitingConfirmationBytes: 0,
    },
    ...overrides,
  };
}

describe("buildSnapshot", () => {
  it("is empty but complete before any report", () => {
    const snapshot = buildSnapshot(makeAggregator(new FakeClock()), extras());
    expect(snapshot.streams).toEqual([]);
    expect(snapshot.totals).toMatchObject({ viewers: 0, peers: 0, streams: 0, clients: 0 });
    expect(snapshot.totals.windows["1m"]).toEqual({
      httpBytes: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
      offload: null,
      originBytes: null,
      reportedBytes: null,
      originVsReportedOffload: null,
    });
  });

  it("lists streams most-watched first, with viewers, peers, renditions and tracker swarm sizes", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ clientId: "client-vod1", streamId: VOD_ID, peers: 1 })));
    aggregator.ingest(
      batch(report({ clientId: "client-live1", peers: 2 }), report({ clientId: "client-live2", peers: 3 })),
    );
    const swarmPeers = new Map([[swarmInfoHash(LIVE_ID, RENDITION), 4]]);
    const snapshot = buildSnapshot(aggregator, extras({ swarmPeers }));
    expect(snapshot.streams.map((s) => [s.name, s.viewers, s.peers])).toEqual([
      ["demo/live", 2, 5],
      ["demo/vod", 1, 1],
    ]);
    const live = snapshot.streams[0];
    expect(live?.renditions).toMatchObject([{ rendition: RENDITION, viewers: 2, swarmPeers: 4 }]);
    expect(snapshot.streams[1]?.renditions[0]?.swarmPeers).toBeNull();
    expect(live).toMatchObject({
      originStream: "demo",
      originSharedBy: 2,
      metricLabel: "demo/live",
      streamIds: [LIVE_ID],
    });
    expect(snapshot.totals).toMatchObject({ viewers: 3, peers: 6, streams: 2, clients: 3 });
  });

  it("compares both streams of one origin counter with that counter, counted once in the totals", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    const deltas = { httpBytes: 1000, p2pBytes: 1000, uploadedBytes: 0 };
    aggregator.ingest(
      batch(
        report({ clientId: "client-live1", deltas }),
        report({ clientId: "client-vod1", streamId: VOD_ID, deltas }),
      ),
    );
    aggregator.recordOriginBytes("demo", 2000);
    clock.advance(15_000);
    const snapshot = buildSnapshot(aggregator, extras());
    for (const stream of snapshot.streams) {
      expect(stream.windows.all).toMatchObject({
        offload: 0.5,
        originBytes: 2000,
        reportedBytes: 4000,
        originVsReportedOffload: 0.5,
      });
    }
    expect(snapshot.totals.windows.all).toMatchObject({
      originBytes: 2000,
      reportedBytes: 4000,
      originVsReportedOffload: 0.5,
    });
  });

  it("gives a settled series of 5-s rates that starts where the stream starts", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ deltas: { httpBytes: 10_000, p2pBytes: 30_000, uploadedBytes: 0 } })));
    aggregator.recordOriginBytes("demo", 10_000);
    clock.advance(60_000);
    const { series } = buildSnapshot(aggregator, extras()).streams[0] ?? {};
    if (series === undefined) throw new Error("no series");
    expect(series.bucketMs).toBe(5000);
    expect(series.startMs).toBeLessThanOrEqual(clock.nowMs - 70_000);
    expect(series.startMs + series.httpBps.length * 5000).toBe(Math.floor(clock.nowMs / 5000) * 5000 - 5000);
    // 40 kB over the report's 10 s: 1 kB/s HTTP and 3 kB/s P2P in each of its two buckets.
    expect(series.httpBps.filter((v) => v > 0)).toEqual([1000, 1000]);
    expect(series.p2pBps.filter((v) => v > 0)).toEqual([3000, 3000]);
    expect(series.offload.filter((v) => v !== null)).toEqual([0.75, 0.75]);
    expect(series.originBps.filter((v) => v !== null && v > 0)).toEqual([2000]);
    expect(series.originVsReportedOffload.some((v) => v !== null && Math.abs(v - 0.75) < 1e-9)).toBe(true);
    for (const values of [
      series.httpBps,
      series.p2pBps,
      series.originBps,
      series.offload,
      series.originVsReportedOffload,
    ]) {
      expect(values).toHaveLength(series.httpBps.length);
    }
  });

  it("keeps the snapshot bounded and says how many streams it left out", () => {
    const aggregator = makeAggregator(new FakeClock());
    for (let i = 0; i < 5; i++)
      aggregator.ingest(batch(report({ clientId: `client-${i}000`, streamId: `id-${i}` })));
    const snapshot = buildSnapshot(aggregator, extras({ maxStreams: 2 }));
    expect(snapshot.streams).toHaveLength(2);
    expect(snapshot.omittedStreams).toBe(3);
    expect(snapshot.totals.streams).toBe(5);
  });

  it("serialises to JSON without loss (no NaN or Infinity)", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ deltas: { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 } })));
    aggregator.recordOriginBytes("demo", 100);
    clock.advance(30_000);
    const snapshot = buildSnapshot(aggregator, extras());
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});
