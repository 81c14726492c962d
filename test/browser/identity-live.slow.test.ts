// Issue 8, identity cases 2 and 3, as live streams played by 3 Chromium viewers with P2P on:
//
// - Live encoder restart: 10 segments of video A, then EXT-X-MEDIA-SEQUENCE starts again at 0 after
//   EXT-X-DISCONTINUITY + a new EXT-X-MAP, with video B under the same segment names. Viewers that
//   joined before the restart hold A's seg-00k and offer it; viewers that join after ask for B's
//   seg-00k. Each must receive only the bytes of the run its playlist named (SHA-256 per fragment,
//   the run told by its program date-time). Without digests (the segments' own
//   EXT-X-PROGRAM-DATE-TIME keeps the runs apart) and with digests.
// - Per-session numbering (server-side ad insertion): every session gets the same segment URIs and its
//   own EXT-X-MEDIA-SEQUENCE base; the viewers must still trade segments, with the right bytes.
import { describe, expect, it } from "vitest";
import { restartRoute, ssaiRoute, type RestartRoute } from "../support/identity-streams.js";
import { startTestOrigin } from "../support/test-origin.js";
import { waitFor } from "../support/wait-for.js";
import { useBrowserRig } from "./support/rig.js";
import { runShape, type ViewerResult } from "./support/matrix-run.js";

const rig = useBrowserRig();

function expectClean(results: ViewerResult[], minPlayedSec: number): void {
  for (const r of results) {
    const errors = r.report.playerErrors.map((e) => `${e.details}${e.fatal ? "(fatal)" : ""}`);
    if (errors.length > 0) console.log(`[identity-live] ${r.name} hls.js errors: ${errors.join(", ")}`);
    expect(r.badFrags, `${r.name}: fragments that differ from the origin's`).toEqual([]);
    expect(r.report.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
    expect(r.report.advancedSec, `${r.name}: played`).toBeGreaterThan(minPlayedSec);
  }
}

describe("live identity cases: 3 Chromium viewers, P2P on", () => {
  it.each([
    { name: "encoder restart reusing segment names, no digests (program date-times)", digests: "n" },
    { name: "encoder restart reusing segment names, digests published", digests: "d" },
  ])("$name", { timeout: 150_000 }, async ({ digests }) => {
    const { browser, trackerUrl, open, origins } = rig();
    const route: RestartRoute = restartRoute();
    const origin = await startTestOrigin({ routes: [route] });
    origins.push(origin);
    const run = (name: string, watchMs: number) =>
      runShape({
        browser,
        origin,
        manifest: `/id/restart/${digests}/index.m3u8`,
        query: "p2p=1",
        trackerUrl,
        name,
        viewers: 2,
        watchMs,
        onOpen: (v) => open.push(v),
        log: (line) => console.log(line),
      });
    // A: 10 segments, 4 of them out at the first request, so the restart comes 12 s later and B's
    // first segment 14 s later. Two viewers join before it and stay (hls.js itself does not follow a
    // sequence number that goes back to 0: plain hls.js stalls there too), holding A's segments;
    // two join once three of B's segments are out (6 s after the restart, by the origin's own clock,
    // however long the early viewers took to start) and play B, whose names are A's.
    const earlyRun = run(`restart-${digests}-early`, 30_000);
    await waitFor(
      () => {
        const timeline = route.timeline();
        return timeline !== undefined && Date.now() >= timeline.restartMs + 6_000;
      },
      60_000,
      "three segments of video B at the origin",
      { intervalMs: 100 },
    );
    const late = await run(`restart-${digests}-late`, 16_000);
    const early = await earlyRun;
    const restartMs = route.timeline()!.restartMs;
    const name = (url: string) => new URL(url).pathname.split("/").pop()!;
    const media = (r: ViewerResult) => r.frags.filter((f) => f.sn !== "initSegment");
    const heldBefore = new Set(
      early.flatMap((r) =>
        media(r)
          .filter((f) => f.pdt! < restartMs)
          .map((f) => name(f.url)),
      ),
    );
    for (const r of [...early, ...late]) {
      expect(r.badFrags, `${r.name}: fragments that differ from the origin's`).toEqual([]);
      expect(r.report.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
      expect(r.stats?.integrityFailures ?? 0, `${r.name} integrity failures`).toBe(0);
      const after = media(r).filter((f) => f.pdt! >= restartMs);
      console.log(
        `[identity-live] ${r.name}: ${media(r).length - after.length} segments before the restart, ${after.length} after ` +
          `(${after.filter((f) => heldBefore.has(name(f.url))).length} under names the early viewers held); ` +
          `advanced ${r.report.advancedSec.toFixed(1)} s, p2p ${r.stats?.p2pDownloadedBytes ?? 0} B, ` +
          `http ${r.stats?.httpDownloadedBytes ?? 0} B`,
      );
    }
    for (const r of early) expect(r.report.advancedSec, `${r.name}: played video A`).toBeGreaterThan(5);
    for (const r of late) {
      const after = media(r).filter((f) => f.pdt! >= restartMs);
      expect(after.length, `${r.name}: only video B`).toBe(media(r).length);
      expect(after.length, `${r.name}: segments of video B`).toBeGreaterThan(3);
      expect(r.report.advancedSec, `${r.name}: played video B`).toBeGreaterThan(6);
      // The hazard is real: B came under names the early viewers loaded from A (and still store).
      expect(
        after.filter((f) => heldBefore.has(name(f.url))).length,
        `${r.name}: names reused`,
      ).toBeGreaterThan(0);
    }
    // Where the bytes really are the same (B between the late viewers), peers still deliver.
    const lateP2p = late.reduce((sum, r) => sum + (r.stats?.p2pDownloadedBytes ?? 0), 0);
    expect(lateP2p, "bytes the late viewers got from peers").toBeGreaterThan(0);
  });

  it(
    "per-session media sequence numbers (SSAI): same URIs, own numbering, still shared",
    { timeout: 120_000 },
    async () => {
      const { browser, trackerUrl, open, origins } = rig();
      const origin = await startTestOrigin({ routes: [ssaiRoute()] });
      origins.push(origin);
      const results = await runShape({
        browser,
        origin,
        manifest: "/id/ssai/index.m3u8",
        query: "p2p=1",
        trackerUrl,
        name: "ssai",
        watchMs: 15_000,
        onOpen: (v) => open.push(v),
        log: (line) => console.log(line),
      });
      expectClean(results, 15_000 / 2000);
      const numbers = results.map(
        (r) => new Set(r.frags.filter((f) => f.sn !== "initSegment").map((f) => Number(f.sn))),
      );
      // Each session numbers the same segments differently: no sequence number is shared…
      for (let i = 0; i < numbers.length; i++)
        for (let j = i + 1; j < numbers.length; j++)
          expect(
            [...numbers[i]!].filter((n) => numbers[j]!.has(n)),
            `sessions ${i} and ${j}`,
          ).toEqual([]);
      // …and the segments still travel between them.
      for (const r of results)
        console.log(
          `[identity-live] ssai ${r.name}: sn ${Math.min(...numbers[results.indexOf(r)]!)}…; ` +
            `p2p ${r.stats?.p2pDownloadedBytes ?? 0} B, http ${r.stats?.httpDownloadedBytes ?? 0} B`,
        );
      const p2p = results.reduce((sum, r) => sum + (r.stats?.p2pDownloadedBytes ?? 0), 0);
      expect(p2p, "bytes from peers").toBeGreaterThan(0);
    },
  );
});
