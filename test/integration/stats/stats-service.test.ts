// The stats service on its own: origin sampling, tracker swarm sizes, bounded event streams, and
// nothing running after close().
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { zeroCounters, type OriginStatsSnapshot } from "../../../demo-server/src/origin/origin-counters.js";
import { swarmInfoHash } from "../../../demo-server/src/stats/stream-state.js";
import { SseHub } from "../../../demo-server/src/stats/sse-hub.js";
import { createStatsService } from "../../../demo-server/src/stats/stats-service.js";
import type { TrackerStats } from "../../../demo-server/src/tracker/stats.js";
import { sleep, waitFor } from "../../support/wait-for.js";

const STREAM_ID = "http://localhost:8080/streams/demo/live/master.m3u8";
const RENDITION = "v842000-960x540-avc1.4d401f,mp4a.40.2";

function fakeOrigin() {
  const origin = {
    bytes: 0,
    reads: 0,
    catalog: { streams: new Map([["demo", {}]]) },
    getStats(): OriginStatsSnapshot {
      origin.reads++;
      const counters = { ...zeroCounters(), mediaBytes: origin.bytes };
      return {
        since: "",
        at: "",
        totals: counters,
        streams: { demo: { ...counters, renditions: {} } },
        cdn: { latencyMs: 0, bandwidthKbps: 0, playlistLatencyMs: 0 },
      };
    },
  };
  return origin;
}

const tracker = {
  stats: () =>
    ({
      swarms: 1,
      peers: 3,
      connections: 3,
      announces: 9,
      topSwarms: [{ infoHash: swarmInfoHash(STREAM_ID, RENDITION), peers: 3, complete: 0, incomplete: 3 }],
    }) as unknown as TrackerStats,
};

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(app: express.Express): Promise<string> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("createStatsService", () => {
  it("samples the origin into the buckets and maps tracker swarms to renditions", async () => {
    const clock = { now: Date.UTC(2025, 0, 1, 12) };
    const origin = fakeOrigin();
    origin.bytes = 5_000; // served before the service started: not counted
    const service = createStatsService({ origin, tracker, clock: () => clock.now });
    closers.push(() => service.close());
    const deltas = { httpBytes: 1000, p2pBytes: 3000, uploadedBytes: 0 };
    service.aggregator.ingest({
      v: 1,
      reports: [
        {
          clientId: "client-0001",
          seq: 1,
          streamId: STREAM_ID,
          sentAtMs: 0,
          deltas,
          renditions: [{ rendition: RENDITION, ...deltas }],
          peers: 2,
          final: false,
        },
      ],
    });
    origin.bytes += 2_000;
    service.tick();
    clock.now += 15_000;
    const snapshot = service.snapshot();
    const live = snapshot.streams[0];
    expect(live?.windows.all).toMatchObject({
      originBytes: 2000,
      reportedBytes: 4000,
      originVsReportedOffload: 0.5,
      offload: 0.75,
    });
    expect(live?.renditions[0]).toMatchObject({ rendition: RENDITION, swarmPeers: 3 });
    expect(snapshot.tracker).toEqual({ swarms: 1, peers: 3, connections: 3, announces: 9 });
  });

  it("stops sampling after close(), and close() is idempotent", async () => {
    const origin = fakeOrigin();
    const service = createStatsService({ origin });
    // Pacing, not a wait for an event: the sampler reads once a second, 1.3 s is two reads.
    await sleep(1_300);
    expect(origin.reads).toBeGreaterThanOrEqual(2); // the first read primes the sampler
    await Promise.all([service.close(), service.close()]);
    const reads = origin.reads;
    // The window in which no read may happen: more than two sampler periods.
    await sleep(2_200);
    expect(origin.reads).toBe(reads);
  });
});

describe("SseHub", () => {
  it("refuses dashboards beyond its bound with 503, makes room when one leaves, and ends all on close", async () => {
    const hub = new SseHub({ maxClients: 1, retryMs: 1000, maxBufferedBytes: 1 << 20 });
    closers.push(() => hub.close());
    const app = express();
    app.get("/events", (req, res) => hub.accept(req, res, { event: "hello", data: "{}" }));
    const base = await listen(app);

    const first = new AbortController();
    const one = await fetch(`${base}/events`, { signal: first.signal });
    expect(one.status).toBe(200);
    const reader = one.body?.getReader();
    const head = new TextDecoder().decode((await reader?.read())?.value);
    expect(head).toContain("retry: 1000");
    const two = await fetch(`${base}/events`);
    expect(two.status).toBe(503);
    expect(two.headers.get("retry-after")).toBe("30");
    expect(await two.json()).toEqual({ error: "too many dashboards connected; retry later" });

    first.abort();
    await reader?.cancel().catch(() => undefined);
    await waitFor(() => hub.size === 0, 5_000, "the hub to drop the aborted dashboard");

    const three = await fetch(`${base}/events`);
    expect(three.status).toBe(200);
    const threeReader = three.body?.getReader();
    hub.broadcast("snapshot", '{"x":1}');
    hub.close();
    let text = "";
    for (;;) {
      const chunk = await threeReader?.read();
      if (chunk === undefined || chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toContain('event: snapshot\ndata: {"x":1}\n\n');
    expect(hub.size).toBe(0);
  });
});
