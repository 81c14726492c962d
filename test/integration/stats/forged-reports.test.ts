// Attack: forged and flooded stats reports against the default server, while two honest viewers
// trade and report. The honest viewers' reports are accepted throughout, and every figure of their
// stream is exactly what they reported; the forgers move nothing but the refusal counters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatsReportBatch } from "../../../sdk/src/core/report-types.js";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { closeAgents, postFrom } from "../../support/http-from.js";
import { statsReport, type ReportBytes } from "../../support/stats-reports.js";
import { trackerSession, type TrackerSessionHandle } from "../../support/tracker-session.js";

const RENDITION = "v842000-960x540-avc1.4d401f,mp4a.40.2";
const GB2 = 2_000_000_000;
let server: RunningServer;
const handles: TrackerSessionHandle[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
});
afterAll(async () => {
  closeAgents();
  for (const handle of handles) await handle.close();
  await server?.close();
});

const report = (clientId: string, seq: number, streamId: string, bytes: ReportBytes) =>
  statsReport(clientId, seq, streamId, RENDITION, bytes);

const reportUrl = () => `${server.url}/api/stats/report`;

describe("attack: forged and flooded stats reports", () => {
  it("honest viewers report and count exactly while forgers are refused or clipped", async () => {
    const honestStream = `${server.url}/streams/demo/live/master.m3u8`;
    const attackStream = "https://attacker.example/live/master.m3u8";
    const [a, b] = [
      await trackerSession(server.url, [`${honestStream}|${RENDITION}`]),
      await trackerSession(server.url, [`${honestStream}|${RENDITION}`]),
    ];
    // An attacker who did get a session (an open tracker admits anyone) for a swarm of its own.
    const insider = await trackerSession(server.url, [`${attackStream}|${RENDITION}`]);
    handles.push(a, b, insider);

    const honestStatuses: number[] = [];
    const honest = async (seq: number) => {
      const fromA: StatsReportBatch = {
        v: 1,
        session: a.session,
        reports: [
          report("honest-viewer-a", seq, honestStream, { http: 100_000, p2p: 100_000, peer: b.peerIdHex }),
        ],
      };
      const fromB: StatsReportBatch = {
        v: 1,
        session: b.session,
        reports: [
          report("honest-viewer-b", seq, honestStream, { http: 100_000, up: 100_000, peer: a.peerIdHex }),
        ],
      };
      for (const [from, body] of [
        ["127.0.0.1", fromA],
        ["127.0.0.4", fromB],
      ] as const) {
        honestStatuses.push((await postFrom(from, reportUrl(), body)).status);
      }
    };

    const attackStatuses = new Map<number, number>();
    const count = (status: number) => attackStatuses.set(status, (attackStatuses.get(status) ?? 0) + 1);
    const attack = async (round: number) => {
      // The forged 2 GB of P2P, without a session, from two addresses, new clientIds each time.
      const flood = Array.from({ length: 200 }, (_, i) => {
        const from = i % 2 === 0 ? "127.0.0.2" : "127.0.0.3";
        const body = {
          v: 1,
          reports: [report(`forger-${round}-${i}`, 1, honestStream, { p2p: GB2, http: GB2 })],
        };
        return postFrom(from, reportUrl(), body).then((r) => count(r.status));
      });
      // The insider: 2 GB of P2P from a peer that never sent it and 2 GB of HTTP, then five invented
      // streams a round (their swarms never joined).
      const insiderMain: StatsReportBatch = {
        v: 1,
        session: insider.session,
        reports: [
          report("insider-viewer", round * 10 + 1, attackStream, {
            http: GB2,
            p2p: GB2,
            peer: "ee".repeat(20),
          }),
        ],
      };
      const insiderFakes: StatsReportBatch = {
        v: 1,
        session: insider.session,
        reports: Array.from({ length: 5 }, (_, i) =>
          report("insider-viewer", round * 10 + 2 + i, `https://attacker.example/fake-${round}-${i}.m3u8`, {
            http: GB2,
          }),
        ),
      };
      const insiderPosts = [insiderMain, insiderFakes].map((body) =>
        postFrom("127.0.0.5", reportUrl(), body).then((r) => count(r.status)),
      );
      await Promise.all([...flood, ...insiderPosts]);
    };

    // Five rounds: a viewer's own rate limit allows five reports back to back (it sends one per 10 s).
    for (let round = 0; round < 5; round++) await Promise.all([honest(round + 1), attack(round)]);

    // Honest outcome during the attack: every honest report accepted.
    expect(honestStatuses).toEqual(Array(10).fill(200));
    const stats = server.stats.snapshot();
    const stream = stats.streams.find((s) => s.streamIds.includes(honestStream));
    // Exactly what the two honest viewers reported: 5 rounds of 100 kB HTTP each, and 100 kB a
    // round that A received from B and B says it sent.
    expect(stream?.windows.all).toMatchObject({
      httpBytes: 1_000_000,
      p2pBytes: 500_000,
      uploadedBytes: 500_000,
    });
    expect(stream?.viewers).toBe(2);
    // The insider's stream got no P2P and at most its rate allowance of HTTP (842 kbit/s x 3, 30 s
    // of burst); none of its invented streams exists.
    const insiderStream = stats.streams.find((s) => s.streamIds.includes(attackStream));
    expect(insiderStream?.windows.all.p2pBytes).toBe(0);
    expect(insiderStream?.windows.all.httpBytes).toBeLessThanOrEqual((842_000 * 3 * 40) / 8);
    expect(stats.totals.streams).toBe(2);
    expect(stats.totals.windows.all.p2pBytes).toBe(500_000);
    expect(stats.totals.clients).toBe(3);
    // The flood was refused (401 without a session, 429 once an address floods), counted by reason.
    expect(
      [...attackStatuses.keys()].every((status) => status === 401 || status === 429 || status === 200),
    ).toBe(true);
    const { rejectedByReason } = stats.reports;
    expect(rejectedByReason.session_missing + rejectedByReason.rate_limited_ip).toBe(1_000);
    expect(stats.reports.rejectedByReason.session_missing).toBe(attackStatuses.get(401));
    expect(stats.reports.clippedBytes.rate).toBeGreaterThan(5 * GB2);
    expect(stats.reports.clippedBytes.swarm_not_joined).toBeGreaterThan(0);
    console.log(
      `[forged-reports] honest 10/10 accepted; attack statuses ${JSON.stringify(Object.fromEntries(attackStatuses))}; ` +
        `clipped ${JSON.stringify(stats.reports.clippedBytes)}; awaiting ${stats.reports.awaitingConfirmationBytes}`,
    );
  });
});
