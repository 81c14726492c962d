// Node swarm bench: 10–50+ SDK engines (node-datachannel WebRTC, one tracker, one origin) with
// simulated players that consume segments at playback rate, more viewers than browsers allow on one
// machine. Per N: origin offload vs the 1 − 1/N ceiling, CDN fetches per segment, time to first
// peer, start-up, stalls, and where the origin bytes went (from the engine's scheduling log).
//
//   npx tsx bench/swarm-node.ts --quick
//   npx tsx bench/swarm-node.ts --peers 10,30,50 --duration-sec 60 [--join-spread-sec 10]
//       [--rendition 360p] [--max-peers 10] [--mode live|vod] [--cdn-latency-ms 0]
//       [--cdn-bandwidth-kbps 0] [--workers auto|0..16] [--json results.json]
//   NEARCAST_ALLOW_UNVERIFIED_PEERS=1 runs the engines with `allowUnverifiedPeers` (segments carry no
//   published digest here, so by default the trust ladder verifies peer bytes with CDN spot checks).
//
// Progress goes to stderr, the report (markdown) to stdout. Timings on a shared machine are noisy:
// compare the ratios of one run, and read the event-loop lag column before blaming the SDK.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { describeFingerprint, sdkFingerprint, type SdkFingerprint } from "./lib/swarm-fingerprint.js";
import { parseSwarmArgs, USAGE } from "./lib/swarm-options.js";
import { runSwarm, STEADY_SETTLE_MS, type RunOutput } from "./lib/swarm-run.js";
import {
  fixed,
  formatBreakdownTable,
  formatCounts,
  formatLagTable,
  formatSummaryTable,
  formatTargetVerdict,
  ms,
  TARGET_VIEWERS,
} from "./lib/swarm-table.js";

const parsed = parseSwarmArgs(process.argv.slice(2));
if (!parsed.ok) {
  if (parsed.error === "help") {
    console.log(USAGE);
    process.exit(0);
  }
  console.error(`error: ${parsed.error}\n${USAGE}`);
  process.exit(2);
}
const options = parsed.options;
const command = `npx tsx bench/swarm-node.ts ${process.argv.slice(2).join(" ")}`.trim();
const cpus = os.cpus();
const machine =
  `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
  `Node ${process.version}, ${os.platform()} ${os.release()}, load average at start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`;

const outputs: RunOutput[] = [];
const fingerprints: SdkFingerprint[] = [];
for (const n of options.peers) {
  fingerprints.push(sdkFingerprint());
  outputs.push(await runSwarm(options, n));
}
const sdkLines = [...new Set(fingerprints.map(describeFingerprint))];
const reports = outputs.map((o) => o.report);

const out: string[] = [];
out.push(
  `\n## Node swarm bench: ${options.mode} ${options.rendition}, maxPeers ${options.maxPeers}, ` +
    `join spread ${options.joinSpreadSec} s, ${options.durationSec} s after the last join` +
    `${options.cdnLatencyMs || options.cdnBandwidthKbps ? `, CDN ${options.cdnLatencyMs} ms / ${options.cdnBandwidthKbps || "∞"} kbit/s` : ""}`,
);
out.push("");
out.push(`Machine: ${machine}`);
out.push(`Command: \`${command}\``);
if (sdkLines.length === 1) out.push(`SDK: ${sdkLines[0]}`);
else {
  out.push("SDK: **the SDK changed between runs** (worker processes load it afresh for each N):");
  options.peers.forEach((n, i) => out.push(`- N=${n}: ${describeFingerprint(fingerprints[i]!)}`));
}
out.push("");
out.push(formatSummaryTable(reports));
out.push("");
out.push(
  "Origin offload = 1 − origin media bytes / bytes the players received; ceiling = 1 − 1/N. " +
    `Steady = from ${STEADY_SETTLE_MS / 1000} s after the last join to the end (its × ceiling can exceed 1 by a window-edge segment). ` +
    "Run ceiling = 1 − bytes of the distinct segments loaded / bytes received (what this run's join pattern allows). " +
    "CDN fetches/segment = origin media requests per distinct segment requested (origin per-segment counters). " +
    "First peer = join → first peer-connected; startup = join → playback start.",
);
out.push("");
for (const r of reports)
  if (r.summary.viewers >= TARGET_VIEWERS || options.peers.length === 1)
    out.push(`- ${formatTargetVerdict(r.summary)}`);
if (!reports.some((r) => r.summary.viewers >= TARGET_VIEWERS))
  out.push(`- (the issue's target is stated for N = ${TARGET_VIEWERS}; this run did not include it)`);
out.push("");
out.push("### Where the origin bytes went");
out.push("");
out.push(formatBreakdownTable(reports));
out.push("");
out.push(
  "Per segment, the first viewer to load it over HTTP is its one necessary CDN fetch; every other HTTP load is a duplicate, " +
    "classified by the engine's last scheduling decision (DEBUG log `nearcast:engine`). peers = mean peers connected at request; " +
    "gap = median time from the segment's first HTTP request to these requests (≈ 0: two viewers raced; hundreds of ms: no neighbour had it yet).",
);
out.push("");
for (const r of reports) {
  const s = r.summary;
  out.push(
    `- N=${s.viewers}: origin ${(s.originMediaBytes / 2 ** 20).toFixed(1)} MiB for ${s.fetch.segments} segments ` +
      `(${s.fetch.requests} requests, ${s.fetch.repeated} segments fetched more than once); engines counted ` +
      `${outputs.find((o) => o.report === r)?.viewers.reduce((a, v) => a + v.httpRequests, 0) ?? 0} HTTP requests; ` +
      `${s.warnings} engine warnings.`,
  );
  if (r.steadyMeanPeers !== undefined)
    out.push(
      `  - steady: mean peers at request ${fixed(r.steadyMeanPeers, 1)} → N/(peers+1) = ${fixed(r.expectedFetchesWithoutHold, 2)} ` +
        `CDN fetches/segment expected if a viewer fetches whenever none of its neighbours asked first; measured ${fixed(s.steadyFetch?.meanRequests, 2)}.`,
    );
  const st = r.startup;
  out.push(
    `  - start-up: of each viewer's first ${st.httpByOrdinal.length} loads, ${fixed(st.httpPerViewer, 2)} came over HTTP ` +
      `(by load: ${st.httpByOrdinal.join(" / ")} of ${s.viewers} viewers), asked for at ${st.requestMedianMs.map((x) => ms(x)).join(" / ")} ms ` +
      `after the join (median), first peer at ${ms(s.firstPeerMedianMs)} ms (median)`,
  );
  out.push(`  - decisions: ${formatCounts(r.trace.decisions)}`);
  out.push(
    `  - failed peer transfers: ${formatCounts(r.trace.peerFailures)}; peer disconnects: ${formatCounts(r.disconnects)}`,
  );
  const errors = outputs.find((o) => o.report === r)?.viewers.flatMap((v) => v.errors) ?? [];
  if (errors.length > 0) out.push(`  - errors: ${[...new Set(errors)].slice(0, 5).join("; ")}`);
}
out.push("");
out.push("### Event-loop delay and CPU per process");
out.push("");
out.push(formatLagTable(reports));
out.push("");
out.push(
  "Simulated players stall when their process's event loop cannot keep up: a stall with a large loop lag in the same process is a machine limit, not an SDK fault.",
);
if (options.jsonPath) {
  writeFileSync(
    options.jsonPath,
    JSON.stringify({ command, machine, options, fingerprints, runs: outputs }, null, 1),
  );
  console.error(`[swarm] raw measurements written to ${options.jsonPath}`);
}
// Exit explicitly: with engines hosted in this process (--workers 0), the process was seen to stay
// alive after every engine was destroyed and the server closed, with no JavaScript handle left
// (node-datachannel's native side, presumably). Worker processes exit the same way.
process.stdout.write(`${out.join("\n")}\n`, () => process.exit(0));
