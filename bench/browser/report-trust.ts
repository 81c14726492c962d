// Issue 18's trust bench in the browser report: where a Nearcast client's origin bytes went (whole
// files vs Range requests, the spot checks its viewers counted, what its ladder decided) and the
// verdict of the default protection against `allowUnverifiedPeers` measured in the same run. Pure.
import type { ClientSummary } from "./metrics.js";
import { CLIENT_LABELS, formatMiB, type VerdictCheck } from "./report.js";
import type { ScenarioTargets } from "./scenarios.js";

const share = (part: number, whole: number): string => (whole > 0 ? (part / whole).toFixed(3) : "–");
/** Origin Range bytes / bytes delivered to players: the offload the Range requests cost. */
const rangeShare = (s: ClientSummary): number =>
  s.deliveredBytes > 0 ? s.originRangeBytes / s.deliveredBytes : 0;

/**
 * One line per P2P client: origin `Range` requests and bytes (as a share of what players received:
 * the offload they cost), the spot checks the viewers report, the ladder's verdicts and the peer
 * bytes thrown away. Null for a client with neither Range requests nor trust counters.
 */
export function formatTrustLine(s: ClientSummary): string | null {
  if (s.trust === null && s.originRangeRequests === 0) return null;
  const parts = [
    `origin: ${s.requestsPerSegment.toFixed(2)} whole-file requests per file, ` +
      `${s.originRangeRequests} Range requests = ${formatMiB(s.originRangeBytes)} MiB ` +
      `(${share(s.originRangeBytes, s.deliveredBytes)} of delivered, ${share(s.originRangeBytes, s.originBytes)} of origin bytes)`,
  ];
  const t = s.trust;
  if (t !== null) {
    const rungs = Object.entries(t.verifiedBy)
      .filter(([, count]) => count > 0)
      .map(([rung, count]) => `${rung} ${count}`)
      .join(", ");
    parts.push(
      `viewers: ${t.spotCheckRequests} spot-check requests = ${formatMiB(t.spotCheckBytes)} MiB; ` +
        `segments verified by ${rungs || "none"}; unverified refetched ${t.unverifiedRefetched}, ` +
        `delivered ${t.unverifiedDelivered}; peer bytes discarded ${formatMiB(t.discardedP2pBytes)} MiB`,
    );
  }
  return `${CLIENT_LABELS[s.client]} — ${parts.join("; ")}`;
}

/**
 * The trust targets (scenario `targets.trust`): from `fromViewers` on, Nearcast's origin offload ≥
 * `minOffload`, and the protection's cost ≤ `maxCost`, the cost being `nearcast-unverified`'s offload
 * plus its origin Range bytes' share (it spot-checks too: the option only changes what happens to a
 * segment no rung vouched for) minus Nearcast's. Below `fromViewers`, or when
 * either client is missing, no check (the figures are still printed by {@link formatTrustCost}).
 */
export function evaluateTrustTargets(
  targets: ScenarioTargets,
  summaries: readonly ClientSummary[],
): VerdictCheck[] {
  const trust = targets.trust;
  const nearcast = summaries.find((s) => s.client === "nearcast");
  if (!trust || !nearcast || nearcast.viewers < trust.fromViewers) return [];
  const checks: VerdictCheck[] = [];
  const offloadPass = nearcast.originOffload >= trust.minOffload;
  checks.push({
    label: `origin offload ≥ ${trust.minOffload.toFixed(2)} (every verification fetch included)`,
    pass: offloadPass,
    detail: offloadPass
      ? nearcast.originOffload.toFixed(3)
      : `${nearcast.originOffload.toFixed(3)}, short by ${(trust.minOffload - nearcast.originOffload).toFixed(3)}`,
  });
  const unverified = summaries.find((s) => s.client === "nearcast-unverified");
  if (!unverified) {
    checks.push({
      label: `protection costs ≤ ${trust.maxCost}`,
      pass: false,
      detail: "nearcast-unverified not run",
    });
    return checks;
  }
  // allowUnverifiedPeers still runs the ladder (it only changes what happens to a segment no rung
  // vouched for), so it pays the spot checks too: without its Range bytes it stands for no protection.
  const bare = unverified.originOffload + rangeShare(unverified);
  const cost = bare - nearcast.originOffload;
  const costPass = cost <= trust.maxCost;
  checks.push({
    label: `protection costs ≤ ${trust.maxCost} offload`,
    pass: costPass,
    detail:
      `${cost.toFixed(3)} (${nearcast.originOffload.toFixed(3)} vs allowUnverifiedPeers ${unverified.originOffload.toFixed(3)} ` +
      `+ its Range bytes ${rangeShare(unverified).toFixed(3)})${costPass ? "" : `, over by ${(cost - trust.maxCost).toFixed(3)}`}`,
  });
  return checks;
}

/** The default's offload against `allowUnverifiedPeers`' in this run, at any N; null if one is missing. */
export function formatTrustCost(summaries: readonly ClientSummary[]): string | null {
  const nearcast = summaries.find((s) => s.client === "nearcast");
  const unverified = summaries.find((s) => s.client === "nearcast-unverified");
  if (!nearcast || !unverified) return null;
  return (
    `Protection's cost at N = ${nearcast.viewers}: origin offload ${nearcast.originOffload.toFixed(3)} (default) vs ` +
    `${unverified.originOffload.toFixed(3)} (allowUnverifiedPeers) = ${(unverified.originOffload - nearcast.originOffload).toFixed(3)}; ` +
    `Range bytes at the origin (both spot-check) cost ${share(nearcast.originRangeBytes, nearcast.deliveredBytes)} / ` +
    `${share(unverified.originRangeBytes, unverified.deliveredBytes)}`
  );
}
