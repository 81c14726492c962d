// What a lying viewer costs the honest ones (issue 8's liar, moved here from the browser test, where
// a 0.05 bound on 3 viewers × 30 s sat inside the run-to-run noise): N Chromium viewers of the demo
// server with digests published, in two phases per stream, same run, same join order — without the
// liar (its place, first to join, goes to a player with P2P off, so both phases run N players on the
// same cores) and with it. Prints the honest viewers' offload in both phases, the difference, the
// frames the liar corrupted and how often it was caught; every fragment is checked against the origin.
//
//   npm run bench:liar -- [--viewers 4] [--watch-sec 30] [--rounds 1]
import os from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../demo-server/src/server.js";
import { closeBrowser, launchBrowser } from "../test/browser/support/chromium.js";
import {
  runAuditedAudience,
  wrongFragments,
  type AuditedAudience,
} from "../test/browser/support/fragment-audit.js";
import { positiveArg } from "./lib/positive-arg.js";

const { values } = parseArgs({
  options: {
    viewers: { type: "string", default: "4" },
    "watch-sec": { type: "string", default: "30" },
    rounds: { type: "string", default: "1" },
  },
  strict: true,
});
const viewers = Math.max(2, Math.round(positiveArg("viewers", values.viewers)));
const watchMs = positiveArg("watch-sec", values["watch-sec"]) * 1000;
const rounds = Math.round(positiveArg("rounds", values.rounds));
/** The liar joins first, so it holds (and offers) every segment the others want next. */
const LIAR = 0;

const STREAMS = [
  ["live CMAF", "/?src=/streams/demo-fmp4/live/master.m3u8"],
  ["VOD MPEG-TS", "/?stream=vod"],
] as const;

/** p2p (verified) / all bytes of the honest viewers: every viewer but the liar's place. */
function honestOffload(run: AuditedAudience): number {
  let p2p = 0;
  let all = 0;
  run.result.reports.forEach((r, i) => {
    if (i === LIAR || !r.finalStats) return;
    const useful = r.finalStats.p2pDownloadedBytes - r.finalStats.discardedP2pBytes;
    p2p += useful;
    all += useful + r.finalStats.httpDownloadedBytes;
  });
  return all > 0 ? p2p / all : 0;
}

const server = await startServer({ host: "127.0.0.1", port: 0 });
const browser = await launchBrowser();
const rows: string[] = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const [label, path] of STREAMS) {
      const phase = (withLiar: boolean) => {
        console.error(`[bench] ${label}, round ${round}: ${withLiar ? "with" : "without"} the liar`);
        return runAuditedAudience({
          server,
          browser,
          viewers,
          path,
          watchMs,
          staggerMs: 2_000,
          name: `${label}-${withLiar ? "liar" : "no-liar"}`,
          ...(withLiar ? { liar: LIAR } : { p2pOff: LIAR }),
        });
      };
      const without = await phase(false);
      const withLiar = await phase(true);
      const honest = withLiar.pages.filter((_, i) => i !== LIAR);
      const wrong = honest.flatMap((page) => wrongFragments(server, page)).length;
      const checked = honest.reduce((sum, page) => sum + page.frags.length, 0);
      const caught = withLiar.result.reports.reduce(
        (sum, r) => sum + (r.finalStats?.integrityFailures ?? 0),
        0,
      );
      const stalls = withLiar.result.reports.reduce((sum, r) => sum + r.stalls, 0);
      const before = honestOffload(without);
      const after = honestOffload(withLiar);
      rows.push(
        `| ${label} | ${round} | ${before.toFixed(3)} | ${after.toFixed(3)} | ${(after - before).toFixed(3)} | ` +
          `${withLiar.pages[LIAR]!.liedFrames} | ${caught} | ${wrong} of ${checked} | ${stalls} |`,
      );
    }
  }
} finally {
  await closeBrowser(browser);
  await server.close();
}

console.log(
  `\nHonest viewers' offload without and with a liar: ${viewers} Chromium viewers × ${watchMs / 1000} s, ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"})`,
);
console.log(
  "| stream | round | honest offload, no liar | with the liar | difference | frames the liar corrupted | caught | wrong fragments | stalls |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const row of rows) console.log(row);
