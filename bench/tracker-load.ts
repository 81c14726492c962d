// Tracker load bench (issue 11 part 1): the same WebTorrent-protocol load against Nearcast's tracker
// and the reference bittorrent-tracker server, one after the other in one run, each in its own
// process. Load comes from forked workers holding WebSocket connections from loopback source
// addresses 127.77.0.x; every announce carries offers and every relayed offer is answered.
//
//   npm run bench:tracker -- --help
//
// Per tracker: idle memory per connection at 10k and 19.5k connections (the per-process descriptor
// limit here is 20,000, so 20k cannot be held by one tracker process), p50/p99 with all of them
// announcing every 120 s, p50/p99 at fixed loads, then the announce rate raised until p99 > 250 ms or
// < 90 % answered (the last passing step is "sustained"). --redis adds Nearcast as 2 instances
// sharing a real redis-server vs 1 instance. Progress on stderr, tables (markdown) on stdout.
import { mkdirSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { startRedis, type RedisProcess } from "../test/support/redis-server.js";
import {
  cpuMsPerAnnounce,
  kib,
  mib,
  ms,
  saturated,
  stepFigures,
  type StepFigures,
} from "./tracker/figures.js";
import {
  startTarget,
  startWorker,
  type LoadResult,
  type Target,
  type Usage,
  type Worker,
} from "./tracker/processes.js";

const USAGE = `usage: npm run bench:tracker -- [options]

  --quick            smaller idle counts, shorter steps, a coarser ramp (~3 min instead of ~10)
  --only KIND        nearcast | reference: measure one tracker only
  --redis            also measure Nearcast as 2 instances sharing a redis-server (needs redis-server)
  --cpu-prof DIR     write a V8 CPU profile of each tracker process under DIR/<kind>/
  --no-idle          skip the idle-memory and 120-s-interval phases
  --no-load          skip the fixed loads and the ramp
  --help             this text
`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      redis: { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
      "no-idle": { type: "boolean", default: false },
      "no-load": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
  if (parsed.only !== undefined && parsed.only !== "nearcast" && parsed.only !== "reference") {
    throw new Error(`--only must be "nearcast" or "reference", got "${parsed.only}"`);
  }
} catch (error) {
  process.stderr.write(`bench:tracker: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
if (parsed.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const args = process.argv.slice(2);
const quick = parsed.quick;
const cpuProfDir = parsed["cpu-prof"];
const only = parsed.only;
const withRedis = parsed.redis;
const withIdle = !parsed["no-idle"];
const withLoad = !parsed["no-load"];

const IDLE_COUNTS = quick ? [2_000, 4_000] : [10_000, 19_500];
const INTERVAL_SEC = 120;
const INTERVAL_PHASE_MS = quick ? 10_000 : 30_000;
const LOAD_CONNECTIONS = 2_000;
const SWARM_SIZE = 100;
const OFFERS = 5;
const FIXED_RATES = quick ? [250] : [250, 1_000];
const FIXED_MS = quick ? 4_000 : 8_000;
const RAMP = quick
  ? [250, 1_000, 4_000, 16_000]
  : [250, 500, 1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000, 16_000, 24_000, 32_000];
const RAMP_MS = quick ? 3_000 : 5_000;
const GRACE_MS = 1_000;
const WORKERS = 2;

const log = (line: string) => process.stderr.write(`${line}\n`);

interface MemoryFigures {
  connections: number;
  bytesPerConnection: number;
  rssBytes: number;
}

interface TrackerFigures {
  name: string;
  memory: MemoryFigures[];
  interval: StepFigures | undefined;
  fixed: StepFigures[];
  ramp: StepFigures[];
  sustained: StepFigures | undefined;
  cpuSec: number;
  maxRssBytes: number;
}

async function withWorkers<T>(run: (workers: Worker[]) => Promise<T>): Promise<T> {
  const workers = Array.from({ length: WORKERS }, () => startWorker());
  try {
    return await run(workers);
  } finally {
    for (const worker of workers) await worker.stop();
  }
}

/** Opens `count` more connections, split over the workers (worker w → urls[w % urls.length]). */
async function connect(workers: Worker[], urls: string[], from: number, count: number): Promise<void> {
  const per = Math.ceil(count / workers.length);
  const replies = await Promise.all(
    workers.map((w, i) =>
      w.command<{ connected: number; failed: number }>({
        type: "connect",
        url: urls[i % urls.length]!,
        first: from + i * per,
        count: Math.min(per, count - i * per),
        swarms: Math.max(1, Math.round((from + count) / SWARM_SIZE)),
      }),
    ),
  );
  const failed = replies.reduce((n, r) => n + r.failed, 0);
  if (failed > 0) log(`  ${failed} connections failed to open`);
  await Promise.all(workers.map((w) => w.command({ type: "join" })));
}

async function step(
  workers: Worker[],
  rate: number,
  durationMs: number,
  targets: Target[] = [],
): Promise<StepFigures> {
  const before = await Promise.all(targets.map((t) => t.usage()));
  const results = await Promise.all(
    workers.map((w) =>
      w.command<LoadResult>({
        type: "load",
        rate: rate / workers.length,
        durationMs,
        offers: OFFERS,
        graceMs: GRACE_MS,
      }),
    ),
  );
  const after = await Promise.all(targets.map((t) => t.usage()));
  const figures = stepFigures(rate, durationMs, results);
  figures.trackerCpuSec = after.reduce((n, u, i) => n + u.cpuSec - (before[i] as Usage).cpuSec, 0);
  return figures;
}

const describeStep = (s: StepFigures) =>
  `${s.rate}/s: ${s.responsesPerSec.toFixed(0)} responses/s (${(100 * s.answeredShare).toFixed(1)} %), ` +
  `p50 ${ms(s.p50Ms)} ms p99 ${ms(s.p99Ms)} ms, offers ${s.offersPerSec.toFixed(0)}/s answers ${s.answersPerSec.toFixed(0)}/s` +
  (s.generatorLagMs > 50 ? `, generator lag ${ms(s.generatorLagMs)} ms` : "");

async function memoryPhase(
  name: string,
  start: () => Promise<Target[]>,
): Promise<Pick<TrackerFigures, "memory" | "interval">> {
  const targets = await start();
  const target = targets[0]!;
  try {
    return await withWorkers(async (workers) => {
      await target.gc();
      const base = await target.usage();
      const memory: MemoryFigures[] = [];
      let open = 0;
      for (const count of IDLE_COUNTS) {
        log(`${name}: opening ${count - open} more connections (idle, one announce each)`);
        await connect(workers, [target.url], open, count - open);
        open = count;
        await new Promise((r) => setTimeout(r, 1_000));
        await target.gc();
        const usage = await target.usage();
        memory.push({
          connections: count,
          rssBytes: usage.rssBytes,
          bytesPerConnection: (usage.rssBytes - base.rssBytes) / count,
        });
        log(
          `  ${count} connections: RSS ${mib(usage.rssBytes)} MiB, ${kib((usage.rssBytes - base.rssBytes) / count)} KiB per connection`,
        );
      }
      const rate = open / INTERVAL_SEC;
      log(
        `${name}: ${open} connections announcing every ${INTERVAL_SEC} s (${rate.toFixed(0)}/s, ${OFFERS} offers each)`,
      );
      const interval = await step(workers, rate, INTERVAL_PHASE_MS, targets);
      log(`  ${describeStep(interval)}`);
      return { memory, interval };
    });
  } finally {
    for (const t of targets) await t.stop();
  }
}

interface System {
  name: string;
  targets: Target[];
  workers: Worker[];
  before: Usage[];
  fixed: StepFigures[];
  ramp: StepFigures[];
  done: boolean;
}

/**
 * The fixed loads and the ramp for several trackers, interleaved step by step (A at 1000/s, B at
 * 1000/s, A at 2000/s…): on a machine shared with other work, conditions drift over minutes, and
 * interleaving gives every tracker the same drift.
 */
async function loadPhase(
  systems: { name: string; start: () => Promise<Target[]> }[],
): Promise<Pick<TrackerFigures, "name" | "fixed" | "ramp" | "sustained" | "cpuSec" | "maxRssBytes">[]> {
  const running: System[] = [];
  try {
    for (const { name, start } of systems) {
      const system: System = {
        name,
        targets: await start(),
        workers: [],
        before: [],
        fixed: [],
        ramp: [],
        done: false,
      };
      running.push(system);
      system.workers = Array.from({ length: WORKERS }, () => startWorker());
      log(`${name}: ${LOAD_CONNECTIONS} connections in swarms of ${SWARM_SIZE}`);
      await connect(
        system.workers,
        system.targets.map((t) => t.url),
        0,
        LOAD_CONNECTIONS,
      );
      system.before = await Promise.all(system.targets.map((t) => t.usage()));
    }
    for (const rate of FIXED_RATES) {
      for (const system of running) {
        system.fixed.push(await step(system.workers, rate, FIXED_MS, system.targets));
        log(`  ${system.name} fixed ${describeStep(system.fixed.at(-1)!)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    for (const rate of RAMP) {
      for (const system of running.filter((x) => !x.done)) {
        const s = await step(system.workers, rate, RAMP_MS, system.targets);
        system.ramp.push(s);
        system.done = saturated(s);
        log(`  ${system.name} ramp ${describeStep(s)}${system.done ? "  ← saturated" : ""}`);
        await new Promise((r) => setTimeout(r, 500)); // let queues drain between steps
      }
      if (running.every((x) => x.done)) break;
    }
    const out = [];
    for (const system of running) {
      const after = await Promise.all(system.targets.map((t) => t.usage()));
      const passing = system.ramp.filter((x) => !saturated(x));
      out.push({
        name: system.name,
        fixed: system.fixed,
        ramp: system.ramp,
        sustained: passing.sort((a, b) => b.responsesPerSec - a.responsesPerSec)[0],
        cpuSec: after.reduce((n, u, i) => n + u.cpuSec - (system.before[i] as Usage).cpuSec, 0),
        maxRssBytes: after.reduce((n, u) => n + u.maxRssBytes, 0),
      });
    }
    return out;
  } finally {
    for (const system of running) {
      for (const worker of system.workers) await worker.stop();
      for (const t of system.targets) await t.stop();
    }
  }
}

const profileDir = (kind: string) => {
  if (cpuProfDir === undefined) return undefined;
  const dir = `${cpuProfDir}/${kind}`;
  mkdirSync(dir, { recursive: true });
  return dir;
};

const results: TrackerFigures[] = [];
let redis: RedisProcess | undefined;
try {
  const kinds = (["nearcast", "reference"] as const).filter((kind) => only === undefined || only === kind);
  const nameOf = (kind: string) => (kind === "nearcast" ? "Nearcast" : "bittorrent-tracker");
  const memory = new Map<string, Pick<TrackerFigures, "memory" | "interval">>();
  const systems = kinds.map((kind) => ({
    name: nameOf(kind),
    start: async () => [await startTarget(kind, { cpuProfDir: profileDir(kind) })],
  }));
  if (withIdle) {
    for (const system of systems) memory.set(system.name, await memoryPhase(system.name, system.start));
  }
  if (withRedis) {
    redis = await startRedis();
    const url = redis.url;
    systems.push({
      name: "Nearcast ×2 + Redis",
      start: async () => [
        await startTarget("nearcast", { redisUrl: url }),
        await startTarget("nearcast", { redisUrl: url }),
      ],
    });
  }
  const loads = withLoad ? await loadPhase(systems) : [];
  for (const system of systems) {
    const load = loads.find((l) => l.name === system.name) ?? {
      name: system.name,
      fixed: [],
      ramp: [],
      sustained: undefined,
      cpuSec: 0,
      maxRssBytes: 0,
    };
    results.push({ memory: [], interval: undefined, ...memory.get(system.name), ...load });
  }
} finally {
  await redis?.stop();
}

const cpus = os.cpus();
const out: string[] = [];
out.push(`\n## Tracker load bench${quick ? " (--quick)" : ""}\n`);
out.push(
  `Command: \`npm run bench:tracker${args.length > 0 ? ` -- ${args.join(" ")}` : ""}\`. ${cpus[0]?.model ?? "CPU"}, ${cpus.length} cores, ` +
    `Node ${process.version}, load average at end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}. ` +
    `Each announce carries ${OFFERS} offers (~600-char SDP), numwant ${OFFERS}; every relayed offer is answered. ` +
    `Load steps: ${LOAD_CONNECTIONS} connections, swarms of ${SWARM_SIZE}; ${RAMP_MS / 1000} s per ramp step.\n`,
);
out.push(
  "| Tracker | Sustained announces/s | at offered rate | p99 there (ms) | Offers relayed/s | Answers relayed/s | CPU s (load steps) | Peak RSS (MiB) |",
);
out.push("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  const s = r.sustained;
  out.push(
    `| ${r.name} | ${s === undefined ? "–" : s.responsesPerSec.toFixed(0)} | ${s?.rate ?? "–"} | ${s === undefined ? "–" : ms(s.p99Ms)} | ` +
      `${s === undefined ? "–" : s.offersPerSec.toFixed(0)} | ${s === undefined ? "–" : s.answersPerSec.toFixed(0)} | ${r.cpuSec.toFixed(1)} | ${mib(r.maxRssBytes)} |`,
  );
}
const referenceFigures = results.find((r) => r.name === "bittorrent-tracker");
const reference = referenceFigures?.sustained;
for (const r of results.filter((x) => x.name !== "bittorrent-tracker")) {
  if (reference !== undefined && r.sustained !== undefined) {
    out.push(
      `\n${r.name} / bittorrent-tracker sustained announces/s: **${(r.sustained.responsesPerSec / reference.responsesPerSec).toFixed(2)}×** (target ≥ 3×)`,
    );
  }
}
out.push(
  "\n| Tracker | Load step | Tracker CPU ms per announce (offers, answers included) | Implied announces/s per core |",
);
out.push("|---|---|---|---|");
for (const r of results) {
  for (const s of r.fixed) {
    const cpuMs = cpuMsPerAnnounce(s);
    out.push(`| ${r.name} | fixed ${s.rate}/s | ${cpuMs.toFixed(3)} | ${(1000 / cpuMs).toFixed(0)} |`);
  }
}
const cpuRatio = (rate: number) => {
  const ours = results.find((r) => r.name === "Nearcast")?.fixed.find((x) => x.rate === rate);
  const theirs = referenceFigures?.fixed.find((x) => x.rate === rate);
  return ours === undefined || theirs === undefined
    ? undefined
    : cpuMsPerAnnounce(theirs) / cpuMsPerAnnounce(ours);
};
for (const rate of FIXED_RATES) {
  const ratio = cpuRatio(rate);
  if (ratio !== undefined)
    out.push(
      `\nAt ${rate}/s bittorrent-tracker spends **${ratio.toFixed(2)}×** Nearcast's CPU per announce.`,
    );
}
const single = results.find((r) => r.name === "Nearcast")?.sustained;
const pair = results.find((r) => r.name.startsWith("Nearcast ×2"))?.sustained;
if (single !== undefined && pair !== undefined) {
  out.push(
    `\nNearcast 2 instances + Redis / 1 instance sustained announces/s: **${(pair.responsesPerSec / single.responsesPerSec).toFixed(2)}×**`,
  );
}
out.push(
  "\n| Tracker | Offered announces/s | Answered | p50 (ms) | p99 (ms) | Offers/s | Answers/s | Generator lag (ms) |",
);
out.push("|---|---|---|---|---|---|---|---|");
for (const r of results) {
  for (const s of [...r.fixed, ...r.ramp]) {
    out.push(
      `| ${r.name}${r.fixed.includes(s) ? " (fixed)" : ""} | ${s.rate} | ${(100 * s.answeredShare).toFixed(1)} % | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ` +
        `${s.offersPerSec.toFixed(0)} | ${s.answersPerSec.toFixed(0)} | ${ms(s.generatorLagMs)} |`,
    );
  }
}
out.push(
  "\n| Tracker | Idle connections | RSS (MiB) | Memory per idle connection (KiB) | p50 / p99 (ms), all announcing every 120 s |",
);
out.push("|---|---|---|---|---|");
for (const r of results) {
  for (const m of r.memory) {
    const last = m === r.memory.at(-1) && r.interval !== undefined;
    out.push(
      `| ${r.name} | ${m.connections} | ${mib(m.rssBytes)} | ${kib(m.bytesPerConnection)} (target ≤ 10) | ` +
        `${last ? `${ms(r.interval!.p50Ms)} / ${ms(r.interval!.p99Ms)} (target p99 < 50)` : ""} |`,
    );
  }
}
process.stdout.write(`${out.join("\n")}\n`);
