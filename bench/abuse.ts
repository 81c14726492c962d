// Abuse bench (issue 19): each attack on the default server at a stated size, with honest viewers
// measuring what they get during it, and the server's CPU, memory and descriptors. The server runs in
// a process of its own (bench/abuse/server-process.ts); attackers and honest viewers here, on
// loopback addresses of their own.
//
//   npm run bench:abuse [-- --quick]
//
// Per phase: honest pairs admitted and introduced (offer relayed, answer back) with p50/p95 latency,
// their reports accepted, whether their stream's figures moved by exactly what they reported, and
// the server's CPU share, peak RSS, open descriptors and kernel TCP memory. "baseline" is the same
// probe without an attack, in the same run. Progress on stderr, the table (markdown) on stdout.
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { percentile } from "./lib/percentile.js";
import { crowd, forgedReports, halfOpen, slowReaders, type Attack } from "./abuse/attacks.js";
import { honestPair, PAIR_BYTES, type PairResult } from "./abuse/honest.js";
import { closeAgents } from "../test/support/http-from.js";
import { startLiveViewers } from "../test/support/node-engines.js";
import type { Engine } from "../sdk/src/engine/engine.js";

const { values } = parseArgs({ options: { quick: { type: "boolean", default: false } }, strict: true });
const quick = values.quick;
const PAIRS = quick ? 10 : 30;
const log = (line: string) => process.stderr.write(`[abuse] ${line}\n`);

interface Usage {
  cpuSec: number;
  rssBytes: number;
  heapUsedBytes: number;
  fds: number;
}
interface Stats {
  tracker: {
    disconnects: Record<string, number>;
    fairnessEvictions: number;
    rejected: Record<string, number>;
    connections: number;
  };
  reports: { clippedBytes: Record<string, number>; rejectedByReason: Record<string, number> };
  streams: {
    streamIds: string[];
    all: { httpBytes: number; p2pBytes: number; uploadedBytes: number };
    viewers: number;
  }[];
  totals: { streams: number; clients: number };
  originMediaBytes: number;
}

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: { type: string }) => {
      if (reply.type !== type) return;
      child.off("message", onMessage);
      resolve(reply as T);
    };
    child.on("message", onMessage);
    child.send({ type });
  });
}

/** Kernel memory of all TCP sockets (pages of /proc/net/sockstat), bytes. */
function kernelTcpBytes(): number {
  const pages = /TCP: .* mem (\d+)/.exec(readFileSync("/proc/net/sockstat", "utf8"))?.[1];
  return Number(pages ?? 0) * 4096;
}

const server = fork(fileURLToPath(new URL("./abuse/server-process.ts", import.meta.url)), [], {
  execArgv: ["--import", "tsx"],
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
const url = await new Promise<string>((resolve) =>
  server.once("message", (m: { url: string }) => resolve(m.url)),
);
const streamId = `${url}/streams/demo/live/master.m3u8`;
log(`server at ${url}`);

interface PhaseRow {
  phase: string;
  attack: string;
  admitted: string;
  intro: string;
  reports: string;
  exact: string;
  cpu: string;
  rss: string;
  fds: string;
  kernel: string;
  answers: string;
}
const rows: PhaseRow[] = [];
const fmt = (value: number | undefined, digits = 0) => (value === undefined ? "–" : value.toFixed(digits));

async function phase(
  name: string,
  size: string,
  start: (() => Promise<Attack>) | undefined,
  settleMs = 1_000,
): Promise<void> {
  log(`${name}: starting (${size})`);
  const before = await ask<Stats>(server, "stats");
  const usage0 = await ask<Usage>(server, "usage");
  const wall0 = Date.now();
  let peakRss = usage0.rssBytes;
  let peakFds = usage0.fds;
  let peakKernel = kernelTcpBytes();
  const sampler = setInterval(() => {
    void ask<Usage>(server, "usage").then((u) => {
      peakRss = Math.max(peakRss, u.rssBytes);
      peakFds = Math.max(peakFds, u.fds);
    });
    peakKernel = Math.max(peakKernel, kernelTcpBytes());
  }, 250);
  const attack = start === undefined ? undefined : await start();
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const results: PairResult[] = [];
  const offset = rows.length * PAIRS;
  // One pair at a time: a pair's offers spread over the prefixes in the swarm, so concurrent pairs
  // would dilute each other's introductions.
  for (let i = 0; i < PAIRS; i++) results.push(await honestPair(url, offset + i, streamId));
  const answers = attack?.counts() ?? {};
  const usage1 = await ask<Usage>(server, "usage");
  const wall1 = Date.now();
  await attack?.stop();
  clearInterval(sampler);
  const after = await ask<Stats>(server, "stats");

  const admitted = results.filter((r) => r.admitted).length;
  const intro = results.flatMap((r) => (r.introMs === undefined ? [] : [r.introMs]));
  const statuses = results.flatMap((r) => r.reportStatuses);
  const accepted = statuses.filter((s) => s === 200).length;
  const bothAccepted = results.filter(
    (r) => r.reportStatuses.length === 2 && r.reportStatuses.every((s) => s === 200),
  ).length;
  const honest = (stats: Stats) =>
    stats.streams.find((s) => s.streamIds.includes(streamId))?.all ?? {
      httpBytes: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
    };
  const delta = {
    http: honest(after).httpBytes - honest(before).httpBytes,
    p2p: honest(after).p2pBytes - honest(before).p2pBytes,
  };
  // Each accepted report adds its HTTP bytes; a transfer counts once both of its reports were accepted.
  const exact = delta.http === PAIR_BYTES * accepted && delta.p2p === PAIR_BYTES * bothAccepted;
  const errors = [...new Set(results.flatMap((r) => (r.error === undefined ? [] : [r.error])))];
  if (errors.length > 0) log(`${name}: honest errors: ${errors.slice(0, 3).join("; ")}`);
  rows.push({
    phase: name,
    attack: size,
    admitted: `${admitted}/${results.length}`,
    intro: `${fmt(percentile(intro, 50))} / ${fmt(percentile(intro, 95))}`,
    reports: `${accepted}/${statuses.length} (p50 ${fmt(
      percentile(
        results.flatMap((r) => r.reportMs),
        50,
      ),
    )} ms)`,
    exact: exact ? "yes" : `no (Δhttp ${delta.http}, Δp2p ${delta.p2p})`,
    cpu: `${fmt((100 * (usage1.cpuSec - usage0.cpuSec)) / ((wall1 - wall0) / 1000))} %`,
    rss: `${fmt(peakRss / 2 ** 20)} MiB`,
    fds: String(peakFds),
    kernel: `${fmt(peakKernel / 2 ** 20, 1)} MiB`,
    answers: JSON.stringify(answers),
  });
  log(`${name}: done ${JSON.stringify(rows.at(-1))}`);
  void after;
}

try {
  await phase("baseline", "none", undefined);
  await phase(
    "forged reports",
    "16 concurrent forged 2 GB reports without a session from 2 addresses + 1 insider with a session",
    () => forgedReports(url, streamId),
    3_000,
  );
  await phase("crowded swarm", "100 sockets x 20 peer_ids from one address", () =>
    crowd(url, streamId, 1, 100, 20),
  );
  await phase(
    "full swarm",
    "1,000 sockets x 20 peer_ids from 10 addresses of one /24 (swarm limit 1,000)",
    () => crowd(url, streamId, 10, 100, 20),
  );
  await phase(
    "half-open upgrades",
    `${quick ? 1_500 : 5_000} stalled upgrades from 100 addresses, cut ones reopened`,
    () => halfOpen(url, quick ? 1_500 : 5_000, 100),
    2_000,
  );
  await phase(
    "slow readers",
    `${quick ? 100 : 500} sockets not reading, scraping 60 swarms 10x/s each`,
    () => slowReaders(url, quick ? 100 : 500, 60),
    5_000,
  );
} finally {
  closeAgents();
}

// The office behind one NAT: real SDK engines (node-datachannel) from one address on the live stream.
async function natOffice(viewers: number): Promise<string> {
  const engines: Engine[] = [];
  const before = await ask<Stats>(server, "stats");
  const origin0 = before.originMediaBytes;
  const refused = (stats: Stats) => Object.values(stats.tracker.rejected).reduce((a, b) => a + b, 0);
  const started = Date.now();
  const players = await startLiveViewers(
    { serverUrl: url, count: viewers, rendition: "240p", swarmKey: `${streamId}|240p`, staggerMs: 100 },
    (engine) => engines.push(engine),
  );
  const connectedAll = async () => {
    for (;;) {
      if (engines.every((e) => e.getStats().connectedPeers > 0)) return Date.now() - started;
      if (Date.now() - started > 60_000) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const allConnectedMs = await connectedAll();
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  for (const player of players) await player.stop();
  const stats = engines.map((e) => e.getStats());
  const received = stats.reduce((sum, s) => sum + s.httpDownloadedBytes + s.p2pDownloadedBytes, 0);
  const after = await ask<Stats>(server, "stats");
  const origin = after.originMediaBytes - origin0;
  for (const engine of engines) engine.destroy();
  return (
    `| ${viewers} | ${stats.filter((s) => s.connectedPeers > 0).length}/${viewers} | ${fmt(allConnectedMs)} ms | ` +
    `${fmt(1 - origin / received, 3)} (ceiling ${fmt(1 - 1 / viewers, 3)}) | ` +
    `${after.tracker.fairnessEvictions - before.tracker.fairnessEvictions} | ${refused(after) - refused(before)} |`
  );
}
log("nat office: 40 engines on one address");
const nat = [await natOffice(40)];

process.stdout.write(
  `\n## Abuse bench (${quick ? "--quick" : "full"}): ${PAIRS} honest pairs per phase\n\n` +
    "| phase | attack | honest admitted | introduction p50 / p95 ms | honest reports accepted | honest figures exact | server CPU | server RSS peak | server fds peak | kernel TCP mem peak | server answers to the attacker |\n" +
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" +
    rows
      .map(
        (r) =>
          `| ${r.phase} | ${r.attack} | ${r.admitted} | ${r.intro} | ${r.reports} | ${r.exact} | ${r.cpu} | ${r.rss} | ${r.fds} | ${r.kernel} | ${r.answers} |`,
      )
      .join("\n") +
    "\n\n### An office behind one NAT (one address, one prefix), 20 s of live 240p\n\n" +
    "| viewers | connected to peers | all connected after | offload at the origin | fairness evictions | tracker refusals |\n| --- | --- | --- | --- | --- | --- |\n" +
    nat.join("\n") +
    "\n",
);
server.send({ type: "exit" });
await new Promise((resolve) => server.once("exit", resolve));
