// The origin fails under a live session of 3 P2P viewers and one plain hls.js viewer (the baseline):
//  - outage: every request answers 503, then connections are reset, for 60 s in all. SDK counters
//    grow only by bytes that arrived, no empty payload reaches hls.js, each viewer asks the origin no
//    more often than plain hls.js does, and playback resumes soon after the origin returns.
//  - 5xx burst: 30 % of media requests fail for 10 s; P2P viewers stall no more than plain hls.js.
// Every fragment hls.js received is checked against the origin's bytes (SHA-256).
import { beforeAll, describe, expect, it } from "vitest";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { sleep } from "../support/wait-for.js";
import { collect, type ViewerResult } from "./support/matrix-run.js";
import { describePlayback, type PlaybackReport } from "./support/playback-report.js";
import { useBrowserRig } from "./support/rig.js";
import { watchPlayback, type Viewer } from "./support/viewer.js";

const TARGET_DURATION_MS = 2_000;
const OUTAGE_503_MS = Number(process.env.NEARCAST_OUTAGE_MS ?? 60_000) / 2;
const OUTAGE_RESET_MS = OUTAGE_503_MS;

const rig = useBrowserRig();
let origin: TestOrigin | undefined;

beforeAll(async () => {
  // A live window longer than the outage (90 s), so the segments produced while the origin was down
  // are still listed when it returns and playback can continue where it stopped.
  origin = await startTestOrigin({ liveWindowSegments: 45 });
  rig().origins.push(origin);
});

interface Audience {
  viewers: Viewer[];
  /** Token of each viewer at the origin; the last viewer is plain hls.js. */
  tokens: string[];
}

async function openAudience(tag: string): Promise<Audience> {
  const viewers: Viewer[] = [];
  const tokens: string[] = [];
  const trackerUrl = encodeURIComponent(rig().trackerUrl);
  for (let i = 0; i < 4; i++) {
    const plain = i === 3;
    const token = `${tag}-${plain ? "plain" : `p2p${i}`}`;
    const src = encodeURIComponent(`${origin!.url}/s/tok/ts-ladder/master.m3u8?token=${token}`);
    const url = `${origin!.url}/page/index.html?${plain ? "plain=1" : "p2p=1"}&capLevel=0&patient=1&tracker=${trackerUrl}&src=${src}`;
    const viewer = await rig().viewer(url, { name: token });
    viewers.push(viewer);
    tokens.push(token);
    await viewer.waitForPlaying(30_000);
    await sleep(1_000);
  }
  return { viewers, tokens };
}

/** Milliseconds from `atMs` until the viewer's currentTime moved again (Infinity if it never did). */
function resumedAfterMs(report: PlaybackReport, startedAtMs: number, atMs: number): number {
  const points = report.timeline.filter((p) => startedAtMs + p.atMs >= atMs);
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.currentTime > points[i - 1]!.currentTime + 0.05)
      return startedAtMs + points[i - 1]!.atMs - atMs;
  }
  return Number.POSITIVE_INFINITY;
}

function checkBytes(results: ViewerResult[]): void {
  for (const r of results) {
    expect(r.badFrags, `${r.name}: fragments that differ from the origin or are empty`).toEqual([]);
    expect(r.report.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
  }
}

describe("origin faults under a live P2P session (3 P2P viewers + plain hls.js)", () => {
  it("outage: 503 then connection resets for 60 s", { timeout: 300_000 }, async () => {
    if (!origin) throw new Error("set-up failed");
    origin.resetLive();
    const { viewers, tokens } = await openAudience("outage");
    const watchStart = Date.now();
    const totalMs = 10_000 + OUTAGE_503_MS + OUTAGE_RESET_MS + 20_000;
    const watches = viewers.map((v) => watchPlayback(v, totalMs));
    const firstSample = Date.now();
    await sleep(10_000);

    const outageAt = Date.now();
    origin.setFault({ kind: "status", status: 503 });
    await sleep(OUTAGE_503_MS);
    origin.setFault({ kind: "reset" });
    await sleep(OUTAGE_RESET_MS);
    const during = await Promise.all(viewers.map((v) => v.sample()));
    const restoredAt = Date.now();
    origin.setFault({ kind: "none" });

    const reports = await Promise.all(watches);
    const results = await Promise.all(viewers.map((v, i) => collect(v, origin!, reports[i]!)));
    for (const r of reports) {
      const errors = r.playerErrors.map((e) => `${e.details}${e.fatal ? "(fatal)" : ""}`).join(", ");
      console.log(`[faults] ${describePlayback(r)}; errors: ${errors}`);
    }

    // Counters grow only by real bytes. The origin sent no media during the outage (its log says so);
    // so by the outage's end a viewer may have counted at most what the origin sent it before. Not
    // "nothing counted after the `before` sample": a response already streaming when the outage began
    // (the rest of a segment, a 1-KiB spot check) lands after that sample and counts then — the CI of
    // a367ea7 saw 1024 bytes of one. P2P bytes may grow: peers still had segments to share.
    const mediaSent = (token: string, fromMs: number, toMs: number) =>
      origin!.log
        .filter(
          (l) =>
            l.token === token &&
            l.atMs >= fromMs &&
            l.atMs < toMs &&
            !l.path.endsWith(".m3u8") &&
            (l.status === 200 || l.status === 206),
        )
        .reduce((sum, l) => sum + l.bytes, 0);
    viewers.forEach((v, i) => {
      expect(mediaSent(tokens[i]!, outageAt, restoredAt), `${v.name}: media sent during the outage`).toBe(0);
      expect(
        during[i]!.stats?.httpDownloadedBytes ?? 0,
        `${v.name}: HTTP bytes counted by the outage's end vs sent before it`,
      ).toBeLessThanOrEqual(mediaSent(tokens[i]!, 0, outageAt));
    });
    // …and over the whole session no viewer counted more HTTP bytes than the origin sent it.
    results.slice(0, 3).forEach((r, i) => {
      const sent = origin!.log
        .filter(
          (l) => l.token === tokens[i] && !l.path.endsWith(".m3u8") && (l.status === 200 || l.status === 206),
        )
        .reduce((sum, l) => sum + l.bytes, 0);
      expect(r.stats?.httpDownloadedBytes ?? 0, `${r.name}: HTTP bytes counted vs sent`).toBeLessThanOrEqual(
        sent,
      );
    });
    // Requests per viewer during the outage: no more than plain hls.js's own retry cadence.
    const requests = tokens.map(
      (t) => origin!.log.filter((l) => l.token === t && l.atMs >= outageAt && l.atMs < restoredAt).length,
    );
    console.log(
      `[faults] origin requests during the ${(restoredAt - outageAt) / 1000} s outage: ${tokens.map((t, i) => `${t} ${requests[i]}`).join(", ")}`,
    );
    const plainRequests = requests[3]!;
    for (let i = 0; i < 3; i++)
      expect(requests[i], `${tokens[i]} requests vs plain hls.js`).toBeLessThanOrEqual(
        plainRequests * 1.5 + 4,
      );
    // Playback resumes after the origin returns, without reloading the page.
    const resumed = reports.map((r) => resumedAfterMs(r, firstSample, restoredAt));
    console.log(
      `[faults] playback resumed after the origin returned: ${tokens.map((t, i) => `${t} ${resumed[i]} ms`).join(", ")}`,
    );
    for (let i = 0; i < 3; i++)
      expect(resumed[i], `${tokens[i]} resumed (ms)`).toBeLessThanOrEqual(2 * TARGET_DURATION_MS);
    checkBytes(results);
    expect(watchStart).toBeLessThan(restoredAt);
    await Promise.allSettled(viewers.map((v) => v.close()));
  });

  it("5xx burst: 30 % of media requests fail for 10 s", { timeout: 200_000 }, async () => {
    if (!origin) throw new Error("set-up failed");
    origin.resetLive();
    const { viewers, tokens } = await openAudience("burst");
    const watches = viewers.map((v) => watchPlayback(v, 30_000));
    await sleep(8_000);
    const burstAt = Date.now();
    origin.setFault({ kind: "burst", ratio: 0.3, status: 503 });
    await sleep(10_000);
    origin.setFault({ kind: "none" });
    const reports = await Promise.all(watches);
    const results = await Promise.all(viewers.map((v, i) => collect(v, origin!, reports[i]!)));
    for (const r of reports) {
      const errors = r.playerErrors.map((e) => `${e.details}${e.fatal ? "(fatal)" : ""}`).join(", ");
      console.log(`[faults] ${describePlayback(r)}; errors: ${errors}`);
    }
    const failed = tokens.map(
      (t) => origin!.log.filter((l) => l.token === t && l.atMs >= burstAt && l.status === 503).length,
    );
    console.log(`[faults] 503s served in the burst: ${tokens.map((t, i) => `${t} ${failed[i]}`).join(", ")}`);
    const plain = reports[3]!;
    for (let i = 0; i < 3; i++) {
      expect(
        reports[i]!.stalledMs,
        `${tokens[i]} stalled ms vs plain hls.js ${plain.stalledMs}`,
      ).toBeLessThanOrEqual(plain.stalledMs + 1000);
    }
    const p2pBytes = results.slice(0, 3).reduce((sum, r) => sum + (r.stats?.p2pDownloadedBytes ?? 0), 0);
    expect(p2pBytes, "peers covered part of the stream").toBeGreaterThan(0);
    checkBytes(results);
    await Promise.allSettled(viewers.map((v) => v.close()));
  });
});
