// `npm run bench`: N headless Chromium viewers per scenario, each scenario measured for three
// clients in the same run — HTTP-only (plain hls.js), Nearcast, p2p-media-loader (with the
// bittorrent-tracker server as its tracker) — offload measured at the origin.
//
//   npx tsx bench/browser/run.ts [--quick] [--viewers 6] [--watch-sec 60] [--scenarios …] [--clients …]
//
// Progress goes to stderr; the report (machine, command, one table and verdict per scenario) to
// stdout; everything measured to a JSON file (bench/results/<timestamp>.json by default).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium } from "../../test/browser/support/chromium.js";
import { BenchArgsError, parseBenchArgs, USAGE, type BenchArgs } from "./args.js";
import { runClient, type ClientRunRecord } from "./client-run.js";
import { summarizeRun, type ClientSummary } from "./metrics.js";
import {
  CLIENT_LABELS,
  evaluateTargets,
  formatDiagnostics,
  formatTable,
  formatVerdict,
  type VerdictCheck,
} from "./report.js";
import {
  evaluateHardTargets,
  formatCostTable,
  formatJoinerLine,
  formatJoinerSteps,
  formatLevelTable,
  formatRenditionTable,
  type HardRun,
} from "./report-hard.js";
import { evaluateTrustTargets, formatTrustCost, formatTrustLine } from "./report-trust.js";
import { buildScenario, type Scenario } from "./scenarios.js";
import { startStaticServer } from "./static-server.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface ScenarioResult {
  scenario: Scenario;
  clients: {
    client: string;
    summary: ClientSummary | null;
    record: ClientRunRecord | null;
    error: string | null;
  }[];
  checks: VerdictCheck[];
  verdict: string;
}

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchArgsError)) throw error;
  console.error(`error: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const progress = (message: string): void => {
  const clock = new Date().toISOString().slice(11, 19);
  console.error(`[bench ${clock}] ${message}`);
};

// Interrupted (Ctrl-C): close the browser and servers of the run in progress before leaving.
const cleanups = new Set<() => Promise<void>>();
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`${signal}: closing browsers and servers…`);
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
}

const command = `npx tsx bench/browser/run.ts ${process.argv.slice(2).join(" ")}`.trim();
const chromium = findChromium();
const chromiumVersion = (() => {
  try {
    return execFileSync(chromium, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return chromium;
  }
})();
const cpus = os.cpus();
const machine =
  `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
  `${os.type()} ${os.release()}, Node ${process.version}, ${chromiumVersion}, load average ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")} at start`;
const outPath = path.resolve(
  ROOT,
  args.out ?? path.join("bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
);

progress("building bench pages (scripts/build-bench-pages.mjs)…");
execFileSync(process.execPath, [path.join(ROOT, "scripts/build-bench-pages.mjs")], {
  stdio: ["ignore", "ignore", "inherit"],
});
const pages = await startStaticServer(path.join(ROOT, "bench/pages"));

const runsPlanned = args.scenarios.length * args.clients.length;
const viewersOf = (scenario: Scenario): number => scenario.viewers ?? args.viewers;
const estimateSec = (scenario: Scenario) =>
  ((viewersOf(scenario) - 1) * (scenario.staggerMs + 3000) +
    args.watchMs +
    (scenario.churn ? scenario.churn.intervalMs + (args.watchMs / scenario.churn.intervalMs) * 5000 : 0) +
    10_000) /
  1000;
const totalEstimateMin =
  args.scenarios.reduce((sum, id) => sum + estimateSec(buildScenario(id, args.scenarioOptions)), 0) *
  (args.clients.length / 60);

console.log(`# Nearcast browser bench${args.quick ? " (quick)" : ""}\n`);
console.log(`- command: \`${command}\``);
console.log(`- machine: ${machine}`);
console.log(
  `- ${args.viewers} viewers per run of the base scenarios (ceiling 1 − 1/N = ${(1 - 1 / args.viewers).toFixed(3)}; ` +
    "issue 13's scenarios name their own N), " +
    `each watched ${args.watchMs / 1000} s; clients: ${args.clients.map((c) => CLIENT_LABELS[c]).join(", ")}`,
);
console.log(
  "- origin offload = 1 − origin media bytes / media bytes handed to hls.js, all viewers and the origin " +
    "read at one instant; origin bytes for segments newer than any player had been handed by then " +
    '(a client\'s prefetch, "+ahead") are left out of both — "strict" counts them — and of origin req/segment (= origin media ' +
    "requests / distinct media files requested); stalls = playhead stuck for ≥ 2 samples 500 ms apart " +
    "after playback started; rebuffer ratio = stalled / watched time; client-reported = the library's own counters",
);
const so = args.scenarioOptions;
console.log(
  so.shaping === "tc"
    ? `- real shaping: every viewer is a Chromium in its own network namespace (ip netns exec, driven over ` +
        `--remote-debugging-pipe) on a veth whose two ends tc (tbf) shapes — downlink and uplink, HTTP and WebRTC ` +
        `alike; default link ${so.linkDownKbps}/${so.linkUpKbps} kbit/s down/up (a profile's own rates where it ` +
        `names them, uplink never above downlink); the origin waits ${so.originDelayMs} ms before each ` +
        `${so.originDelayMediaOnly ? "media response's" : "response's (media and playlists)"} first byte ` +
        "(the CDN's distance) unless a scenario sets its own CDN emulation; no delay between " +
        "viewers (no netem on this kernel)"
    : "- shaping: DevTools network emulation of profiled viewers' HTTP downlinks only (one browser, a context per viewer, loopback)",
);
progress(
  `${runsPlanned} runs (${args.scenarios.join(", ")} × ${args.clients.join(", ")}), ` +
    `about ${Math.ceil(totalEstimateMin)} min; results → ${path.relative(ROOT, outPath)}`,
);

const results: ScenarioResult[] = [];
const startedAt = new Date().toISOString();
const writeResults = (): void => {
  mkdirSync(path.dirname(outPath), { recursive: true });
  const json = {
    startedAt,
    writtenAt: new Date().toISOString(),
    command,
    machine,
    args,
    scenarios: results.map((result) => ({
      id: result.scenario.id,
      title: result.scenario.title,
      scenario: result.scenario,
      verdict: result.verdict,
      checks: result.checks,
      clients: result.clients,
    })),
  };
  writeFileSync(outPath, `${JSON.stringify(json, null, 2)}\n`);
};

let runIndex = 0;
try {
  for (const id of args.scenarios) {
    const scenario = buildScenario(id, args.scenarioOptions);
    const result: ScenarioResult = { scenario, clients: [], checks: [], verdict: "" };
    results.push(result);
    for (const client of args.clients) {
      if (interrupted) break;
      runIndex++;
      progress(`── run ${runIndex}/${runsPlanned}: ${scenario.id} × ${CLIENT_LABELS[client]} ──`);
      try {
        const record = await runClient({
          scenario,
          client,
          viewers: viewersOf(scenario),
          watchMs: args.watchMs,
          pagesUrl: pages.url,
          progress,
          onCleanup: (cleanup) => {
            cleanups.add(cleanup);
            return () => cleanups.delete(cleanup);
          },
        });
        result.clients.push({ client, summary: summarizeRun(record), record, error: null });
      } catch (error) {
        const message = (error as Error).stack ?? String(error);
        progress(`${scenario.id}/${client} failed: ${message}`);
        result.clients.push({ client, summary: null, record: null, error: message });
      }
      writeResults();
    }
    if (interrupted) break;
    const summaries = result.clients.flatMap((entry) => (entry.summary ? [entry.summary] : []));
    const hardRuns: HardRun[] = result.clients.flatMap((entry) =>
      entry.summary && entry.record
        ? [
            {
              client: entry.summary.client,
              summary: entry.summary,
              renditions: entry.record.renditions,
              viewers: entry.record.viewers,
            },
          ]
        : [],
    );
    result.checks = [
      ...evaluateTargets(scenario.targets, summaries),
      ...evaluateHardTargets(scenario.targets, hardRuns),
      ...evaluateTrustTargets(scenario.targets, summaries),
    ];
    result.verdict = formatVerdict(scenario.id, result.checks);
    writeResults();

    console.log(`\n## ${scenario.id}: ${scenario.title}\n`);
    console.log(
      `N = ${viewersOf(scenario)}${scenario.churn ? " concurrent" : ""}, ceiling 1 − 1/N = ${(1 - 1 / viewersOf(scenario)).toFixed(3)}\n`,
    );
    console.log(formatTable(summaries));
    for (const entry of result.clients) {
      if (entry.error)
        console.log(
          `\n${CLIENT_LABELS[entry.client as keyof typeof CLIENT_LABELS]} failed: ${entry.error.split("\n")[0]}`,
        );
    }
    console.log("");
    for (const summary of summaries) console.log(`- ${formatDiagnostics(summary)}`);
    for (const note of scenario.notes) console.log(`- ${note}`);
    // Where verification's origin bytes went, for every P2P client that made Range requests or verifies.
    const trustLines = summaries.flatMap((summary) => formatTrustLine(summary) ?? []);
    const trustCost = formatTrustCost(summaries);
    if (trustLines.length > 0 || trustCost)
      console.log(
        `\nTrust:\n\n${[...trustLines, ...(trustCost ? [trustCost] : [])].map((line) => `- ${line}`).join("\n")}`,
      );
    if (scenario.profile && !scenario.measureCost)
      console.log(
        `\nOffload per rendition and against the per-rendition ceiling:\n\n${formatRenditionTable(hardRuns)}`,
      );
    // Every scenario: whether a P2P viewer ends up on a lower rendition than plain hls.js's.
    if (!scenario.measureCost)
      console.log(`\nEach viewer's level (hls.js ABR) per client:\n\n${formatLevelTable(hardRuns)}`);
    if (scenario.churn) console.log(`\n- ${formatJoinerLine(hardRuns)}\n- ${formatJoinerSteps(hardRuns)}`);
    if (scenario.measureCost) console.log(`\nWhat a viewer's page costs:\n\n${formatCostTable(hardRuns)}`);
    console.log(`\n${result.verdict}`);
  }
} finally {
  await pages.close();
}
writeResults();
progress(`results written to ${path.relative(ROOT, outPath)}`);
if (interrupted) process.exit(130);
