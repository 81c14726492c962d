// Tables of the simulator bench (markdown), and its comparison with the real Node swarm bench.
// Pure: formats what sim-run.ts measured and what `bench:swarm --json` wrote.
import { fixed, ms } from "../lib/swarm-table.js";
import type { Summary } from "../lib/swarm-metrics.js";
import type { SimResult } from "./sim-run.js";

function row(cells: readonly string[]): string {
  return `| ${cells.join(" | ")} |`;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

/** One row per scenario: offload vs ceilings, CDN fetches per segment, first peer, start-up, stalls. */
export function formatResultsTable(results: readonly SimResult[]): string {
  return table(
    [
      "scenario",
      "viewers (ever)",
      "offload",
      "× ceiling (per rendition)",
      "steady offload",
      "CDN fetches/segment all / steady",
      "first peer ms median / p95 (no peer)",
      "startup ms median / p95",
      "stalls / viewer-hour (stalled share)",
      "wall s (events)",
    ],
    results.map((r) => {
      const s = r.summary;
      return [
        r.options.name,
        `${r.options.viewers} (${r.viewersEver})`,
        fixed(s.offload),
        `${fixed(s.offload === undefined ? undefined : s.offload / r.perRenditionCeiling, 2)} (${fixed(r.perRenditionCeiling)})`,
        fixed(s.steadyOffload),
        `${fixed(s.fetch.meanRequests, 2)} / ${fixed(s.steadyFetch?.meanRequests, 2)}`,
        `${ms(s.firstPeerMedianMs)} / ${ms(s.firstPeerP95Ms)} (${s.viewersWithoutPeer})`,
        `${ms(s.startupMedianMs)} / ${ms(s.startupP95Ms)}`,
        `${fixed(r.stallsPerViewerHour, 2)} (${(r.stalledShare * 100).toFixed(3)} %)`,
        `${(r.wallMs / 1000).toFixed(1)} (${(r.events / 1e6).toFixed(1)} M)`,
      ];
    }),
  );
}

/** Where the origin bytes went, per scenario (the swarm bench's classification of HTTP loads). */
export function formatBreakdownTable(results: readonly SimResult[]): string {
  const categories = results[0]?.renditions[0]?.breakdown.map((b) => b.category) ?? [];
  return table(
    ["HTTP loads by cause (MiB)", ...results.map((r) => r.options.name)],
    categories.map((category) => [
      category,
      ...results.map((r) => {
        let bytes = 0;
        for (const rendition of r.renditions)
          bytes += rendition.breakdown.find((b) => b.category === category)?.httpBytes ?? 0;
        return (bytes / 2 ** 20).toFixed(1);
      }),
    ]),
  );
}

/** What the real bench's JSON holds that the comparison needs. */
export interface RealRun {
  viewers: number;
  summary: Summary;
}

/** Read the runs of a `bench:swarm --json` file. */
export function realRuns(json: unknown): RealRun[] {
  const runs = (json as { runs?: { report?: { summary?: Summary } }[] }).runs;
  if (!Array.isArray(runs)) throw new Error("not a bench:swarm --json file (no runs)");
  return runs.flatMap((r) => {
    const summary = r.report?.summary;
    return summary ? [{ viewers: summary.viewers, summary }] : [];
  });
}

/** Validation bounds of the issue: offload within ± 0.03, CDN fetches per segment within ± 10 %. */
export const OFFLOAD_TOLERANCE = 0.03;
export const FETCH_TOLERANCE = 0.1;

/** The mean over several seeds of one scenario (the figures the validation compares). */
export function meanOf(results: readonly SimResult[]): Pick<
  Summary,
  "offload" | "steadyOffload" | "firstPeerMedianMs" | "stalls"
> & {
  fetch: number | undefined;
  steadyFetch: number | undefined;
  seeds: number;
} {
  const avg = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
    return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
  };
  const s = results.map((r) => r.summary);
  return {
    offload: avg(s.map((x) => x.offload)),
    steadyOffload: avg(s.map((x) => x.steadyOffload)),
    fetch: avg(s.map((x) => x.fetch.meanRequests)),
    steadyFetch: avg(s.map((x) => x.steadyFetch?.meanRequests)),
    firstPeerMedianMs: avg(s.map((x) => x.firstPeerMedianMs)),
    stalls: s.reduce((a, x) => a + x.stalls, 0),
    seeds: results.length,
  };
}

/**
 * Simulated (mean over seeds) vs real, per N: offload (whole run, steady) and CDN fetches per
 * segment (whole run, steady). Real runs of the same N are averaged too.
 */
export function formatValidationTable(pairs: readonly { real: RealRun[]; sim: SimResult[] }[]): string {
  const offloadCell = (r: number | undefined, s: number | undefined) => {
    if (r === undefined || s === undefined) return "–";
    const d = s - r;
    return `${fixed(r)} / ${fixed(s)} (${d >= 0 ? "+" : ""}${d.toFixed(3)} ${Math.abs(d) <= OFFLOAD_TOLERANCE ? "ok" : "MISS"})`;
  };
  const fetchCell = (r: number | undefined, s: number | undefined) => {
    if (r === undefined || s === undefined) return "–";
    const d = (s - r) / r;
    return `${fixed(r, 2)} / ${fixed(s, 2)} (${d >= 0 ? "+" : ""}${(d * 100).toFixed(0)} % ${Math.abs(d) <= FETCH_TOLERANCE ? "ok" : "MISS"})`;
  };
  return table(
    [
      "N",
      "offload real / sim",
      "steady offload real / sim",
      "CDN fetches/segment real / sim",
      "steady CDN fetches/segment real / sim",
      "first peer ms real / sim",
      "stalls real / sim",
    ],
    pairs.map(({ real, sim }) => {
      const s = meanOf(sim);
      const r = meanOf(real.map((x) => ({ summary: x.summary }) as SimResult));
      return [
        `${real[0]!.viewers} (${r.seeds} real, ${s.seeds} sim)`,
        offloadCell(r.offload, s.offload),
        offloadCell(r.steadyOffload, s.steadyOffload),
        fetchCell(r.fetch, s.fetch),
        fetchCell(r.steadyFetch, s.steadyFetch),
        `${ms(r.firstPeerMedianMs)} / ${ms(s.firstPeerMedianMs)}`,
        `${r.stalls} / ${s.stalls}`,
      ];
    }),
  );
}

/** What the trust ladder cost, per run: offload with and without its origin bytes, and its counts. */
export function formatTrustTable(results: readonly SimResult[]): string {
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  return table(
    [
      "scenario",
      "trust",
      "offload (media)",
      "offload with protection",
      "CDN fetches/segment steady",
      "spot checks: requests / MiB",
      "digest service: fetches / MiB",
      "verified by digest / spot",
      "unverifiable",
      "stalls",
    ],
    results.map((r) => {
      const t = r.trust;
      return [
        r.options.name,
        r.options.trust ?? "ladder",
        fixed(r.summary.offload),
        fixed(r.offloadWithProtection),
        fixed(r.summary.steadyFetch?.meanRequests, 2),
        `${t.spotRequests} / ${mib(t.spotBytes)}`,
        `${t.digestFetches} / ${mib(t.digestBytes)}`,
        `${t.verified["server-digest"]} / ${t.verified["spot-check"]}`,
        String(t.unverifiable),
        String(r.summary.stalls),
      ];
    }),
  );
}
