// SIM_DIAG=1: why each steady-state CDN fetch happened, with the state of the swarm at that moment.
// The steady breakdown (steady-breakdown.ts) says which rule sent a load to HTTP; this says what the
// viewer could and could not know then: its role in the first-fetch election, how late its playlist
// showed the segment, how many of its neighbours had asked for the segment yet or were already
// getting it, and how much of the whole swarm had. Diagnosis only: off by default, not in the report.
import type { Decision } from "../../sdk/src/core/policy/decide.js";
import { table } from "./report.js";
import type { Load } from "./sim-load.js";
import type { SimViewer } from "./sim-viewer.js";

/** One load's first decision to go to HTTP, as the viewer stood at that moment. */
export interface HttpDecisionRecord {
  msn: number;
  viewer: number;
  role: string;
  reason: string;
  /** The segment became listed at the origin, ms (virtual clock). */
  listedMs: number;
  /** The player asked for the segment / the load chose HTTP, ms. */
  requestMs: number;
  httpMs: number;
  heldMs: number;
  neighbours: number;
  /** Neighbours whose player had asked for the segment by then. */
  neighboursAsked: number;
  /** Neighbours that had announced `fetching` or stored bytes of it by then (what we could hear of). */
  neighboursStarted: number;
  /** Share of the swarm (viewers watching) whose player had asked for / started getting it. */
  swarmAsked: number;
  swarmStarted: number;
}

export const DIAGNOSE = process.env.SIM_DIAG ? true : false;

/** The run's records and per-segment counters. */
export class HttpDiagnosis {
  readonly records: HttpDecisionRecord[] = [];
  /** Per segment: viewers that asked for it, that started getting it (HTTP or peer). */
  readonly asked = new Map<number, number>();
  readonly started = new Map<number, number>();
  /** Per segment: loads whose viewer was elected to fetch it first. */
  readonly elected = new Map<number, number>();

  bump(map: Map<number, number>, msn: number): void {
    map.set(msn, (map.get(msn) ?? 0) + 1);
  }
}

/**
 * Count `load` as started at its first peer or HTTP decision, and record its first HTTP decision
 * with what `v` and its neighbours stood at then (their real state, not only what `v` heard).
 */
export function diagnoseDecision(diag: HttpDiagnosis, v: SimViewer, load: Load, decision: Decision): void {
  if (decision.kind === "wait") return;
  if (!load.diagStarted) {
    load.diagStarted = true;
    diag.bump(diag.started, load.msn);
    if (load.run?.policy.role === "elected") diag.bump(diag.elected, load.msn);
  }
  if (decision.kind !== "http" || load.diagHttp) return;
  load.diagHttp = true;
  let asked = 0;
  let started = 0;
  for (const link of v.links.values()) {
    const n = link.remote;
    if (n.engine.askedUpTo >= load.msn) asked++;
    const rec = v.board.get(load.msn, n.index);
    if (rec && (rec.fetchingAt >= 0 || rec.addedAt >= 0)) started++;
  }
  const viewers = v.world.options.viewers;
  diag.records.push({
    msn: load.msn,
    viewer: v.index,
    role: load.run?.policy.role ?? "?",
    reason: decision.reason,
    listedMs: v.stream.availableAtMs(load.msn),
    requestMs: load.requestMs,
    httpMs: v.world.queue.now,
    heldMs: load.run?.policy.heldMs ?? 0,
    neighbours: v.links.size,
    neighboursAsked: asked,
    neighboursStarted: started,
    swarmAsked: (diag.asked.get(load.msn) ?? 0) / viewers,
    swarmStarted: (diag.started.get(load.msn) ?? 0) / viewers,
  });
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Steady-window HTTP decisions by (role, reason, first fetch or not), per segment, with medians. */
export function formatHttpDiagnosis(diag: HttpDiagnosis, fromMs: number): string {
  const steady = diag.records.filter((r) => r.requestMs >= fromMs);
  const segments = new Set(steady.map((r) => r.msn)).size || 1;
  const firstOf = new Map<number, number>();
  for (const r of steady) firstOf.set(r.msn, Math.min(firstOf.get(r.msn) ?? Infinity, r.httpMs));
  const groups = new Map<string, HttpDecisionRecord[]>();
  for (const r of steady) {
    const key = `${r.role} ${r.reason}${r.httpMs === firstOf.get(r.msn) ? " (first)" : ""}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const rows = [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([key, g]) => [
      key,
      (g.length / segments).toFixed(2),
      new Set(g.map((r) => r.viewer)).size.toString(),
      Math.round(median(g.map((r) => r.requestMs - r.listedMs))).toString(),
      Math.round(median(g.map((r) => r.httpMs - r.listedMs))).toString(),
      Math.round(median(g.map((r) => r.httpMs - firstOf.get(r.msn)!))).toString(),
      Math.round(median(g.map((r) => r.heldMs))).toString(),
      `${median(g.map((r) => r.neighboursAsked)).toFixed(0)} / ${median(g.map((r) => r.neighboursStarted)).toFixed(0)} / ${median(g.map((r) => r.neighbours)).toFixed(0)}`,
      `${median(g.map((r) => r.swarmAsked)).toFixed(2)} / ${median(g.map((r) => r.swarmStarted)).toFixed(3)}`,
    ]);
  // When the playlist showed the segment to the viewers that then fetched it, in 250-ms bins.
  const bins = new Map<number, number>();
  for (const r of steady) {
    const bin = Math.floor((r.requestMs - r.listedMs) / 250);
    bins.set(bin, (bins.get(bin) ?? 0) + 1);
  }
  const hist = [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, n]) => `${b * 250}–${b * 250 + 250}: ${(n / segments).toFixed(2)}`)
    .join(", ");
  const steadyMsns = [...new Set(steady.map((r) => r.msn))];
  const elected = steadyMsns.map((m) => diag.elected.get(m) ?? 0);
  return [
    `Elected first fetchers per steady segment: mean ${(elected.reduce((a, b) => a + b, 0) / Math.max(1, elected.length)).toFixed(1)}, min ${Math.min(...elected)}, max ${Math.max(...elected)}`,
    "",
    table(
      [
        `steady HTTP decisions (${segments} segments)`,
        "per segment",
        "viewers",
        "asked ms after listed",
        "HTTP ms after listed",
        "ms after the first",
        "held ms",
        "neighbours asked / started / all",
        "swarm asked / started",
      ],
      rows,
    ),
    "",
    `Asked (ms after the segment was listed) of the loads that went to HTTP, per segment: ${hist}`,
  ].join("\n");
}
