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
const plainLatencyMs = Number(process.env.NEARCAST_TRACE_PLAIN_LATENCY_MS ?? 0);
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
    // The engine's debug lines (`nearcast:*`, the `debug` package writes them with console.debug),
    // kept in the page with their time, merged into the hls.js trace below.
    beforeLoad: async (page, plain) => {
      // NEARCAST_TRACE_PLAIN_LATENCY_MS: the plain viewer's requests take that much longer (DevTools
      // latency), to see what plain hls.js does when its loads last as long as Nearcast's held ones.
      if (plain && plainLatencyMs > 0)
        await page.emulateNetworkConditions({
          download: 50e6 / 8,
          upload: 50e6 / 8,
          latency: plainLatencyMs,
        });
      await page.evaluateOnNewDocument(() => {
        localStorage.setItem("debug", "nearcast:*");
        const lines: [number, string][] = ((window as unknown as { ncTrace: unknown }).ncTrace = []);
        console.debug = (...args: unknown[]) => {
          let rest = args.slice(1);
          const text = String(args[0]).replace(/%([sdifoOjc])/g, (_m, f: string) => {
            const value = rest[0];
            rest = rest.slice(1);
            return f === "c" ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
          });
          lines.push([performance.now(), text.replace(/\s+/g, " ")]);
        };
      });
    },
    onOpen: (v) => {
      opened.push(v);
      const close = v.close.bind(v);
      (v as { close: () => Promise<void> }).close = async () => {
        const trace = await v.page.evaluate(mergedTrace).catch(() => ["(no trace)"]);
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

/** In the page: the hls.js trace (in its own order) with the engine's lines ("NC …") merged in by time. */
function mergedTrace(): string[] {
  const w = window as unknown as { hlsTrace: string[]; ncTrace?: [number, string][]; hlsTraceT0?: number };
  const t0 = w.hlsTraceT0 ?? 0;
  const engine = (w.ncTrace ?? []).map(([at, text]) => [at - t0, text] as const);
  const out: string[] = [];
  let next = 0;
  for (const line of w.hlsTrace) {
    const at = Number(line.split(" ", 1)[0]);
    for (; next < engine.length && engine[next]![0] <= at; next++)
      out.push(`${engine[next]![0].toFixed(0)} NC ${engine[next]![1]}`);
    out.push(line);
  }
  for (; next < engine.length; next++) out.push(`${engine[next]![0].toFixed(0)} NC ${engine[next]![1]}`);
  return out;
}
