// Offload on the live demo stream at hls.js's default latency, measured at the origin:
// N Chromium viewers (separate browser contexts) with P2P off, then on, in the same run.
//
//   npx tsx bench/live-offload.ts [--viewers 6] [--watch-sec 60] [--stagger-sec 2]
import os from "node:os";
import { parseArgs } from "node:util";
import { startServer } from "../demo-server/src/server.js";
import { runAudience, type AudienceResult } from "../test/browser/support/audience.js";
import { closeBrowser, launchBrowser } from "../test/browser/support/chromium.js";
import { positiveArg } from "./lib/positive-arg.js";

const { values } = parseArgs({
  options: {
    viewers: { type: "string", default: "6" },
    "watch-sec": { type: "string", default: "60" },
    "stagger-sec": { type: "string", default: "2" },
  },
  strict: true,
});
const viewers = Math.round(positiveArg("viewers", values.viewers));
const watchMs = positiveArg("watch-sec", values["watch-sec"]) * 1000;
const staggerMs = positiveArg("stagger-sec", values["stagger-sec"]) * 1000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const server = await startServer({ host: "127.0.0.1", port: 0 });
const browser = await launchBrowser();
const rows: [string, AudienceResult][] = [];
try {
  for (const p2p of [false, true]) {
    const name = p2p ? "nearcast" : "http-only";
    console.error(
      `[bench] ${name}: ${viewers} viewers joining ${staggerMs / 1000} s apart, ${watchMs / 1000} s each`,
    );
    const result = await runAudience({
      server,
      browser,
      viewers,
      path: `/?stream=live&p2p=${p2p ? 1 : 0}`,
      watchMs,
      staggerMs,
      name,
      onProgress: (message) => console.error(`[bench]   ${message}`),
    });
    rows.push([name, result]);
  }
} finally {
  await closeBrowser(browser);
  await server.close();
}

const ceiling = 1 - 1 / viewers;
console.log(
  `\nLive demo stream, hls.js default latency, ${viewers} viewers × ${watchMs / 1000} s, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"})`,
);
console.log(
  "| client | origin offload | × ceiling | origin MiB | received MiB | stalls | fatal errors | startup median ms |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [name, r] of rows) {
  const stalls = r.reports.reduce((s, x) => s + x.stalls, 0);
  const fatal = r.reports.reduce((s, x) => s + x.fatalErrors.length, 0);
  console.log(
    `| ${name} | ${r.originOffload.toFixed(3)} | ${(r.originOffload / ceiling).toFixed(2)} | ${(r.originBytes / 2 ** 20).toFixed(1)} | ` +
      `${(r.receivedBytes / 2 ** 20).toFixed(1)} | ${stalls} | ${fatal} | ${median(r.startupMs)} |`,
  );
}
console.log(`ceiling 1 − 1/N = ${ceiling.toFixed(3)}`);
