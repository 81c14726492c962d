// Attack: one address opens every dashboard stream (`GET /api/stats/events`) the server allows and
// holds them. The operator's own dashboard, from another address, must still get its stream, and each
// stream taken or refused is counted by reason.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { MAX_SSE_CLIENTS } from "../../../demo-server/src/stats/constants.js";
import { parseMetrics, sample } from "./prometheus-text.js";

let server: RunningServer;
const open: http.ClientRequest[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  for (const req of open) req.destroy();
  await server?.close();
});

interface Stream {
  status: number;
  /** Resolves with the first `event: snapshot` frame's text, or rejects when the stream closes first. */
  firstSnapshot: Promise<string>;
  /** Resolves when the server closes the stream. */
  closed: Promise<void>;
}

/** Opens an event stream from `localAddress` and resolves once its status line arrived. */
function openStream(localAddress: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${server.url}/api/stats/events`, { localAddress, agent: false }, (res) => {
      let text = "";
      const closed = new Promise<void>((done) => res.once("close", () => done()));
      const firstSnapshot = new Promise<string>((done, fail) => {
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("event: snapshot\n")) done(text);
        });
        res.once("close", () =>
          fail(new Error(`stream closed before a snapshot (status ${res.statusCode})`)),
        );
      });
      firstSnapshot.catch(() => undefined);
      resolve({ status: res.statusCode ?? 0, firstSnapshot, closed });
    });
    req.once("error", reject);
    open.push(req);
  });
}

describe("dashboard streams crowded by one address", () => {
  it("gives the operator's dashboard a stream and counts what it took from the crowding address", async () => {
    const attacker: Stream[] = [];
    for (let i = 0; i < MAX_SSE_CLIENTS; i++) attacker.push(await openStream("127.0.0.1"));
    expect(attacker.every((s) => s.status === 200)).toBe(true);

    // The crowding address asking for more is refused, not served at someone else's expense.
    const extra = await openStream("127.0.0.1");
    expect(extra.status).toBe(503);

    // An operator from another address gets a live stream during the attack...
    const operator = await openStream("127.0.0.2");
    expect(operator.status).toBe(200);
    expect(await operator.firstSnapshot).toContain("data: {");
    // ...because the oldest of the crowding address's streams was closed for it.
    await attacker[0]!.closed;

    const metrics = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    expect(sample(metrics, "nearcast_server_refused_total", { reason: "sse_full" })).toBe(1);
    expect(sample(metrics, "nearcast_server_refused_total", { reason: "sse_evicted" })).toBe(1);
    expect(sample(metrics, "nearcast_stats_tracked", { kind: "dashboards" })).toBe(MAX_SSE_CLIENTS);
  });
});
