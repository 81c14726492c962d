// What the bench prints for issue 13's scenarios beside the main table: offload per rendition and
// against the per-rendition ceiling, each viewer's level per client, churn joiners' start-up, and the
// viewer-cost table; plus the verdict checks of those targets. Pure, for unit tests.
import type { ClientName, StartupMark } from "../pages/src/protocol.js";
import type { ClientSummary } from "./metrics.js";
import { median } from "./metrics.js";
import {
  compareLevels,
  joinerStartupMedian,
  overhead,
  renditionOffload,
  summarizeCost,
  type CostSummary,
  type RenditionCeiling,
  type ViewerCost,
  type ViewerLevels,
} from "./metrics-hard.js";
import { CLIENT_LABELS, formatMiB, type VerdictCheck } from "./report.js";
import type { ScenarioTargets } from "./scenarios.js";

/** One viewer as the hard scenarios read it (a slice of the runner's ViewerRecord). */
export interface HardViewer {
  index: number;
  profileLabel: string;
  /** With tc: the viewer's link at join, kbit/s (upKbps 0 = DevTools emulation, no link). */
  link?: { downKbps: number; upKbps: number };
  joinedMidRun: boolean;
  startupMs: number | null;
  /** When each start-up step first happened, ms since navigation start. */
  startupMarks?: Partial<Record<StartupMark, number>>;
  levelHeight: number | null;
  modalHeight: number | null;
  cost: ViewerCost | null;
}

/** One client's run of a hard scenario. */
export interface HardRun {
  client: ClientName;
  summary: ClientSummary;
  renditions: RenditionCeiling;
  viewers: HardViewer[];
}

const levelsOf = (run: HardRun): ViewerLevels[] =>
  run.viewers.map((v) => ({
    index: v.index,
    label: v.profileLabel,
    finalHeight: v.levelHeight,
    modalHeight: v.modalHeight,
  }));

const fmt = (value: number | null, digits = 0): string => (value === null ? "–" : value.toFixed(digits));

/** Offload against the per-rendition ceiling, one row per client and rendition. */
export function formatRenditionTable(runs: readonly HardRun[]): string {
  const lines = [
    "| client | rendition | viewers (effective N_r) | delivered / origin MiB | offload | ceiling 1 − 1/N_r | × it |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of runs) {
    for (const share of run.renditions.renditions) {
      const ceiling = share.effectiveViewers > 0 ? 1 - 1 / share.effectiveViewers : 0;
      const offload = renditionOffload(share);
      lines.push(
        `| ${CLIENT_LABELS[run.client]} | ${share.rendition} | ${share.viewers} (${share.effectiveViewers.toFixed(2)}) | ` +
          `${formatMiB(share.deliveredBytes)} / ${formatMiB(share.originBytes)} | ${offload.toFixed(3)} | ` +
          `${ceiling.toFixed(3)} | ${ceiling > 0 ? (offload / ceiling).toFixed(2) : "–"} |`,
      );
    }
    const ofIt = run.renditions.ceiling > 0 ? run.summary.originOffload / run.renditions.ceiling : 0;
    lines.push(
      `| ${CLIENT_LABELS[run.client]} | **all** | ${run.summary.viewers} | ${formatMiB(run.summary.deliveredBytes)} / ` +
        `${formatMiB(run.summary.originBytes)} | ${run.summary.originOffload.toFixed(3)} | ` +
        `${run.renditions.ceiling.toFixed(3)} (per rendition) | **${ofIt.toFixed(2)}** |`,
    );
  }
  return lines.join("\n");
}

/** Each viewer's level (final / most played) per client, and whether Nearcast's is lower than hls.js's. */
export function formatLevelTable(runs: readonly HardRun[]): string {
  const http = runs.find((run) => run.client === "http");
  const clients = runs.map((run) => run.client);
  const header = `| viewer | profile | ${clients.map((c) => `${CLIENT_LABELS[c]} final / most played`).join(" | ")} | Nearcast lower than HTTP-only? |`;
  const lines = [header, `|${" --- |".repeat(clients.length + 3)}`];
  const nearcast = runs.find((run) => run.client === "nearcast");
  const comparison =
    http && nearcast
      ? compareLevels(levelsOf(http), levelsOf(nearcast))
      : ([] as ReturnType<typeof compareLevels>);
  const indexes = [...new Set(runs.flatMap((run) => run.viewers.map((v) => v.index)))].sort((a, b) => a - b);
  for (const index of indexes) {
    const cells = runs.map((run) => {
      const viewer = run.viewers.find((v) => v.index === index);
      return viewer ? `${fmt(viewer.levelHeight)}p / ${fmt(viewer.modalHeight)}p` : "–";
    });
    const first = runs.flatMap((run) => run.viewers.filter((v) => v.index === index))[0];
    const link =
      first?.link && first.link.upKbps > 0 ? ` (link ${first.link.downKbps}/${first.link.upKbps})` : "";
    const label = `${first?.profileLabel ?? ""}${link}`;
    const row = comparison.find((c) => c.index === index);
    lines.push(
      `| ${index + 1} | ${label} | ${cells.join(" | ")} | ${row ? (row.lower ? "**lower**" : "no") : "–"} |`,
    );
  }
  return lines.join("\n");
}

/** Start-up of the viewers that joined mid-run, per client. */
export function formatJoinerLine(runs: readonly HardRun[]): string {
  return (
    "joiners' start-up median: " +
    runs
      .map((run) => {
        const joiners = run.viewers.filter((v) => v.joinedMidRun);
        return `${CLIENT_LABELS[run.client]} ${fmt(joinerStartupMedian(run.viewers))} ms (${joiners
          .map((v) => fmt(v.startupMs))
          .join(", ")})`;
      })
      .join("; ")
  );
}

const JOINER_STEPS: readonly [StartupMark, string][] = [
  ["manifestLoading", "manifest requested"],
  ["levelLoaded", "playlist loaded"],
  ["fragLoading", "first fragment requested"],
  ["fragLoaded", "loaded"],
  ["fragBuffered", "appended"],
  ["playing", "playing"],
  ["firstPeer", "first peer"],
];

/**
 * Where the joiners' start-up went, per client: the median time of each step since navigation
 * start, so a gap against HTTP-only shows which step it is in.
 */
export function formatJoinerSteps(runs: readonly HardRun[]): string {
  return (
    "joiners' start-up steps (median ms since navigation): " +
    runs
      .map((run) => {
        const joiners = run.viewers.filter((v) => v.joinedMidRun);
        const steps = JOINER_STEPS.flatMap(([step, label]) => {
          const at = median(
            joiners.flatMap((v) => (v.startupMarks?.[step] !== undefined ? [v.startupMarks[step]] : [])),
          );
          return at === null ? [] : [`${label} ${fmt(at)}`];
        });
        return `${CLIENT_LABELS[run.client]}: ${steps.join(", ") || "–"}`;
      })
      .join("; ")
  );
}

export function costOf(run: HardRun): CostSummary {
  return summarizeCost(run.viewers.flatMap((v) => (v.cost ? [v.cost] : [])));
}

/** Main-thread time, heap and per-MiB JS work per client; overhead against HTTP-only. */
export function formatCostTable(runs: readonly HardRun[]): string {
  const http = runs.find((run) => run.client === "http");
  const httpCost = http ? costOf(http) : null;
  const lines = [
    "| client | viewers | main-thread ms/min (median) | vs HTTP-only | script ms/min | JS heap end / max MiB | " +
      "delivered MiB | SDK ms/MiB | hls.js ms/MiB | p2p-media-loader ms/MiB |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const run of runs) {
    const c = costOf(run);
    const over = overhead(c.taskMsPerMin, httpCost?.taskMsPerMin ?? null);
    const delivered = run.viewers.reduce((sum, v) => sum + (v.cost?.deliveredBytes ?? 0), 0);
    lines.push(
      `| ${CLIENT_LABELS[run.client]} | ${c.viewers} | ${fmt(c.taskMsPerMin)} | ` +
        `${run.client === "http" ? "—" : over === null ? "–" : `${over >= 0 ? "+" : "−"}${Math.abs(over * 100).toFixed(0)} %`} | ` +
        `${fmt(c.scriptMsPerMin)} | ${fmt(c.heapEndMiB, 1)} / ${fmt(c.heapMaxMiB, 1)} | ${formatMiB(delivered)} | ` +
        `${fmt(c.sdkMsPerMiB, 1)} | ${fmt(c.hlsMsPerMiB, 1)} | ${fmt(c.p2pmlMsPerMiB, 1)} |`,
    );
  }
  for (const run of runs) {
    const hot = costOf(run).sdkHotFiles;
    if (hot.length > 0)
      lines.push(
        "",
        `- ${CLIENT_LABELS[run.client]}: SDK self time by file, ms/MiB: ` +
          hot.map((h) => `${h.file.replace(/^sdk\/src\//, "")} ${h.msPerMiB.toFixed(1)}`).join(", "),
      );
  }
  return lines.join("\n");
}

/** Checks of the hard targets (the base ones come from `evaluateTargets`). */
export function evaluateHardTargets(targets: ScenarioTargets, runs: readonly HardRun[]): VerdictCheck[] {
  const nearcast = runs.find((run) => run.client === "nearcast");
  const http = runs.find((run) => run.client === "http");
  if (!nearcast) return [];
  const checks: VerdictCheck[] = [];
  if (targets.minOfRenditionCeiling !== undefined) {
    const min = targets.minOfRenditionCeiling;
    const ofIt =
      nearcast.renditions.ceiling > 0 ? nearcast.summary.originOffload / nearcast.renditions.ceiling : 0;
    const pass = ofIt >= min;
    checks.push({
      label: `offload ≥ ${min.toFixed(2)} × per-rendition ceiling`,
      pass,
      detail:
        `${nearcast.summary.originOffload.toFixed(3)} of ${nearcast.renditions.ceiling.toFixed(3)} = ${ofIt.toFixed(2)}` +
        (pass ? "" : `, short by ${(min - ofIt).toFixed(2)}`),
    });
  }
  if (targets.abrHonest) {
    if (!http)
      checks.push({ label: "no viewer below its HTTP-only level", pass: false, detail: "HTTP-only not run" });
    else {
      const lower = compareLevels(levelsOf(http), levelsOf(nearcast)).filter((row) => row.lower);
      checks.push({
        label: "no viewer below its HTTP-only level",
        pass: lower.length === 0,
        detail:
          lower.length === 0
            ? "0 lower"
            : `${lower.length} lower: ${lower.map((row) => `viewer ${row.index + 1} (${row.label})`).join(", ")}`,
      });
    }
  }
  if (targets.joinerStartupWithinMsOfHttp !== undefined) {
    const limit = targets.joinerStartupWithinMsOfHttp;
    const ours = joinerStartupMedian(nearcast.viewers);
    const theirs = http ? joinerStartupMedian(http.viewers) : null;
    const label = `joiners' start-up median within ${limit} ms of HTTP-only`;
    if (ours === null || theirs === null)
      checks.push({ label, pass: false, detail: "no joiner start-up figure" });
    else {
      const diff = ours - theirs;
      const pass = diff <= limit;
      const signed = `${diff >= 0 ? "+" : "−"}${Math.abs(Math.round(diff))} ms (${Math.round(ours)} vs ${Math.round(theirs)})`;
      checks.push({
        label,
        pass,
        detail: pass ? signed : `${signed}, over by ${Math.round(diff - limit)} ms`,
      });
    }
  }
  if (targets.maxMainThreadOverhead !== undefined) {
    const limit = targets.maxMainThreadOverhead;
    const over = overhead(costOf(nearcast).taskMsPerMin, http ? costOf(http).taskMsPerMin : null);
    const label = `main-thread time ≤ +${Math.round(limit * 100)} % of HTTP-only`;
    if (over === null) checks.push({ label, pass: false, detail: "no cost figure" });
    else {
      const pass = over <= limit;
      const pct = `${over >= 0 ? "+" : "−"}${Math.abs(over * 100).toFixed(0)} %`;
      checks.push({
        label,
        pass,
        detail: pass ? pct : `${pct}, over by ${((over - limit) * 100).toFixed(0)} points`,
      });
    }
  }
  return checks;
}
