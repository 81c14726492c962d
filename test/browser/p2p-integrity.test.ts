// The product end to end in Chromium: demo player pages (hls.js + the SDK bundle) on the demo server
// (origin with digests, tracker). Every fragment payload hls.js receives is hashed in the page and
// compared with the origin's file.
//  - Two viewers of the VOD trade segments over WebRTC, and every byte hls.js got is the origin's.
//  - A viewer whose data channel flips every payload byte it sends (frames stay well formed) joins
//    first, then two honest viewers: no wrong fragment reaches hls.js, the liar is banned at its
//    first bad segment, nobody has a fatal error or a stall.
// How much offload the honest viewers keep with a liar among them is a benchmark, not an assertion:
// `npm run bench:liar` (BENCHMARKS.md). The liar on a live CMAF stream: integrity-liar-live.slow.test.ts.
import { describe, expect, it } from "vitest";
import { runAuditedAudience, wrongFragments } from "./support/fragment-audit.js";
import { expectLiarRejected } from "./support/liar-checks.js";
import { describePlayback } from "./support/playback-report.js";
import { useBrowserRig } from "./support/rig.js";

const STAGGER_MS = 2_000;
const rig = useBrowserRig();

describe("P2P between Chromium viewers of the demo VOD, digests published", () => {
  it("two viewers trade segments, and every fragment hls.js gets is the origin's", async () => {
    const { server, browser, open } = rig();
    const { result, pages } = await runAuditedAudience({
      server,
      browser,
      viewers: 2,
      path: "/?stream=vod",
      watchMs: 12_000,
      staggerMs: STAGGER_MS,
      name: "pair",
      onOpen: (viewer) => open.push(viewer),
    });
    for (const r of result.reports) console.log(`[p2p-integrity] ${describePlayback(r)}`);

    pages.forEach((page, i) => {
      expect(page.frags.length, `viewer ${i}: fragments`).toBeGreaterThan(3);
      expect(wrongFragments(server, page), `viewer ${i}: fragments that are not the origin's`).toEqual([]);
    });
    for (const r of result.reports) expect(r.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
    const [first, second] = result.reports.map((r) => r.finalStats!);
    expect(second!.connectedPeers, "the second viewer's peers").toBe(1);
    expect(second!.p2pDownloadedBytes, "bytes the second viewer got from the first").toBeGreaterThan(0);
    expect(first!.p2pUploadedBytes, "bytes the first viewer uploaded").toBeGreaterThan(0);
    expect(second!.integrityFailures).toBe(0);
  });

  it("a liar is banned at its first bad segment, and no wrong byte reaches hls.js", async () => {
    const { server, browser, open } = rig();
    // First to join, the liar holds (and offers) every segment the others want next.
    const run = await runAuditedAudience({
      server,
      browser,
      viewers: 3,
      path: "/?stream=vod",
      watchMs: 15_000,
      staggerMs: STAGGER_MS,
      name: "liar",
      liar: 0,
      onOpen: (viewer) => open.push(viewer),
    });
    for (const r of run.result.reports) console.log(`[p2p-integrity] ${describePlayback(r)}`);
    const caught = expectLiarRejected(server, run, 0);
    console.log(
      `[p2p-integrity] the liar corrupted ${run.pages[0]!.liedFrames} frames; caught ${caught} times`,
    );
  });
});
