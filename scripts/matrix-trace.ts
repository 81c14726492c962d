// Diagnostic, not a test: plays one stream with N Nearcast viewers and one plain hls.js viewer (the
// matrix's runShape, matrix page with trace=1), prints each viewer's hls.js errors, and writes each
// page's hls.js event trace to $NEARCAST_TRACE_DIR (default /tmp/nearcast-trace)/<run>-<viewer>.log,
// to compare the two players' sequences (issue 22). Needs `npm run build`; timing-sensitive, so:
//   flock /tmp/nearcast-heavy.lock npx tsx scripts/matrix-trace.ts [manifest] [query] [run] [viewers]
// e.g. `… /s/vod/ts-ladder/master.m3u8 switchMs=6000 a 0` (the plain viewer alone, in a fresh Chromium).
import { mkdirSync, writeFileSync } from "node:fs";
import { startServer } from "../demo-server/src/server.js";
import { startTestOrigin } from "../test/support/test-origin.js";
import { launchBrowser, closeBrowser } from "../test/browser/support/chromium.js";
import { runShape } from "../test/browser/support/matrix-run.js";
import type { Viewer } from "../test/browser/support/viewer.js";

const [manifest = "/s/vod/ts-ladder/master.m3u8", query = "switchMs=6000", runName = "run", viewers = "3"] =
  process.argv.slice(2);
const traceDir = process.env.NEARCAST_TRACE_DIR ?? "/tmp/nearcast-trace";
mkdirSync(traceDir, { recursive: true });
const server = await startServer({ host: "127.0.0.1", port: 0 });
const browser = await launchBrowser();
const origin = await startTestOrigin();
const opened: Viewer[] = [];
try {
  const results = await runShape({
    browser,
    origin,
    manifest,
    query: `p2p=1&trace=1&${query}`,
    trackerUrl: `${server.url.replace(/^http/, "ws")}/tracker`,
    name: runName,
    viewers: Number(viewers),
    plainViewer: true,
    watchMs: 15_000,
    onOpen: (v) => {
      opened.push(v);
      const close = v.close.bind(v);
      (v as { close: () => Promise<void> }).close = async () => {
        const trace = await v.page
          .evaluate(() => (window as unknown as { hlsTrace: string[] }).hlsTrace)
          .catch(() => ["(no trace)"]);
        writeFileSync(`${traceDir}/${v.name}.log`, trace.join("\n") + "\n");
        await close();
      };
    },
    log: (l) => console.log(l),
  });
  for (const r of results) {
    const errs = r.report.playerErrors.map((e) => `${e.details} before=${e.beforePlayback} ${e.reason}`);
    console.log(`${r.name}: errors ${errs.join(",") || "-"} p2p=${r.stats?.p2pDownloadedBytes ?? "-"}`);
  }
} finally {
  await closeBrowser(browser);
  await origin.close();
  await server.close();
}
