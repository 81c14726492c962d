// The stats API on a real demo server: reports in over HTTP, the JSON snapshot, the event stream and
// /metrics out; every refused request answered with a clear message and leaving the totals alone.
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatsReport } from "../../../sdk/src/core/report-types.js";
import { MAX_REPORT_BODY_BYTES } from "../../../sdk/src/core/report-types.js";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { DASHBOARD_DIR } from "../../../demo-server/src/config.js";
import type { StatsSnapshot } from "../../../demo-server/src/stats/index.js";
import { statsReport } from "../../support/stats-reports.js";
import { sleep, waitFor } from "../../support/wait-for.js";
import { trackerSession, type TrackerSessionHandle } from "../../support/tracker-session.js";
import { parseMetrics, sample } from "./prometheus-text.js";

let server: RunningServer;
const RENDITION = "v842000-960x540-avc1.4d401f,mp4a.40.2";
/** One tracker session per clientId: the server binds a session to the first clientId it reports for. */
const sessions = new Map<string, TrackerSessionHandle>();

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  for (const handle of sessions.values()) await handle.close();
  await server?.close();
});

const liveId = () => `${server.url}/streams/demo/live/master.m3u8`;

async function sessionOf(clientId: string): Promise<TrackerSessionHandle> {
  let handle = sessions.get(clientId);
  if (handle === undefined) {
    handle = await trackerSession(server.url, [`${liveId()}|${RENDITION}`]);
    sessions.set(clientId, handle);
  }
  return handle;
}

function report(clientId: string, seq: number, overrides: Partial<StatsReport> = {}): StatsReport {
  const deltas = overrides.deltas ?? { httpBytes: 100_000, p2pBytes: 0, uploadedBytes: 0 };
  return {
    clientId,
    seq,
    streamId: liveId(),
    sentAtMs: Date.now(),
    deltas,
    renditions: [{ rendition: RENDITION, ...deltas }],
    peers: 2,
    final: false,
    ...overrides,
  };
}

/** A batch of `reports`, with the session of their (first) clientId unless `session` says otherwise. */
async function batch(reports: StatsReport[], session?: string | null): Promise<Record<string, unknown>> {
  const token = session === undefined ? (await sessionOf(reports[0]?.clientId ?? "none")).session : session;
  return { v: 1, ...(token === null ? {} : { session: token }), reports };
}

async function post(
  body: unknown,
  contentType = "application/json",
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${server.url}/api/stats/report`, {
    method: "POST",
    headers: { "Content-Type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

/** A fresh snapshot from the running service (GET /api/stats may be up to a second old). */
function snapshot(): StatsSnapshot {
  return server.stats.snapshot();
}

/** What a refused request must not change. */
function countedTotals() {
  const { totals, reports } = snapshot();
  return {
    all: totals.windows.all,
    clients: totals.clients,
    streams: totals.streams,
    accepted: reports.accepted,
    duplicates: reports.duplicates,
  };
}

describe("POST /api/stats/report", () => {
  it("accepts a batch, counts a resent report once, and says which were duplicates", async () => {
    const first = await post(await batch([report("accept-client", 1), report("accept-client", 2)]));
    expect(first).toMatchObject({ status: 200, json: { accepted: 2, duplicates: 0 } });
    // sendBeacon sends text/plain: the same contract applies.
    const resent = await post(
      JSON.stringify(await batch([report("accept-client", 2), report("accept-client", 3)])),
      "text/plain;charset=UTF-8",
    );
    expect(resent).toMatchObject({ status: 200, json: { accepted: 1, duplicates: 1 } });
    const stats = snapshot();
    const live = stats.streams.find((s) => s.name === "demo/live");
    expect(live?.windows.all).toMatchObject({ httpBytes: 300_000, p2pBytes: 0, offload: 0 });
    expect(live?.viewers).toBe(1);
    expect(stats.reports).toMatchObject({ accepted: 3, duplicates: 1 });
  });

  it("counts P2P bytes once both peers reported the transfer, and only as far as both agree", async () => {
    const [receiver, sender] = [await sessionOf("p2p-receiver"), await sessionOf("p2p-sender")];
    const before = snapshot().streams.find((s) => s.name === "demo/live")?.windows.all;
    const claims = statsReport("p2p-receiver", 1, liveId(), RENDITION, {
      p2p: 300_000,
      peer: sender.peerIdHex,
    });
    expect(await post(await batch([claims]))).toMatchObject({ status: 200, json: { accepted: 1 } });
    const pending = snapshot();
    expect(pending.streams.find((s) => s.name === "demo/live")?.windows.all.p2pBytes).toBe(before?.p2pBytes);
    expect(pending.reports.awaitingConfirmationBytes).toBe(300_000);
    // The sender says it sent 200,000 of them: that much counts, as P2P received and as uploaded.
    const confirmation = statsReport("p2p-sender", 1, liveId(), RENDITION, {
      up: 200_000,
      peer: receiver.peerIdHex,
    });
    expect(await post(await batch([confirmation]))).toMatchObject({ status: 200, json: { accepted: 1 } });
    const after = snapshot();
    const all = after.streams.find((s) => s.name === "demo/live")?.windows.all;
    expect((all?.p2pBytes ?? 0) - (before?.p2pBytes ?? 0)).toBe(200_000);
    expect((all?.uploadedBytes ?? 0) - (before?.uploadedBytes ?? 0)).toBe(200_000);
    expect(after.reports.awaitingConfirmationBytes).toBe(100_000);
  });

  it("refuses a batch without a session, or with a forged one, changing no totals", async () => {
    const before = countedTotals();
    const missing = await post(await batch([report("anon-client", 1)], null));
    expect(missing).toMatchObject({
      status: 401,
      json: { error: expect.stringMatching(/^session: required/) },
    });
    const forged = (await sessionOf("forger-client")).session.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(await post(await batch([report("forger-client", 1)], forged))).toMatchObject({ status: 401 });
    expect(countedTotals()).toEqual(before);
    const { rejectedByReason } = snapshot().reports;
    expect([rejectedByReason.session_missing, rejectedByReason.session_invalid]).toEqual([1, 1]);
  });

  it("refuses a session that already reports for another clientId", async () => {
    const stolen = (await sessionOf("accept-client")).session;
    const response = await post(await batch([report("second-client", 1)], stolen));
    expect(response).toMatchObject({
      status: 403,
      json: { error: expect.stringMatching(/another clientId/) },
    });
  });

  it("does not count bytes of a swarm the session never joined", async () => {
    const before = snapshot();
    const other = {
      rendition: "v5000000-1920x1080-avc1,mp4a",
      httpBytes: 50_000,
      p2pBytes: 0,
      uploadedBytes: 0,
    };
    const response = await post(
      await batch([
        report("accept-client", 4, {
          deltas: { httpBytes: 150_000, p2pBytes: 0, uploadedBytes: 0 },
          renditions: [{ rendition: RENDITION, httpBytes: 100_000, p2pBytes: 0, uploadedBytes: 0 }, other],
        }),
      ]),
    );
    expect(response).toMatchObject({ status: 200, json: { accepted: 1 } });
    const after = snapshot();
    const http = (stats: StatsSnapshot) =>
      stats.streams.find((s) => s.name === "demo/live")?.windows.all.httpBytes ?? 0;
    expect(http(after) - http(before)).toBe(100_000);
    expect(after.reports.clippedBytes.swarm_not_joined - before.reports.clippedBytes.swarm_not_joined).toBe(
      50_000,
    );
  });

  const badBodies: [string, () => unknown, string, RegExp][] = [
    [
      "negative bytes",
      () => ({
        v: 1,
        reports: [report("bad-client", 1, { deltas: { httpBytes: -1, p2pBytes: 0, uploadedBytes: 0 } })],
      }),
      "reports[0].deltas.httpBytes",
      /non-negative integer, got -1/,
    ],
    [
      "bytes as a string",
      () => ({ v: 1, reports: [report("bad-client", 1, { peers: "2" as unknown as number })] }),
      "reports[0].peers",
      /got "2"/,
    ],
    [
      "absurd bytes",
      () => ({
        v: 1,
        reports: [report("bad-client", 1, { deltas: { httpBytes: 0, p2pBytes: 1e13, uploadedBytes: 0 } })],
      }),
      "reports[0].deltas.p2pBytes",
      /implausibly large/,
    ],
    [
      "a bad clientId",
      () => ({ v: 1, reports: [report("bad id!", 1)] }),
      "reports[0].clientId",
      /8–64 characters/,
    ],
    [
      "a wrong version",
      () => ({ v: 9, reports: [report("bad-client", 1)] }),
      "v",
      /unsupported report version 9/,
    ],
    [
      "too many reports",
      () => ({ v: 1, reports: Array.from({ length: 21 }, (_, i) => report("bad-client", i + 1)) }),
      "reports",
      /1–20 reports, got 21/,
    ],
    // One bad report spoils the batch: the good one before it is not counted either.
    [
      "a good and a bad report",
      () => ({ v: 1, reports: [report("bad-client", 1), report("bad-client", 2, { seq: 0 })] }),
      "reports[1].seq",
      /positive integer/,
    ],
  ];

  it.each(badBodies)(
    "answers 400 naming the field for %s, changing no totals",
    async (_name, body, field, message) => {
      const before = await countedTotals();
      const response = await post(body());
      expect(response.status).toBe(400);
      expect(response.json["field"]).toBe(field);
      expect(String(response.json["error"])).toMatch(new RegExp(`^${field.replace(/[[\].]/g, "\\$&")}: `));
      expect(String(response.json["error"])).toMatch(message);
      expect(await countedTotals()).toEqual(before);
    },
  );

  it("answers 400 for a body that is not JSON, and for an empty one", async () => {
    const before = await countedTotals();
    const broken = await post("{ not json", "text/plain");
    expect(broken.status).toBe(400);
    expect(String(broken.json["error"])).toMatch(/^body: is not valid JSON/);
    const empty = await post("", "application/json");
    expect(empty.status).toBe(400);
    expect(String(empty.json["error"])).toMatch(/^body: is empty/);
    expect(await countedTotals()).toEqual(before);
  });

  it("answers 413 for a body over the limit", async () => {
    const before = await countedTotals();
    const padded = JSON.stringify({
      v: 1,
      reports: [report("big-client", 1)],
      padding: "x".repeat(MAX_REPORT_BODY_BYTES),
    });
    const response = await post(padded);
    expect(response.status).toBe(413);
    expect(response.json["error"]).toBe(`body: larger than ${MAX_REPORT_BODY_BYTES} bytes`);
    expect(await countedTotals()).toEqual(before);
  });

  it("answers 415 for another content type", async () => {
    const before = await countedTotals();
    const response = await post(
      { v: 1, reports: [report("type-client", 1)] },
      "application/x-www-form-urlencoded",
    );
    expect(response.status).toBe(415);
    expect(response.json["error"]).toMatch(
      /Content-Type must be application\/json or text\/plain, got application\/x-www-form-urlencoded/,
    );
    expect(await countedTotals()).toEqual(before);
  });

  it("answers 429 with Retry-After to a flooding client while another client still gets through", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let seq = 1; seq <= 10; seq++) {
      const response = await post(await batch([report("flood-client", seq)]));
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter ??= response.headers.get("retry-after");
        expect(response.json["error"]).toMatch(/too many reports from this clientId/);
      }
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5).filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const before = await countedTotals();
    expect(await post(await batch([report("flood-client", 11)]))).toMatchObject({ status: 429 });
    expect(await countedTotals()).toEqual(before);
    expect(await post(await batch([report("calm-client", 1)]))).toMatchObject({
      status: 200,
      json: { accepted: 1 },
    });
  });

  it("answers CORS preflights and refuses other methods", async () => {
    const preflight = await fetch(`${server.url}/api/stats/report`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://player.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Content-Type/i);
    const get = await fetch(`${server.url}/api/stats/report`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
  });

  it("counts every refusal by reason", async () => {
    const { reports } = await snapshot();
    expect(reports.rejectedByReason).toMatchObject({
      bad_number: 3,
      implausible_value: 1,
      bad_client_id: 1,
      unsupported_version: 1,
      too_many_reports: 1,
      malformed_json: 2,
      body_too_large: 1,
      unsupported_media_type: 1,
    });
    expect(reports.rejectedByReason.rate_limited_client).toBeGreaterThanOrEqual(5);
    expect(reports.rejected).toBe(Object.values(reports.rejectedByReason).reduce((a, b) => a + b, 0));
  });
});

describe("admin actions", () => {
  it("refuses to reset the origin's counters without an admin secret configured", async () => {
    const response = await fetch(`${server.url}/api/origin/stats/reset`, {
      method: "POST",
      headers: { Authorization: "Bearer anything-at-all-guessable" },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: "admin actions are off: start the server with --admin-secret-file",
    });
  });
});

describe("GET /api/stats", () => {
  it("serves a snapshot at most a second old, however often it is asked", async () => {
    const first = await fetch(`${server.url}/api/stats`);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const bodies = await Promise.all(
      Array.from(
        { length: 20 },
        async () => (await (await fetch(`${server.url}/api/stats`)).json()) as StatsSnapshot,
      ),
    );
    const built = new Set(bodies.map((body) => body.atMs));
    expect(Math.max(...built) - Math.min(...built)).toBeLessThanOrEqual(1_000);
    expect(built.size).toBeLessThanOrEqual(2);
    // Once a second has passed, the next request sees a newer one.
    const newer = Math.max(...built) + 1_000;
    await sleep(newer - Date.now() + 1);
    const later = (await (await fetch(`${server.url}/api/stats`)).json()) as StatsSnapshot;
    expect(later.atMs).toBeGreaterThan(Math.max(...built));
  });
});

describe("origin counter beside the reports", () => {
  it("samples the origin's bytes for the stream and computes the origin-measured offload", async () => {
    const segment = await fetch(`${server.url}/streams/demo/vod/360p/seg-00001.ts`);
    const segmentBytes = (await segment.arrayBuffer()).byteLength;
    // The sampler runs every second.
    const stats = await waitFor(
      async () => {
        const now = await snapshot();
        return (now.totals.windows.all.originBytes ?? 0) >= segmentBytes ? now : undefined;
      },
      10_000,
      "the origin sampler to count the segment",
      { intervalMs: 250 },
    );
    const live = stats.streams.find((s) => s.name === "demo/live");
    const all = live?.windows.all;
    expect(all?.originBytes).toBeGreaterThanOrEqual(segmentBytes);
    expect(live?.originStream).toBe("demo");
    if (all?.originBytes == null || all.reportedBytes == null) throw new Error("no origin figures");
    expect(all.originVsReportedOffload).toBeCloseTo(1 - all.originBytes / all.reportedBytes, 9);
  });
});

describe("GET /metrics", () => {
  it("exposes offload, bytes, viewers, report outcomes and tracker figures", async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parseMetrics(await response.text());
    const stats = await snapshot();
    const live = stats.streams.find((s) => s.name === "demo/live");
    const stream = { stream: "demo/live" };
    expect(sample(parsed, "nearcast_reported_offload_ratio", { ...stream, window: "all" })).toBeCloseTo(
      live?.windows.all.offload ?? -1,
      9,
    );
    expect(sample(parsed, "nearcast_reported_bytes_total", { ...stream, source: "p2p" })).toBe(
      live?.windows.all.p2pBytes,
    );
    expect(
      sample(parsed, "nearcast_origin_vs_reported_offload_ratio", { ...stream, window: "all" }),
    ).toBeDefined();
    expect(sample(parsed, "nearcast_viewers", stream)).toBe(live?.viewers);
    expect(sample(parsed, "nearcast_peers", stream)).toBe(live?.peers);
    expect(sample(parsed, "nearcast_stats_reports_total", { result: "accepted" })).toBe(
      stats.reports.accepted,
    );
    expect(sample(parsed, "nearcast_stats_reports_total", { result: "duplicate" })).toBe(
      stats.reports.duplicates,
    );
    expect(sample(parsed, "nearcast_stats_rejected_total", { reason: "body_too_large" })).toBe(1);
    // The sessions above keep their tracker sockets open.
    expect(sample(parsed, "nearcast_tracker_swarms", {})).toBe(server.tracker.stats().swarms);
    expect(sample(parsed, "nearcast_tracker_connections", {})).toBe(sessions.size);
    expect(parsed.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
  });
});

describe("GET /api/stats/events", () => {
  it("streams snapshots with a retry hint and forgets the dashboard when it disconnects", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/stats/events`, { signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body?.getReader();
    if (reader === undefined) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    const events: StatsSnapshot[] = [];
    const deadline = Date.now() + 15_000;
    while (events.length < 2 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (;;) {
        const end = text.indexOf("\n\n");
        if (end === -1) break;
        const frame = text.slice(0, end);
        text = text.slice(end + 2);
        if (frame.startsWith("retry:")) expect(Number(frame.slice(6))).toBeGreaterThan(0);
        const data = /^event: snapshot\ndata: (.*)$/s.exec(frame)?.[1];
        if (data !== undefined) events.push(JSON.parse(data) as StatsSnapshot);
      }
    }
    expect(events.length).toBe(2);
    expect(events[0]?.streams.some((s) => s.name === "demo/live")).toBe(true);
    expect(events[1]?.atMs).toBeGreaterThan(events[0]?.atMs ?? Infinity);
    const connected = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    expect(sample(connected, "nearcast_stats_tracked", { kind: "dashboards" })).toBe(1);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(
      async () =>
        sample(parseMetrics(await (await fetch(`${server.url}/metrics`)).text()), "nearcast_stats_tracked", {
          kind: "dashboards",
        }) === 0,
      5_000,
      "the dashboard gauge back to 0 after the stream closed",
      { intervalMs: 100 },
    );
  });
});

describe("GET /dashboard", () => {
  it("serves the page, and its bundle once built", async () => {
    const page = await fetch(`${server.url}/dashboard`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('src="/dashboard/dist/dashboard.js"');
    expect(html).toContain("No viewers have reported yet");
    if (existsSync(path.join(DASHBOARD_DIR, "dist", "dashboard.js"))) {
      const bundle = await fetch(`${server.url}/dashboard/dist/dashboard.js`);
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get("content-type")).toMatch(/javascript/);
    }
    expect((await fetch(`${server.url}/dashboard/dist/nothing.js`)).status).toBe(404);
  });
});

describe("per-address rate limit", () => {
  let flooded: RunningServer;
  afterAll(async () => {
    await flooded?.close();
  });

  it("answers 429 to an address that floods, before reading its bodies", async () => {
    flooded = await startServer({ host: "127.0.0.1", port: 0 });
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    // Waves of concurrent requests: far faster than the 50/s refill even on a loaded machine.
    for (let wave = 0; wave < 10; wave++) {
      const responses = await Promise.all(
        Array.from({ length: 30 }, () =>
          fetch(`${flooded.url}/api/stats/report`, {
            method: "POST",
            headers: { "Content-Type": "image/png" },
            body: "x",
          }),
        ),
      );
      for (const response of responses) {
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
        await response.arrayBuffer();
      }
    }
    expect(statuses.get(415)).toBeGreaterThanOrEqual(100);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const stats = (await (await fetch(`${flooded.url}/api/stats`)).json()) as StatsSnapshot;
    expect(stats.reports.rejectedByReason.rate_limited_ip).toBe(statuses.get(429));
  });
});
