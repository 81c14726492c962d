import { describe, expect, it } from "vitest";
import { OTHER_RENDITION } from "../../../demo-server/src/stats/aggregator.js";
import { FigureBook } from "../../../demo-server/src/stats/figures.js";
import { OTHER_STREAM } from "../../../demo-server/src/stats/stream-identity.js";
import { batch, FakeClock, makeAggregator, RENDITION, report } from "./fixtures.js";

const LIVE_KEY = "origin:demo/live";

function figures(aggregator: ReturnType<typeof makeAggregator>, key = LIVE_KEY) {
  const stream = aggregator.streams.get(key);
  if (stream === undefined) throw new Error(`no stream ${key}`);
  return new FigureBook(aggregator).streamFigures(stream);
}

describe("StatsAggregator: counting", () => {
  it("sums the deltas of successive reports", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    for (let seq = 1; seq <= 3; seq++) {
      expect(aggregator.ingest(batch(report({ seq })))).toEqual({ ok: true, accepted: 1, duplicates: 0 });
      clock.advance(10_000);
    }
    const all = figures(aggregator).all;
    expect(all).toMatchObject({ httpBytes: 3000, p2pBytes: 9000, uploadedBytes: 1500, offload: 0.75 });
  });

  it("counts a resent report once, in the same batch or a later one", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    expect(aggregator.ingest(batch(report({ seq: 1 }), report({ seq: 1 })))).toEqual({
      ok: true,
      accepted: 1,
      duplicates: 1,
    });
    clock.advance(10_000);
    expect(aggregator.ingest(batch(report({ seq: 1 }), report({ seq: 2 })))).toEqual({
      ok: true,
      accepted: 1,
      duplicates: 1,
    });
    expect(aggregator.ingest(batch(report({ seq: 2 })))).toEqual({ ok: true, accepted: 0, duplicates: 1 });
    expect(figures(aggregator).all.httpBytes).toBe(2000);
  });

  it("accepts a gap, and the missing report if it arrives late, once", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ seq: 1 })));
    expect(aggregator.ingest(batch(report({ seq: 3 })))).toMatchObject({ accepted: 1 });
    expect(figures(aggregator).all.httpBytes).toBe(2000);
    expect(aggregator.ingest(batch(report({ seq: 2 })))).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(aggregator.ingest(batch(report({ seq: 2 }), report({ seq: 3 })))).toMatchObject({
      accepted: 0,
      duplicates: 2,
    });
    expect(figures(aggregator).all.httpBytes).toBe(3000);
  });

  it("keeps clients apart: the same seq from two clients counts twice", () => {
    const aggregator = makeAggregator(new FakeClock());
    aggregator.ingest(batch(report({ clientId: "client-aaaa" }), report({ clientId: "client-bbbb" })));
    expect(figures(aggregator).all.httpBytes).toBe(2000);
  });
});

describe("StatsAggregator: windows", () => {
  it("ages bytes out of the 1-min window while the 15-min window and the totals keep them", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report()));

    clock.advance(15_000); // settled: the report's 10 s are in the window
    expect(figures(aggregator)["1m"]).toMatchObject({ httpBytes: 1000, p2pBytes: 3000, offload: 0.75 });

    clock.advance(65_000);
    expect(figures(aggregator)["1m"]).toMatchObject({ httpBytes: 0, p2pBytes: 0, offload: null });
    expect(figures(aggregator)["15m"]).toMatchObject({ httpBytes: 1000, p2pBytes: 3000, offload: 0.75 });

    clock.advance(15 * 60_000);
    expect(figures(aggregator)["15m"]).toMatchObject({ httpBytes: 0, offload: null });
    expect(figures(aggregator).all).toMatchObject({ httpBytes: 1000, offload: 0.75 });
  });

  it("leaves the newest, not yet reported, buckets out of the windows", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report()));
    // Right after the report, its last 5–10 s are still unsettled: only part is in the window.
    const minute = figures(aggregator)["1m"];
    expect(minute.httpBytes).toBeLessThan(1000);
    expect(figures(aggregator).all.httpBytes).toBe(1000);
  });

  it("spreads a report over the time since the client's previous one", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ seq: 1, deltas: { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 } })));
    clock.advance(20_000);
    aggregator.ingest(
      batch(report({ seq: 2, deltas: { httpBytes: 4000, p2pBytes: 0, uploadedBytes: 0 }, renditions: [] })),
    );
    const stream = aggregator.streams.get(LIVE_KEY);
    const ring = stream?.ring;
    if (ring === undefined) throw new Error("no ring");
    const first = ring.indexOf(clock.nowMs - 20_000);
    expect([0, 1, 2, 3].map((i) => ring.get(first + i, 0))).toEqual([1000, 1000, 1000, 1000]);
  });

  it("gives the offload of a rendition apart from the stream's", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(
      batch(
        report({
          deltas: { httpBytes: 3000, p2pBytes: 1000, uploadedBytes: 0 },
          renditions: [
            { rendition: "low", httpBytes: 2000, p2pBytes: 0, uploadedBytes: 0 },
            { rendition: "high", httpBytes: 1000, p2pBytes: 1000, uploadedBytes: 0 },
          ],
        }),
      ),
    );
    const stream = aggregator.streams.get(LIVE_KEY);
    const high = stream?.renditions.get("high");
    if (high === undefined) throw new Error("no rendition");
    expect(new FigureBook(aggregator).renditionFigures(high).all.offload).toBe(0.5);
    expect(figures(aggregator).all.offload).toBe(0.25);
  });
});

describe("StatsAggregator: viewers", () => {
  it("counts viewers for 20 s after their last report and sums their peers", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(
      batch(report({ clientId: "client-aaaa", peers: 3 }), report({ clientId: "client-bbbb", peers: 4 })),
    );
    expect(aggregator.activity().get(LIVE_KEY)).toMatchObject({ viewers: 2, peers: 7 });
    expect(aggregator.activity().get(LIVE_KEY)?.renditionViewers.get(RENDITION)).toBe(2);
    clock.advance(15_000);
    aggregator.ingest(batch(report({ clientId: "client-aaaa", seq: 2, peers: 1 })));
    clock.advance(6_000);
    expect(aggregator.activity().get(LIVE_KEY)).toMatchObject({ viewers: 1, peers: 1 });
  });

  it("lets a final report leave at once, and a later report bring the viewer back", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ seq: 1 })));
    aggregator.ingest(batch(report({ seq: 2, final: true })));
    expect(aggregator.activity().get(LIVE_KEY)).toBeUndefined();
    expect(figures(aggregator).all.httpBytes).toBe(2000);
    aggregator.ingest(batch(report({ seq: 3 })));
    expect(aggregator.activity().get(LIVE_KEY)?.viewers).toBe(1);
  });

  it("moves a viewer that switches streams", () => {
    const aggregator = makeAggregator(new FakeClock());
    aggregator.ingest(batch(report({ seq: 1 })));
    aggregator.ingest(
      batch(report({ seq: 2, streamId: "http://127.0.0.1:8080/streams/demo/vod/master.m3u8" })),
    );
    const activity = aggregator.activity();
    expect(activity.get(LIVE_KEY)).toBeUndefined();
    expect(activity.get("origin:demo/vod")?.viewers).toBe(1);
  });
});

describe("StatsAggregator: expiry and bounds", () => {
  it("forgets a client after 2 min idle and a stream after 15 min without reports", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report()));
    clock.advance(119_000);
    aggregator.sweep();
    expect(aggregator.clientCount).toBe(1);
    clock.advance(2_000);
    aggregator.sweep();
    expect(aggregator.clientCount).toBe(0);
    expect(aggregator.streams.size).toBe(1);
    clock.advance(15 * 60_000);
    aggregator.sweep();
    expect(aggregator.streams.size).toBe(0);
    expect(aggregator.labels.size).toBe(0);
  });

  it("drops a rendition nobody reported for 15 min while the stream lives on", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ seq: 1 })));
    for (let seq = 2; seq <= 100; seq++) {
      clock.advance(10_000);
      aggregator.ingest(
        batch(
          report({
            seq,
            renditions: [{ rendition: "other-one", httpBytes: 1, p2pBytes: 0, uploadedBytes: 0 }],
          }),
        ),
      );
    }
    aggregator.sweep();
    expect([...(aggregator.streams.get(LIVE_KEY)?.renditions.keys() ?? [])]).toEqual(["other-one"]);
  });

  it("refuses a batch with new clients when the table is full of viewers, counting none of it", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock, { maxClients: 2 });
    aggregator.ingest(batch(report({ clientId: "client-aaaa" }), report({ clientId: "client-bbbb" })));
    const result = aggregator.ingest(
      batch(report({ clientId: "client-aaaa", seq: 2 }), report({ clientId: "client-cccc" })),
    );
    expect(result).toMatchObject({ ok: false, reason: "server_full" });
    expect(figures(aggregator).all.httpBytes).toBe(2000);
    // A report from a known client still gets in.
    expect(aggregator.ingest(batch(report({ clientId: "client-aaaa", seq: 2 })))).toMatchObject({ ok: true });
  });

  it("evicts clients that stopped watching to make room", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock, { maxClients: 2 });
    aggregator.ingest(batch(report({ clientId: "client-aaaa" })));
    clock.advance(10_000);
    aggregator.ingest(batch(report({ clientId: "client-bbbb" })));
    clock.advance(15_000); // aaaa is no longer a viewer, bbbb still is
    expect(aggregator.ingest(batch(report({ clientId: "client-cccc" })))).toMatchObject({
      ok: true,
      accepted: 1,
    });
    expect(aggregator.clientCount).toBe(2);
    expect(aggregator.activity().get(LIVE_KEY)?.viewers).toBe(2);
  });

  it("counts streams beyond the bound under 'other', keeping every byte", () => {
    const aggregator = makeAggregator(new FakeClock(), { maxStreams: 2 });
    for (let i = 0; i < 5; i++) {
      aggregator.ingest(
        batch(report({ clientId: `client-${i}000`, streamId: `https://cdn.example/ch${i}/master.m3u8` })),
      );
    }
    expect(aggregator.streams.size).toBe(3);
    const other = aggregator.streams.get(OTHER_STREAM);
    expect(other?.totals).toEqual([3000, 9000, 1500]);
    expect(other?.name).toBe("other");
    const book = new FigureBook(aggregator);
    expect(book.measured([...aggregator.streams.values()]).all.httpBytes).toBe(5000);
  });

  it("sums renditions beyond the per-stream bound under one row", () => {
    const aggregator = makeAggregator(new FakeClock(), { maxRenditionsPerStream: 3 });
    const renditions = Array.from({ length: 6 }, (_, i) => ({
      rendition: `r${i}`,
      httpBytes: 10,
      p2pBytes: 0,
      uploadedBytes: 0,
    }));
    aggregator.ingest(batch(report({ renditions })));
    const stream = aggregator.streams.get(LIVE_KEY);
    expect([...(stream?.renditions.keys() ?? [])]).toEqual(["r0", "r1", OTHER_RENDITION]);
    expect(stream?.renditions.get(OTHER_RENDITION)?.totals[0]).toBe(40);
  });

  it("keeps the seq memory of a client bounded whatever the gaps", () => {
    const aggregator = makeAggregator(new FakeClock());
    for (let seq = 2; seq <= 400; seq += 2) aggregator.ingest(batch(report({ seq })));
    // Replays of everything sent are all duplicates; the lost odd seqs are given up.
    const replay = aggregator.ingest(batch(report({ seq: 398 }), report({ seq: 400 })));
    expect(replay).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(figures(aggregator).all.httpBytes).toBe(200 * 1000);
  });

  it("records the origin's bytes beside the reports", () => {
    const clock = new FakeClock();
    const aggregator = makeAggregator(clock);
    aggregator.ingest(batch(report({ deltas: { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 0 } })));
    aggregator.recordOriginBytes("demo", 1000);
    aggregator.recordOriginBytes("not-in-catalog-but-counted", 5);
    clock.advance(15_000);
    const all = figures(aggregator).all;
    expect(all).toMatchObject({ originBytes: 1000, reportedBytes: 4000, originVsReportedOffload: 0.75 });
    expect(figures(aggregator)["1m"].originVsReportedOffload).toBeCloseTo(0.75, 5);
  });
});
