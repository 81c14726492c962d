// Plain-text tables of a NAT experiment (printed by the test and the bench, pasted in BENCHMARKS.md).
import type { IceMode, LiveResult, PairResult } from "./nat-matrix.js";

const MODE_LABEL: Record<IceMode, string> = { stun: "STUN only", turn: "STUN + TURN" };

/** "eim ↔ symmetric" for a pair of sites. */
export function pairLabel(result: Pick<PairResult, "a" | "b">): string {
  return `${result.a.kind} ↔ ${result.b.kind}`;
}

/**
 * The route a connection took: "relayed" when either end's selected candidate is a TURN relay
 * (RFC 8445 candidate types), "direct" otherwise.
 */
export function routeOf(paths: readonly string[]): string {
  if (paths.length === 0) return "";
  return paths.some((p) => p.includes("relay")) ? "relayed" : "direct";
}

/**
 * One row per NAT pair: per mode, connected rounds / rounds, the median connect time, and in how
 * many of the connected rounds a TURN relay candidate was selected on a connection of the pair.
 */
export function formatPairTable(pairs: readonly PairResult[]): string {
  const labels = [...new Set(pairs.map(pairLabel))];
  const cell = (label: string, mode: IceMode) => {
    const runs = pairs.filter((p) => pairLabel(p) === label && p.mode === mode);
    const ok = runs.filter((p) => p.connectMs !== undefined);
    if (runs.length === 0) return "";
    const times = ok.map((p) => p.connectMs!).sort((x, y) => x - y);
    const median =
      times.length > 0 ? ` ${(times[Math.floor((times.length - 1) / 2)]! / 1000).toFixed(1)} s` : "";
    const relayed = ok.filter((p) => routeOf(p.paths) === "relayed").length;
    const route = ok.length > 0 ? `, relayed ${relayed}/${ok.length}` : "";
    return `${ok.length}/${runs.length}${median}${route}`;
  };
  const rows = labels.map((label) => [label, cell(label, "stun"), cell(label, "turn")]);
  return table(["NAT pair", `${MODE_LABEL.stun}: connected`, `${MODE_LABEL.turn}: connected`], rows);
}

/** One row per mode: offload at the origin vs the ceiling, viewers that found a peer, stalls. */
export function formatLiveTable(live: readonly LiveResult[]): string {
  const rows = live.map((run) => [
    MODE_LABEL[run.mode],
    run.offload.toFixed(3),
    `${(run.offload / run.ceiling).toFixed(2)} ×`,
    (run.originMediaBytes / 1e6).toFixed(1),
    (run.receivedBytes / 1e6).toFixed(1),
    (run.turnEgressBytes / 1e6).toFixed(1),
    `${run.viewers.filter((v) => v.peersEver > 0).length}/${run.viewers.length}`,
    String(run.viewers.reduce((sum, v) => sum + v.stalls, 0)),
    String(run.viewers.reduce((sum, v) => sum + v.errors.length, 0)),
  ]);
  return table(
    [
      "live swarm",
      "offload",
      "of ceiling",
      "origin MB",
      "received MB",
      "TURN egress MB",
      "viewers with a peer",
      "stalls",
      "errors",
    ],
    rows,
  );
}

/** Per viewer of each live run: where its bytes came from and how its peers were reached. */
export function formatLiveViewers(live: readonly LiveResult[]): string {
  const rows = live.flatMap((run) =>
    run.viewers.map((v) => [
      MODE_LABEL[run.mode],
      `${v.site.name} (${v.site.kind})`,
      (v.httpBytes / 1e6).toFixed(2),
      (v.p2pBytes / 1e6).toFixed(2),
      (v.uploadedBytes / 1e6).toFixed(2),
      String(v.peersEver),
      `${v.paths.filter((p) => p.includes("relay")).length}/${v.paths.length}`,
      v.startupMs !== undefined ? String(v.startupMs) : "-",
      String(v.stalls),
    ]),
  );
  return table(
    ["mode", "viewer", "HTTP MB", "P2P MB", "sent MB", "peers", "relayed", "start-up ms", "stalls"],
    rows,
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}
