// The NAT experiment shared by the test and the bench: viewers behind real Linux NAT routers,
// coturn and the demo server on the public segment, SDK engines over node-datachannel in the
// viewers' namespaces. Measures which NAT pairs connect with STUN only and with TURN, then the
// offload of a small live swarm behind those NATs in both modes.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { NsAgent, type AgentEvent } from "./ns-agent.js";
import { createNatTopology, type NatKind, type ViewerSite } from "./topology.js";

export type IceMode = "stun" | "turn";

export interface PairResult {
  a: ViewerSite;
  b: ViewerSite;
  mode: IceMode;
  /** Milliseconds from both engines started to the first data channel open; undefined = never. */
  connectMs: number | undefined;
  /** Selected candidate types, "local/remote" as seen by each side that connected. */
  paths: string[];
}

export interface LiveViewerResult {
  site: ViewerSite;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  receivedBytes: number;
  stalls: number;
  stalledMs: number;
  startupMs: number | undefined;
  errors: string[];
  peersEver: number;
  paths: string[];
}

export interface LiveResult {
  mode: IceMode;
  viewers: LiveViewerResult[];
  /** Media bytes the origin served during the run (the ground truth). */
  originMediaBytes: number;
  receivedBytes: number;
  /** 1 − origin bytes / bytes the players received. */
  offload: number;
  /** 1 − 1/N: every segment must leave the origin at least once. */
  ceiling: number;
  /** Bytes coturn sent during the run (to its clients and to peers): the operator's TURN egress. */
  turnEgressBytes: number;
}

export interface NatRunOptions {
  /** How long a pair may take to connect before it counts as failed. @default 25000 */
  pairTimeoutMs?: number;
  /** Times every pair is tried, in both modes (one timeout per round). @default 1 */
  pairRounds?: number;
  /** Live swarm run per mode; 0 = skip the live swarm. @default 30000 */
  liveDurationMs?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

const SITES: { name: string; kind: NatKind }[] = [
  { name: "open", kind: "open" },
  { name: "eim-1", kind: "eim" },
  { name: "eim-2", kind: "eim" },
  { name: "sym-1", kind: "symmetric" },
  { name: "sym-2", kind: "symmetric" },
];

/** The pairs measured: every combination of NAT kinds, each pair behind two different routers. */
export const PAIRS: [string, string][] = [
  ["open", "eim-1"],
  ["open", "sym-1"],
  ["eim-1", "eim-2"],
  ["eim-1", "sym-1"],
  ["sym-1", "sym-2"],
];

/** The live swarm: the four viewers behind NATs, joining in this order. */
const LIVE_VIEWERS = ["sym-1", "eim-1", "sym-2", "eim-2"];
const LIVE_RENDITION = "360p";
const LIVE_JOIN_STAGGER_MS = 1500;
const AGENT_START_TIMEOUT_MS = 60_000;

export async function runNatExperiment(
  options: NatRunOptions = {},
): Promise<{ pairs: PairResult[]; live: LiveResult[] }> {
  const log = options.log ?? (() => undefined);
  const runId = randomBytes(4).toString("hex");
  const tmp = mkdtempSync(path.join(tmpdir(), "nc-nat-"));
  const topology = createNatTopology(SITES);
  const agents: NsAgent[] = [];
  try {
    log(
      `namespaces ${topology.publicNs.replace(/-pub$/, "-*")}: ${SITES.map((s) => `${s.name} (${s.kind})`).join(", ")}`,
    );
    const server = new NsAgent("server", topology.publicNs, "test/support/netns/nat-server-agent.ts", {
      NAT_SERVER_ADDRESS: topology.serverAddress,
      NAT_TURN_SECRET: randomBytes(16).toString("hex"),
      NAT_TURN: "1",
      NAT_TMP: tmp,
    });
    agents.push(server);
    const viewers = new Map<string, { site: ViewerSite; agent: NsAgent }>();
    for (const site of topology.viewers) {
      // The engine's decisions go to the agent's stderr, whose tail is in any timeout error.
      const agent = new NsAgent(site.name, site.ns, "test/support/netns/nat-viewer-agent.ts", {
        DEBUG: process.env.DEBUG ?? "nearcast:engine,nearcast:p2p",
      });
      agents.push(agent);
      viewers.set(site.name, { site, agent });
    }
    const listening = await server.waitFor(
      (e) => e.event === "listening",
      AGENT_START_TIMEOUT_MS,
      "the demo server",
    );
    const serverUrl = String(listening["url"]);
    const stunUrl = String(listening["stunUrl"]);
    log(`demo server ${serverUrl}, coturn ${stunUrl}`);
    const engineConfig = (mode: IceMode, swarmKey: string) => ({
      swarmKey,
      trackerUrls: [`${serverUrl.replace(/^http/, "ws")}/tracker`],
      ...(mode === "stun"
        ? { rtcConfiguration: { iceServers: [{ urls: [stunUrl] }] } }
        : { iceConfigUrl: `${serverUrl}/api/ice` }),
    });

    for (const agent of agents)
      agent.onEvent((e) =>
        e.event === "warning" || e.event === "error"
          ? log(`${agent.label}: ${e.event} ${String(e["id"] ?? "")} ${String(e["message"])}`)
          : undefined,
      );
    const pairs: PairResult[] = [];
    for (let round = 1; round <= (options.pairRounds ?? 1); round++) {
      pairs.push(
        ...(await measurePairs(
          viewers,
          engineConfig,
          `${runId}-${round}`,
          options.pairTimeoutMs ?? 25_000,
          log,
        )),
      );
    }

    const live: LiveResult[] = [];
    const liveDurationMs = options.liveDurationMs ?? 30_000;
    for (const mode of liveDurationMs > 0 ? (["stun", "turn"] as const) : []) {
      live.push(
        await measureLive(
          server,
          viewers,
          engineConfig,
          mode,
          serverUrl,
          `${runId}-${mode}`,
          liveDurationMs,
          log,
        ),
      );
    }
    return { pairs, live };
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    killLeftoverCoturn(tmp);
    topology.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

type EngineConfigFor = (mode: IceMode, swarmKey: string) => Record<string, unknown>;

async function measurePairs(
  viewers: Map<string, { site: ViewerSite; agent: NsAgent }>,
  engineConfig: EngineConfigFor,
  runId: string,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<PairResult[]> {
  // Every pair in both modes at once, each in a swarm of its own: one timeout for all.
  const jobs = PAIRS.flatMap(([a, b]) =>
    (["stun", "turn"] as const).map((mode) => ({
      a: viewers.get(a)!,
      b: viewers.get(b)!,
      mode,
      id: `${a}~${b}~${mode}~${runId}`,
    })),
  );
  const startedMs = Date.now();
  for (const job of jobs) {
    const config = engineConfig(job.mode, `nat-pair|${runId}|${job.id}`);
    job.a.agent.send({ cmd: "pair", id: job.id, config });
    job.b.agent.send({ cmd: "pair", id: job.id, config });
  }
  const connectedOf = (job: (typeof jobs)[number]) => (e: AgentEvent) =>
    e.event === "connected" && e.id === job.id;
  const results = await Promise.all(
    jobs.map(async (job): Promise<PairResult> => {
      const first = await Promise.race([
        job.a.agent.waitFor(connectedOf(job), timeoutMs, `${job.id} to connect`),
        job.b.agent.waitFor(connectedOf(job), timeoutMs, `${job.id} to connect`),
      ]).catch(() => undefined);
      const connectMs = first ? Date.now() - startedMs : undefined;
      // Let the other side report its own view of the path too.
      if (first) await new Promise((resolve) => setTimeout(resolve, 500));
      const paths = [job.a, job.b].flatMap(({ agent }) =>
        agent.seen(connectedOf(job)).flatMap((e) => e["paths"] as string[]),
      );
      log(
        `${job.id.replace(`~${runId}`, "")}: ${connectMs !== undefined ? `connected in ${connectMs} ms via ${paths.join(", ")}` : `no connection in ${timeoutMs} ms`}`,
      );
      return { a: job.a.site, b: job.b.site, mode: job.mode, connectMs, paths };
    }),
  );
  for (const job of jobs) {
    job.a.agent.send({ cmd: "destroy", id: job.id });
    job.b.agent.send({ cmd: "destroy", id: job.id });
  }
  return results;
}

async function measureLive(
  server: NsAgent,
  viewers: Map<string, { site: ViewerSite; agent: NsAgent }>,
  engineConfig: EngineConfigFor,
  mode: IceMode,
  serverUrl: string,
  runId: string,
  durationMs: number,
  log: (line: string) => void,
): Promise<LiveResult> {
  const usageBefore = await turnEgress(server, `before-${runId}`);
  const resetId = `reset-${runId}`;
  server.send({ cmd: "reset", id: resetId });
  await server.waitFor((e) => e.event === "reset" && e.id === resetId, 10_000, "origin reset");
  const swarmKey = `nat-live|${runId}|${LIVE_RENDITION}`;
  log(
    `live swarm, ${mode === "stun" ? "STUN only" : "STUN + TURN"}: ${LIVE_VIEWERS.join(", ")} for ${durationMs / 1000} s`,
  );
  for (const name of LIVE_VIEWERS) {
    viewers.get(name)!.agent.send({
      cmd: "live",
      id: `live-${runId}`,
      config: engineConfig(mode, swarmKey),
      playlistUrl: `${serverUrl}/streams/demo/live/${LIVE_RENDITION}/index.m3u8`,
    });
    await new Promise((resolve) => setTimeout(resolve, LIVE_JOIN_STAGGER_MS));
  }
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const results = await Promise.all(
    LIVE_VIEWERS.map(async (name): Promise<LiveViewerResult> => {
      const { site, agent } = viewers.get(name)!;
      agent.send({ cmd: "live-stop", id: `live-${runId}` });
      const e = await agent.waitFor(
        (x) => x.event === "live-result" && x.id === `live-${runId}`,
        60_000,
        "live result",
      );
      const player = e["player"] as {
        stalls: number;
        stalledMs: number;
        startupMs?: number;
        errors: string[];
        bytes: number;
        abortedAtStop?: string;
      };
      if (player.abortedAtStop)
        log(`${name}: a load still in flight at live-stop was aborted: ${player.abortedAtStop}`);
      return {
        site,
        httpBytes: Number(e["httpBytes"]),
        p2pBytes: Number(e["p2pBytes"]),
        uploadedBytes: Number(e["uploadedBytes"]),
        receivedBytes: player.bytes,
        stalls: player.stalls,
        stalledMs: player.stalledMs,
        startupMs: player.startupMs,
        // A live segment still loading 10 s after the stop is a viewer about to stall: an error.
        errors: player.abortedAtStop
          ? [...player.errors, `aborted at stop: ${player.abortedAtStop}`]
          : player.errors,
        peersEver: Number(e["peersEver"]),
        paths: e["paths"] as string[],
      };
    }),
  );
  const statsId = `stats-${runId}`;
  server.send({ cmd: "origin-stats", id: statsId });
  const originMediaBytes = Number(
    (await server.waitFor((e) => e.event === "origin-stats" && e.id === statsId, 10_000, "origin stats"))[
      "mediaBytes"
    ],
  );
  const receivedBytes = results.reduce((sum, r) => sum + r.receivedBytes, 0);
  // coturn logs a session's usage when it closes: give the closes (engines destroyed above) a moment.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const turnEgressBytes = (await turnEgress(server, `after-${runId}`)) - usageBefore;
  const live: LiveResult = {
    turnEgressBytes,
    mode,
    viewers: results,
    originMediaBytes,
    receivedBytes,
    offload: receivedBytes > 0 ? 1 - originMediaBytes / receivedBytes : 0,
    ceiling: 1 - 1 / LIVE_VIEWERS.length,
  };
  log(
    `  offload ${live.offload.toFixed(3)} (ceiling ${live.ceiling.toFixed(2)}), stalls ${results.map((r) => r.stalls).join("/")}`,
  );
  return live;
}

async function turnEgress(server: NsAgent, id: string): Promise<number> {
  server.send({ cmd: "turn-usage", id });
  const usage = await server.waitFor((e) => e.event === "turn-usage" && e.id === id, 10_000, "TURN usage");
  return Number(usage["toClientsBytes"]) + Number(usage["toPeersBytes"]);
}

/** coturn normally exits with its agent; if the agent was killed, stop it by its pid file. */
function killLeftoverCoturn(tmp: string): void {
  try {
    const pidFile = path.join(tmp, "turnserver.pid");
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    // Only our own coturn: a stale pid may belong to someone else by now.
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (pid > 0 && cmdline.includes("turnserver") && cmdline.includes(pidFile)) process.kill(pid, "SIGTERM");
  } catch {
    // no pid file or already gone
  }
}
