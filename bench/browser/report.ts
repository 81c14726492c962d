// Turns per-client summaries into what the bench prints: one markdown table per scenario and a
// verdict line against the targets. Pure, for unit tests.
import type { ClientName } from "../pages/src/protocol.js";
import type { ClientSummary } from "./metrics.js";
import type { ScenarioTargets } from "./scenarios.js";

export const CLIENT_LABELS: Record<ClientName, string> = {
  http: "HTTP-only (hls.js)",
  nearcast: "Nearcast",
  "nearcast-unverified": "Nearcast, allowUnverifiedPeers",
  p2pml: "p2p-media-loader",
};

const MIB = 1024 * 1024;

export function formatMiB(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

function formatMs(ms: number | null): string {
  return ms === null ? "–" : String(Math.round(ms));
}

export const TABLE_HEADER =
  "| client | origin offload (strict) | × ceiling | origin req/segment | startup median / p95 ms | stalls (ms) | " +
  "rebuffer ratio | fatal errors | origin / delivered MiB (+ahead) | client-reported P2P MiB (claimed offload) | " +
  "uploaded MiB | live latency s (media s per wall s) |";

export function formatRow(s: ClientSummary): string {
  const fatal =
    s.failedStarts > 0 ? `${s.fatalErrors} (+${s.failedStarts} never started)` : String(s.fatalErrors);
  const cells = [
    CLIENT_LABELS[s.client],
    `${s.originOffload.toFixed(3)} (${s.strictOriginOffload.toFixed(3)})`,
    s.ofCeiling.toFixed(2),
    s.requestsPerSegment.toFixed(2),
    `${formatMs(s.startupMedianMs)} / ${formatMs(s.startupP95Ms)}`,
    `${s.stalls} (${Math.round(s.stalledMs)})`,
    s.rebufferRatio.toFixed(4),
    fatal,
    `${formatMiB(s.originBytes)} / ${formatMiB(s.deliveredBytes)} (+${formatMiB(s.aheadBytes)})`,
    `${formatMiB(s.clientP2pBytes)} (${s.clientOffload.toFixed(3)})`,
    formatMiB(s.clientUploadBytes),
    `${s.meanLatencySec === null ? "–" : s.meanLatencySec.toFixed(1)} (${s.mediaRate === null ? "–" : s.mediaRate.toFixed(3)})`,
  ];
  return `| ${cells.join(" | ")} |`;
}

export function formatTable(summaries: readonly ClientSummary[]): string {
  const separator = `|${" --- |".repeat(TABLE_HEADER.split("|").length - 2)}`;
  return [TABLE_HEADER, separator, ...summaries.map(formatRow)].join("\n");
}

export interface VerdictCheck {
  label: string;
  pass: boolean;
  /** The figure and, on a miss, by how much. */
  detail: string;
}

const find = (summaries: readonly ClientSummary[], client: ClientName) =>
  summaries.find((s) => s.client === client);

/** Checks Nearcast's figures against the scenario's targets and against p2p-media-loader's. */
export function evaluateTargets(
  targets: ScenarioTargets,
  summaries: readonly ClientSummary[],
): VerdictCheck[] {
  const nearcast = find(summaries, "nearcast");
  if (!nearcast) return [];
  const checks: VerdictCheck[] = [];
  if (targets.minOfCeiling !== undefined) {
    const min = targets.minOfCeiling;
    const pass = nearcast.ofCeiling >= min;
    checks.push({
      label: `offload ≥ ${min.toFixed(2)} × ceiling`,
      pass,
      detail: pass
        ? `${nearcast.ofCeiling.toFixed(2)}`
        : `${nearcast.ofCeiling.toFixed(2)}, short by ${(min - nearcast.ofCeiling).toFixed(2)}`,
    });
  }
  if (targets.zeroStalls) {
    const pass = nearcast.stalls === 0;
    checks.push({
      label: "zero stalls",
      pass,
      detail: pass ? "0" : `${nearcast.stalls} stalls, ${Math.round(nearcast.stalledMs)} ms`,
    });
  }
  if (targets.startupWithinMsOfHttp !== undefined) {
    const http = find(summaries, "http");
    const limit = targets.startupWithinMsOfHttp;
    if (http && http.startupMedianMs !== null && nearcast.startupMedianMs !== null) {
      const diff = nearcast.startupMedianMs - http.startupMedianMs;
      const pass = diff <= limit;
      const signed = `${diff >= 0 ? "+" : "−"}${Math.abs(Math.round(diff))} ms vs HTTP-only`;
      checks.push({
        label: `startup median within ${limit} ms of HTTP-only`,
        pass,
        detail: pass ? signed : `${signed}, over by ${Math.round(diff - limit)} ms`,
      });
    } else {
      checks.push({
        label: `startup median within ${limit} ms of HTTP-only`,
        pass: false,
        detail: http ? "no startup figure" : "HTTP-only not run",
      });
    }
  }
  const p2pml = find(summaries, "p2pml");
  if (p2pml) {
    const offloadPass = nearcast.originOffload > p2pml.originOffload;
    const gap = nearcast.originOffload - p2pml.originOffload;
    checks.push({
      label: "offload > p2p-media-loader",
      pass: offloadPass,
      detail: `${nearcast.originOffload.toFixed(3)} vs ${p2pml.originOffload.toFixed(3)}, ${
        offloadPass ? `ahead by ${gap.toFixed(3)}` : `behind by ${(-gap).toFixed(3)}`
      }`,
    });
    const stallsPass = nearcast.stalls <= p2pml.stalls;
    checks.push({
      label: "no more stalls than p2p-media-loader",
      pass: stallsPass,
      detail: stallsPass
        ? `${nearcast.stalls} vs ${p2pml.stalls}`
        : `${nearcast.stalls} vs ${p2pml.stalls}, ${nearcast.stalls - p2pml.stalls} more`,
    });
  }
  return checks;
}

export function formatVerdict(scenarioId: string, checks: readonly VerdictCheck[]): string {
  if (checks.length === 0) return `verdict ${scenarioId}: n/a (Nearcast not run, or no target at this N)`;
  const met = checks.filter((check) => check.pass).length;
  const overall = met === checks.length ? "PASS" : "MISS";
  const parts = checks.map((check) => `${check.pass ? "✓" : "✗"} ${check.label}: ${check.detail}`);
  return `verdict ${scenarioId}: ${overall} (${met}/${checks.length}) — ${parts.join("; ")}`;
}

/** One line per client under the table: where the origin's bytes went. */
export function formatDiagnostics(s: ClientSummary): string {
  const counts = Object.entries(s.fetchCounts)
    .map(([times, files]) => [Number(times), files] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([times, files]) => `${times}×: ${files}`)
    .join(", ");
  const repeated = Object.entries(s.repeatedFiles).slice(0, 3);
  const most =
    s.client !== "http" && repeated.length > 0
      ? ` (most: ${repeated.map(([file, times]) => `${file.split("/").slice(-2).join("/")} ${times}×`).join(", ")})`
      : "";
  return (
    `${CLIENT_LABELS[s.client]}: swarm-ideal offload ${s.swarmIdealOffload.toFixed(3)} (every distinct file ` +
    `played leaves the origin once), reached ${s.ofSwarmIdeal.toFixed(2)} of it; origin fetches per file ` +
    `${counts || "none"}${most}; HTTP until the first \`playing\` event ${formatMiB(s.httpBytesAtStart)} MiB`
  );
}
