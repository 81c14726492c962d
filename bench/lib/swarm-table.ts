// Markdown output of the swarm bench. Pure: formats what swarm-metrics computed.
import type { HttpLoadBreakdown, LoopLag, StartupLoads, Summary } from "./swarm-metrics.js";
import { HTTP_LOAD_CATEGORIES } from "./swarm-metrics.js";
import type { TraceSummary } from "./swarm-trace.js";

export const MIB = 2 ** 20;

/** The target: at N = 50, origin offload ≥ 0.95 × (1 − 1/N) with no stalls. */
export const TARGET_OF_CEILING = 0.95;
export const TARGET_VIEWERS = 50;

/** What one run contributes to the report. */
export interface RunReport {
  summary: Summary;
  breakdown: HttpLoadBreakdown[];
  trace: TraceSummary;
  lags: LoopLag[];
  disconnects: Record<string, number>;
  /** Mean peers connected at request time of the loads in the steady window. */
  steadyMeanPeers: number | undefined;
  /** N / (d + 1) with d = steadyMeanPeers: see expectedFetchesWithoutHold. */
  expectedFetchesWithoutHold: number | undefined;
  startup: StartupLoads;
}

export function fixed(x: number | undefined, digits = 3): string {
  return x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);
}

export function ms(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? "–" : `${Math.round(x)}`;
}

export function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

/** The main table: one row per N. */
export function formatSummaryTable(runs: readonly RunReport[]): string {
  const header = [
    "N",
    "engine procs",
    "origin offload",
    "× ceiling",
    "steady offload",
    "× ceiling",
    "run ceiling",
    "client P2P share",
    "CDN fetches/segment mean / max",
    "steady mean / max",
    "first peer ms median / p95",
    "no peer",
    "startup ms median / p95",
    "stalls (viewers) / stalled s",
    "errors",
    "peers/viewer at end",
    "loop lag p99 / max ms (worst proc)",
  ];
  const rows = runs.map(({ summary: s, lags }) => {
    const worst = worstLag(lags);
    return [
      String(s.viewers),
      s.workers === 0 ? "1 (in bench)" : String(s.workers),
      fixed(s.offload),
      fixed(s.ofCeiling, 2),
      fixed(s.steadyOffload),
      fixed(s.steadyOfCeiling, 2),
      fixed(s.runCeiling),
      fixed(s.p2pShare),
      `${fixed(s.fetch.meanRequests, 2)} / ${s.fetch.maxRequests ?? "–"}`,
      s.steadyFetch ? `${fixed(s.steadyFetch.meanRequests, 2)} / ${s.steadyFetch.maxRequests ?? "–"}` : "–",
      `${ms(s.firstPeerMedianMs)} / ${ms(s.firstPeerP95Ms)}`,
      String(s.viewersWithoutPeer),
      `${ms(s.startupMedianMs)} / ${ms(s.startupP95Ms)}`,
      `${s.stalls} (${s.viewersWithStalls}) / ${s.stalledSec.toFixed(1)}`,
      String(s.errors),
      fixed(s.meanPeersAtEnd, 1),
      worst ? `${ms(worst.p99Ms)} / ${ms(worst.maxMs)} (${worst.process})` : "–",
    ];
  });
  return table(header, rows);
}

function worstLag(lags: readonly LoopLag[]): LoopLag | undefined {
  return [...lags].sort((a, b) => b.p99Ms - a.p99Ms)[0];
}

/** Where origin bytes went: HTTP loads by category, one column per N. */
export function formatBreakdownTable(runs: readonly RunReport[]): string {
  const header = [
    "HTTP loads by cause",
    ...runs.map((r) => `N=${r.summary.viewers}: loads / MiB / peers / gap ms`),
  ];
  const rows = HTTP_LOAD_CATEGORIES.map((category) => [
    category,
    ...runs.map((r) => {
      const b = r.breakdown.find((x) => x.category === category);
      if (!b || b.loads === 0) return "0";
      return `${b.loads} / ${mib(b.httpBytes)} / ${fixed(b.meanPeers, 1)} / ${ms(b.medianGapMs)}`;
    }),
  ]);
  return table(header, rows);
}

/** Event-loop delay and CPU of every process of every run. */
export function formatLagTable(runs: readonly RunReport[]): string {
  const header = ["N", "process", "loop lag p50 ms", "p99 ms", "max ms", "CPU (share of one core)"];
  const rows = runs.flatMap((r) =>
    r.lags.map((l) => [
      String(r.summary.viewers),
      l.process,
      ms(l.p50Ms),
      ms(l.p99Ms),
      ms(l.maxMs),
      fixed(l.cpuShare, 2),
    ]),
  );
  return table(header, rows);
}

/** "a 3, b 2" sorted by count, or "none". */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

/** The verdict against the target, with the shortfall in ratio and in origin bytes. */
export function formatTargetVerdict(s: Summary): string {
  const label = `N = ${s.viewers}: target ≥ ${TARGET_OF_CEILING} × ceiling (${fixed(TARGET_OF_CEILING * s.ceiling)}) with no stalls`;
  if (s.ofCeiling === undefined) return `${label}: no data`;
  const stallText = s.stalls === 0 ? "no stalls" : `${s.stalls} stalls (${s.stalledSec.toFixed(1)} s)`;
  if (s.ofCeiling >= TARGET_OF_CEILING && s.stalls === 0)
    return `${label}: met (${fixed(s.ofCeiling, 3)} × ceiling, ${stallText})`;
  const parts: string[] = [];
  if (s.ofCeiling < TARGET_OF_CEILING) {
    // Origin bytes that would have had to stay home to reach the target.
    const allowed = (1 - TARGET_OF_CEILING * s.ceiling) * s.receivedBytes;
    parts.push(
      `${fixed(s.ofCeiling, 3)} × ceiling, short by ${fixed(TARGET_OF_CEILING - s.ofCeiling, 3)} × ceiling ` +
        `(origin served ${mib(s.originMediaBytes)} MiB, target allows ${mib(allowed)} MiB)`,
    );
  } else parts.push(`${fixed(s.ofCeiling, 3)} × ceiling`);
  if (s.stalls > 0) parts.push(stallText);
  return `${label}: MISSED — ${parts.join("; ")}`;
}
