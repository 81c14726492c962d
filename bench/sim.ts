// Swarm simulator bench: the SDK's own delivery policy and loop and its segment store driving simulated viewers,
// links, tracker and a live stream on a virtual clock (bench/sim/), from the Node swarm bench's
// loopback world (for validation) to 10,000 viewers on internet-like links.
//
//   npm run bench:sim                                   # validation scenarios + scale scenarios
//   npm run bench:sim -- --scenarios live-10000 --json out.json
//   npm run bench:sim -- --validate real.json           # compare with `npm run bench:swarm -- --json real.json`
//   npm run bench:sim -- --seeds 5 --scenarios node-50  # the same scenario with 5 seeds (spread)
//   npm run bench:sim -- --quick                        # internet scenarios cut to 2 minutes
//   npm run bench:sim -- --before                       # the scheduler's rules before the gossip change
//
// Progress goes to stderr, the report (markdown) to stdout.
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import {
  formatBreakdownTable,
  formatResultsTable,
  formatTrustTable,
  formatValidationTable,
  realRuns,
} from "./sim/report.js";
import { formatSteadyBreakdownTable } from "./sim/steady-breakdown.js";
import { scenarios, SCALE_SCENARIOS, VALIDATION_SCENARIOS } from "./sim/scenarios.js";
import { runSimulation, type SimResult } from "./sim/sim-run.js";
import { BEFORE_GOSSIP } from "./sim/sim-types.js";
import { TRUST_MODES, type TrustMode } from "./sim/sim-trust.js";

const USAGE = `usage: npm run bench:sim -- [options]

  --scenarios a,b     scenarios to run (default: every one — the 10,000-viewer ones take minutes each)
  --seeds N           run each scenario with seeds 1..N, one row each (default 1)
  --quick             internet scenarios cut to 2 minutes of stream after the joins
  --validate f.json   compare node-N scenarios with real runs (npm run bench:swarm -- --json f.json)
  --before            the scheduler's rules before the gossip change (a42a415), for comparison
  --before-weak       without the rule that keeps weak uplinks out of first fetches (366bb89)
  --before-uplink     weak uplinks known by their configured cap only, not by their measured rate
  --before-serves     a viewer serves peers whatever its measured uplink (before upload-rules.ts servesSegment)
  --gossip-small-swarms  announce \`fetching\` as a peer download starts only in swarms of at most 100
                      viewers (the rule of 38958d3, while relays held whole segments; since cut-through
                      the default gossips everywhere, as --gossip-everywhere did at 2d64461)
  --first-fetchers K  viewers elected per segment to fetch it first in a large swarm (default: the
                      SDK's electedFirstFetchers, 8 % of the swarm, at least 16; 16: the count
                      before that share; Infinity = everyone, the rule before the election)
  --relay-first-byte-ms T  in a large swarm, cut a peer transfer with no byte T ms after its start
                      (default: the SDK's RELAY_FIRST_BYTE_MS, 600; Infinity: the rule before it)
  --elected-hold MIN,SPREAD  an elected first fetcher's hold range, ms (default: the SDK's 0,1000; 0,500 before)
  --prefetch-on-news fetching|complete  experiment, not an SDK rule: in a large swarm an idle
                      viewer that hears a neighbour is getting (fetching) or holds (complete) the
                      segment after its last one gets it at once, before its playlist lists it
  --trust m1,m2       how peer bytes are verified, each scenario run once per mode: ladder (the SDK's
                      default: digest service ≥ its min swarm, CDN spot checks below; peer bytes passed
                      on chunk by chunk once the chunk digests are in, else once verified whole),
                      ladder-hold (the ladder before cut-through: always held until verified whole),
                      allow-unverified (allowUnverifiedPeers), off (no ladder, peer bytes relayed as
                      they arrive); default: ladder
  --json out.json     write the results as JSON
  --help              this text

scenarios: ${Object.keys(scenarios()).join(", ")}
(npm run bench:sim passes Node --max-semi-space-size=64; \`npx tsx bench/sim.ts\` works, slower)`;

let values: ReturnType<typeof parseOptions>;
function parseOptions() {
  return parseArgs({
    options: {
      scenarios: { type: "string" },
      validate: { type: "string" },
      seeds: { type: "string" },
      quick: { type: "boolean" },
      before: { type: "boolean" },
      "before-weak": { type: "boolean" },
      "before-uplink": { type: "boolean" },
      "before-serves": { type: "boolean" },
      "first-fetchers": { type: "string" },
      "relay-first-byte-ms": { type: "string" },
      "elected-hold": { type: "string" },
      "prefetch-on-news": { type: "string" },
      "gossip-small-swarms": { type: "boolean" },
      trust: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }).values;
}
try {
  values = parseOptions();
} catch (error) {
  process.stderr.write(`bench:sim: ${(error as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const all = scenarios();
const names = values.scenarios?.split(",").map((s) => s.trim()) ?? [
  ...VALIDATION_SCENARIOS,
  ...SCALE_SCENARIOS,
];
for (const name of names) {
  if (!all[name]) {
    console.error(`error: unknown scenario "${name}"\n${USAGE}`);
    process.exit(2);
  }
}
const firstFetchers = values["first-fetchers"];
if (firstFetchers !== undefined && !(Number(firstFetchers) >= 1)) {
  console.error(`error: --first-fetchers must be a number ≥ 1 or Infinity\n${USAGE}`);
  process.exit(2);
}
const relayFirstByteMs = values["relay-first-byte-ms"];
if (relayFirstByteMs !== undefined && !(Number(relayFirstByteMs) > 0)) {
  console.error(`error: --relay-first-byte-ms must be a number > 0 or Infinity\n${USAGE}`);
  process.exit(2);
}
const electedHold = values["elected-hold"]?.split(",").map(Number);
if (electedHold && !(electedHold.length === 2 && electedHold.every((x) => x >= 0))) {
  console.error(`error: --elected-hold must be MIN,SPREAD in ms\n${USAGE}`);
  process.exit(2);
}
const prefetchOnNews = values["prefetch-on-news"] as "fetching" | "complete" | undefined;
if (prefetchOnNews !== undefined && prefetchOnNews !== "fetching" && prefetchOnNews !== "complete") {
  console.error(`error: --prefetch-on-news must be fetching or complete\n${USAGE}`);
  process.exit(2);
}
const trustModes = (values.trust?.split(",").map((s) => s.trim()) ?? ["ladder"]) as TrustMode[];
for (const mode of trustModes) {
  if (!TRUST_MODES.includes(mode)) {
    console.error(`error: unknown --trust mode "${mode}" (${TRUST_MODES.join(", ")})\n${USAGE}`);
    process.exit(2);
  }
}
const seeds = Number(values.seeds ?? 1);
if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) {
  console.error(`error: --seeds must be an integer from 1 to 100\n${USAGE}`);
  process.exit(2);
}
const command = `npx tsx bench/sim.ts ${process.argv.slice(2).join(" ")}`.trim();
const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores, Node ${process.version}, load average at start ${os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ")}`;

const results: SimResult[] = [];
for (const name of names) {
  for (const trust of trustModes)
    for (let seed = 1; seed <= seeds; seed++) {
      const base = all[name]!;
      const quick = values.quick && base.durationSec > 120 ? { durationSec: 120 } : {};
      const variant = {
        ...(values.before
          ? { ...BEFORE_GOSSIP, weakUplinkRules: false, firstFetchers: Infinity, streamingBudget: false }
          : {}),
        ...(values["before-weak"] ? { weakUplinkRules: false } : {}),
        ...(values["before-uplink"] ? { measuredUplink: false } : {}),
        ...(values["before-serves"] ? { servesByUplink: false } : {}),
        ...(firstFetchers !== undefined ? { firstFetchers: Number(firstFetchers) } : {}),
        ...(relayFirstByteMs !== undefined ? { relayFirstByteMs: Number(relayFirstByteMs) } : {}),
        ...(electedHold ? { electedHoldMinMs: electedHold[0], electedHoldSpreadMs: electedHold[1] } : {}),
        ...(values["gossip-small-swarms"] ? { gossipFetching: "small-swarms" as const } : {}),
      };
      const label = `${name}${trustModes.length > 1 ? ` ${trust}` : ""}`;
      const options = {
        ...base,
        ...quick,
        ...(prefetchOnNews ? { prefetchOnNews } : {}),
        variant,
        trust,
        seed,
        name: seeds > 1 ? `${label} #${seed}` : label,
      };
      const tag = `[sim ${options.name}]`;
      process.stderr.write(
        `${tag} ${options.viewers} viewers, ${options.joinSpreadSec + options.durationSec} s of stream\n`,
      );
      const result = runSimulation(options, (line) => process.stderr.write(`${tag} ${line}\n`));
      process.stderr.write(
        `${tag} done in ${(result.wallMs / 1000).toFixed(1)} s: offload ${result.summary.offload?.toFixed(3)}, ` +
          `stalls ${result.summary.stalls}, ${(result.events / 1e6).toFixed(1)} M events, peak heap ${result.peakHeapMiB.toFixed(0)} MiB\n`,
      );
      results.push(result);
    }
}

const out: string[] = [];
out.push("\n## Swarm simulator");
out.push("");
out.push(`Machine: ${machine}`);
out.push(`Command: \`${command}\``);
out.push(
  `Scheduler: ${
    values.before
      ? "rules before the gossip change (--before)"
      : values["before-weak"]
        ? "weak uplinks hold and announce like the others (--before-weak)"
        : values["before-uplink"]
          ? "weak uplinks known by their configured cap only (--before-uplink)"
          : values["before-serves"]
            ? "viewers serve peers whatever their measured uplink (--before-serves)"
            : "the SDK's current rules"
  }${firstFetchers !== undefined ? `, first fetchers per swarm: ${firstFetchers}` : ""}${
    values["gossip-small-swarms"] ? ", `fetching` gossiped in swarms of at most 100 only" : ""
  }`,
);
out.push("");
out.push(formatResultsTable(results));
out.push("");
out.push(
  "Offload = 1 − origin bytes / bytes the players received (the Node swarm bench's definition and code). " +
    "× ceiling = offload / Σ bytesᵣ(1 − 1/Nᵣ) over renditions (Nᵣ = viewers at once on rendition r). " +
    "Steady = from 10 s after the last join. CDN fetches/segment = origin requests per distinct segment. " +
    "Stalls per viewer-hour of watching; stalled share = stalled time / watch time. Wall = real seconds the run took.",
);
out.push("");
out.push("### Where the origin bytes went");
out.push("");
out.push(formatBreakdownTable(results));
out.push("");
out.push("### Trust: what verifying peer bytes cost");
out.push("");
out.push(formatTrustTable(results));
out.push("");
out.push(
  "Offload with protection counts the spot checks' Range bytes and the digest service's own origin fetches " +
    "(each segment once per rendition it serves) as origin bytes too.",
);
out.push("");
out.push("### Steady state: why the CDN was asked");
out.push("");
out.push(formatSteadyBreakdownTable(results.map((r) => ({ name: r.options.name, steady: r.steady }))));
if (values.validate) {
  // One or more bench:swarm --json files (comma-separated): runs of the same N are averaged.
  const files = values.validate.split(",");
  const real = files.flatMap((f) => realRuns(JSON.parse(readFileSync(f, "utf8"))));
  const ns = [...new Set(real.map((r) => r.viewers))].sort((a, b) => a - b);
  const pairs = ns.flatMap((n) => {
    const sim = results.filter((s) => s.options.name.replace(/ #\d+$/, "") === `node-${n}`);
    return sim.length > 0 ? [{ real: real.filter((r) => r.viewers === n), sim }] : [];
  });
  out.push("");
  out.push(`### Validation against the real Node swarm bench (${files.join(", ")})`);
  out.push("");
  out.push(pairs.length > 0 ? formatValidationTable(pairs) : "(no node-N scenario matches the real runs' N)");
}
if (values.json) {
  writeFileSync(
    values.json,
    JSON.stringify(
      {
        command,
        machine,
        results: results.map(
          ({
            options,
            summary,
            perRenditionCeiling,
            stallsPerViewerHour,
            stalledShare,
            viewersEver,
            decisions,
            steady,
            trust,
            offloadWithProtection,
            wallMs,
            events,
            peakHeapMiB,
            renditions,
          }) => ({
            steady,
            options,
            summary,
            perRenditionCeiling,
            stallsPerViewerHour,
            stalledShare,
            viewersEver,
            decisions,
            trust,
            offloadWithProtection,
            wallMs,
            events,
            peakHeapMiB,
            renditions: renditions.map((r) => ({
              rendition: r.rendition,
              viewers: r.viewers,
              summary: r.summary,
              breakdown: r.breakdown,
            })),
          }),
        ),
      },
      null,
      1,
    ),
  );
  process.stderr.write(`[sim] results written to ${values.json}\n`);
}
process.stdout.write(`${out.join("\n")}\n`);
