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

/** Most tests here are about reports, not sessions: by default the reporter sends at once. */
function setup(awaitSessionTicks = 0) {
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
    awaitSessionTicks,
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

  it("sends the session of the tracker on the stats server's host, else the newest unexpired one", async () => {
    const { stats, server, reporter } = setup();
    stats.addHttpBytes("s|r", 1);
    await reporter.tick(false);
    expect(server.bodies[0]?.session).toBeUndefined();
    reporter.acceptSession("wss://stats.test/tracker", "ns1.mine.sig", 600);
    reporter.acceptSession("wss://other-tracker.example/announce", "ns1.theirs.sig", 600);
    stats.addHttpBytes("s|r", 1);
    await reporter.tick(false);
    expect(server.bodies[1]?.session).toBe("ns1.mine.sig");
    // A session in its last seconds is not sent: it would expire on the way.
    reporter.acceptSession("wss://stats.test/tracker", "ns1.mine.sig", 3);
    stats.addHttpBytes("s|r", 1);
    await reporter.tick(false);
    expect(server.bodies[2]?.session).toBe("ns1.theirs.sig");
  });

  it("waits for a tracker's session before its first report, then stops after a refusal until one arrives", async () => {
    const { stats, server, reporter } = setup(3); // the SDK's default wait
    stats.addHttpBytes("s|r", 100);
    await reporter.tick(false);
    await reporter.tick(false);
    expect(server.bodies).toHaveLength(0); // two intervals: still waiting for a session
    server.statuses.push(401);
    await reporter.tick(false); // the wait is over: one try without a session, refused
    await reporter.tick(false);
    expect(server.bodies).toHaveLength(1);
    expect(server.bodies[0]?.session).toBeUndefined();
    reporter.acceptSession("ws://stats.test/tracker", "ns1.arrived.sig", 600);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(server.bodies.at(-1)).toMatchObject({ session: "ns1.arrived.sig" });
    // The first report and the idle one of the third interval, sent the moment the session came.
    expect(server.bodies.at(-1)!.reports.map((r) => r.seq)).toEqual([1, 2]);
  });

  it("keeps reports the server refused for want of a session, to send them with one", async () => {
    const { stats, server, reporter } = setup();
    server.statuses.push(401);
    stats.addHttpBytes("s|r", 100);
    await reporter.tick(false);
    // The session's arrival sends what was kept, at once.
    reporter.acceptSession("wss://stats.test/tracker", "ns1.late.sig", 600);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(server.bodies.at(-1)).toMatchObject({ session: "ns1.late.sig", reports: [{ seq: 1 }] });
  });

  it("lists the bytes traded with each peer, in hex, including a peer that has disconnected", async () => {
    const { stats, server, reporter } = setup();
    const peerId = "-NC0100-abcdefghijkl";
    stats.peers.set(`${peerId}@s|r`, {
      peerId,
      swarmKey: "s|r",
      downloadedBytes: 0,
      uploadedBytes: 0,
      connectedAtMs: 0,
    });
    stats.addP2pBytes("s|r", `${peerId}@s|r`, 3000);
    stats.addUploadedBytes("s|r", `${peerId}@s|r`, 700);
    await reporter.tick(false);
    stats.addP2pBytes("s|r", `${peerId}@s|r`, 500);
    stats.peers.delete(`${peerId}@s|r`);
    await reporter.tick(false);
    const hex = Buffer.from(peerId, "latin1").toString("hex");
    expect(server.bodies[0]?.reports[0]?.renditions[0]?.transfers).toEqual([
      { peer: hex, receivedBytes: 3000, sentBytes: 700 },
    ]);
    expect(server.bodies[1]?.reports[0]?.renditions[0]?.transfers).toEqual([
      { peer: hex, receivedBytes: 500, sentBytes: 0 },
    ]);
  });

  it("keeps every body within the server's size limit", async () => {
    const { stats, server, reporter } = setup();
    // 20 queued reports of 16 renditions, each with 16 peers: over 64 KiB together.
    for (let tick = 0; tick < 20; tick++) {
      server.statuses.push("network-error");
      for (let r = 0; r < 16; r++) {
        for (let p = 0; p < 16; p++) {
          const peerId = `-NC0100-peer${String(r * 16 + p).padStart(8, "0")}`;
          stats.peers.set(`${peerId}@s|r${r}`, {
            peerId,
            swarmKey: `s|r${r}`,
            downloadedBytes: 0,
            uploadedBytes: 0,
            connectedAtMs: 0,
          });
          stats.addP2pBytes(`s|r${r}`, `${peerId}@s|r${r}`, 1000 + tick);
        }
      }
      await reporter.tick(false);
    }
    await reporter.tick(false);
    await reporter.tick(false);
    for (const body of server.bodies) expect(JSON.stringify(body).length).toBeLessThanOrEqual(64 * 1024);
    // The queue went out oldest first, in bodies of as many reports as fit.
    const seqs = server.bodies.flatMap((b) => b.reports.map((r) => r.seq));
    expect(seqs.length).toBeGreaterThan(1);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(server.bodies[0]!.reports.length).toBeLessThan(20);
  });
});
