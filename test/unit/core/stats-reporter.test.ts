import { afterEach, describe, expect, it } from "vitest";
import type { StatsReportBatch } from "../../../sdk/src/core/report-types.js";
import { StatsCollector } from "../../../sdk/src/core/stats.js";
import { StatsReporter } from "../../../sdk/src/core/stats-reporter.js";

const reporters: StatsReporter[] = [];
afterEach(() => reporters.splice(0).forEach((r) => r.destroy()));

/** A fake stats server: records bodies and answers with the next queued status (200 by default). */
function fakeServer() {
  const bodies: StatsReportBatch[] = [];
  const statuses: (number | "network-error")[] = [];
  const fetchImpl = (async (_url: string, init?: RequestInit) => {
    const status = statuses.shift() ?? 200;
    if (status === "network-error") throw new TypeError("fetch failed");
    bodies.push(JSON.parse(String(init?.body)) as StatsReportBatch);
    return new Response("{}", { status });
  }) as typeof fetch;
  return { bodies, statuses, fetchImpl };
}

function setup() {
  const stats = new StatsCollector();
  const server = fakeServer();
  const reporter = new StatsReporter({
    url: "http://stats.test/api/stats/report",
    intervalMs: 3_600_000,
    stats,
    peers: () => 2,
    log: () => {},
    fetchImpl: server.fetchImpl,
    clientId: "client-0001",
  });
  reporters.push(reporter);
  return { stats, server, reporter };
}

describe("StatsReporter", () => {
  it("reports integrity failures since the last report, and leaves discarded bytes out of the offload", async () => {
    const { stats, server, reporter } = setup();
    stats.addHttpBytes("http://o/live.m3u8|v800", 1000);
    stats.addP2pBytes("http://o/live.m3u8|v800", "liar", 3000);
    stats.addIntegrityFailure("http://o/live.m3u8|v800", 3000);
    await reporter.tick(false);
    stats.addHttpBytes("http://o/live.m3u8|v800", 10);
    await reporter.tick(false);
    const [first, second] = server.bodies.map((b) => b.reports[0]!);
    expect(first?.integrityFailures).toBe(1);
    expect(second?.integrityFailures).toBeUndefined();
    expect(stats.snapshot(0)).toMatchObject({
      integrityFailures: 1,
      discardedP2pBytes: 3000,
      offloadRatio: 0,
    });
  });

  it("reports peer and HTTP body rejections since the last report, by reason, summed over renditions", async () => {
    const { stats, server, reporter } = setup();
    stats.addPeerRejection("http://o/live.m3u8|v800", "size-violation");
    stats.addPeerRejection("http://o/live.m3u8|v400", "size-violation");
    stats.addPeerRejection("http://o/live.m3u8|v400", "stall");
    stats.addHttpBodyRejection("http://o/live.m3u8|v800", "tail-check");
    await reporter.tick(false);
    stats.addPeerRejection("http://o/live.m3u8|v800", "unrequested-data");
    await reporter.tick(false);
    const [first, second] = server.bodies.map((b) => b.reports[0]);
    expect(first?.peerRejections).toEqual({ "size-violation": 2, stall: 1 });
    expect(first?.httpBodyRejections).toEqual({ "tail-check": 1 });
    // A report goes out for a rejection alone (no bytes moved), with only what changed.
    expect(second?.peerRejections).toEqual({ "unrequested-data": 1 });
    expect(second?.httpBodyRejections).toBeUndefined();
  });

  it("sends the bytes moved since the last report, per stream and rendition", async () => {
    const { stats, server, reporter } = setup();
    stats.addHttpBytes("http://o/live.m3u8|v800", 1000);
    stats.addP2pBytes("http://o/live.m3u8|v800", "peer", 3000);
    await reporter.tick(false);
    stats.addP2pBytes("http://o/live.m3u8|v800", "peer", 500);
    stats.addUploadedBytes("http://o/live.m3u8|v400", "peer", 700);
    await reporter.tick(false);

    const [first, second] = server.bodies.map((b) => b.reports[0]!);
    expect(first).toMatchObject({
      clientId: "client-0001",
      seq: 1,
      streamId: "http://o/live.m3u8",
      deltas: { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 0 },
      peers: 2,
      final: false,
    });
    expect(first?.renditions).toEqual([
      { rendition: "v800", httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 0 },
    ]);
    expect(second).toMatchObject({ seq: 2, deltas: { httpBytes: 0, p2pBytes: 500, uploadedBytes: 700 } });
    expect(second?.renditions.map((r) => r.rendition).sort()).toEqual(["v400", "v800"]);
  });

  it("resends a report that failed with the same seq and payload, then the next one", async () => {
    const { stats, server, reporter } = setup();
    server.statuses.push("network-error", 503);
    stats.addHttpBytes("s|r", 100);
    await reporter.tick(false); // network error: kept
    stats.addHttpBytes("s|r", 50);
    await reporter.tick(false); // 503: both kept
    await reporter.tick(false); // both delivered, with the third tick's idle heartbeat
    const delivered = server.bodies.at(-1)!.reports;
    expect(delivered.map((r) => [r.seq, r.deltas.httpBytes])).toEqual([
      [1, 100],
      [2, 50],
      [3, 0],
    ]);
    // The 503 attempt carried the same two reports with the same seqs.
    expect(server.bodies[0]!.reports.map((r) => r.seq)).toEqual([1, 2]);
  });

  it("drops a report the server refuses as invalid instead of resending it forever", async () => {
    const { stats, server, reporter } = setup();
    server.statuses.push(400);
    stats.addHttpBytes("s|r", 100);
    await reporter.tick(false);
    stats.addHttpBytes("s|r", 1);
    await reporter.tick(false);
    expect(server.bodies.at(-1)!.reports.map((r) => r.seq)).toEqual([2]);
  });

  it("keeps at most 20 unsent reports and counts the dropped ones", async () => {
    const { stats, server, reporter } = setup();
    for (let i = 0; i < 25; i++) {
      server.statuses.push("network-error");
      stats.addHttpBytes("s|r", 10);
      await reporter.tick(false);
    }
    expect(reporter.droppedReports).toBe(5);
    await reporter.tick(false);
    expect(server.bodies.at(-1)!.reports.map((r) => r.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 6),
    );
  });

  it("sends a final report on destroy so the server sees the viewer leave", async () => {
    const { stats, server, reporter } = setup();
    stats.addHttpBytes("s|r", 10);
    await reporter.tick(false);
    reporter.destroy();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.bodies.at(-1)!.reports[0]).toMatchObject({ seq: 2, final: true, deltas: { httpBytes: 0 } });
  });
});
