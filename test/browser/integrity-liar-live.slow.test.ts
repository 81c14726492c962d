// The liar of p2p-integrity.test.ts on a live CMAF stream (demo-fmp4, digests published): it joins
// first and plays one segment behind the live edge, so it fetches each new segment first and the
// three honest viewers ask it. No wrong fragment reaches hls.js, it is banned at its first bad
// segment, no fatal error, no stall. The honest viewers' offload with and without it: `npm run bench:liar`.
import { describe, it } from "vitest";
import { runAuditedAudience } from "./support/fragment-audit.js";
import { expectLiarRejected } from "./support/liar-checks.js";
import { describePlayback } from "./support/playback-report.js";
import { useBrowserRig } from "./support/rig.js";

const rig = useBrowserRig();

describe("a lying viewer among live CMAF viewers, digests published", () => {
  it(
    "is banned at its first bad segment, and no wrong byte reaches hls.js",
    { timeout: 240_000 },
    async () => {
      const { server, browser, open } = rig();
      const run = await runAuditedAudience({
        server,
        browser,
        viewers: 4,
        path: "/?src=/streams/demo-fmp4/live/master.m3u8",
        watchMs: 30_000,
        staggerMs: 2_000,
        name: "live-liar",
        liar: 0,
        onOpen: (viewer) => open.push(viewer),
      });
      for (const r of run.result.reports) console.log(`[integrity-live] ${describePlayback(r)}`);
      const caught = expectLiarRejected(server, run, 0);
      console.log(
        `[integrity-live] the liar corrupted ${run.pages[0]!.liedFrames} frames; caught ${caught} times`,
      );
    },
  );
});
