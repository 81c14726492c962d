// Pure presentation helpers of the dashboard (unit-tested in test/unit/stats/dashboard-format.test.ts).
import type { MeasuredWindowFigures, WindowName } from "../../src/stats/snapshot-types.js";

export const WINDOW_LABELS: Readonly<Record<WindowName, string>> = {
  "1m": "1 min",
  "15m": "15 min",
  all: "since start",
};

/** Gap, in percentage points, above which the two offload figures are said to disagree. */
export const DISAGREEMENT_POINTS = 5;

/** 0.734 → "73%" (digits = 0) or "73.4%"; null → "—". */
export function formatPercent(ratio: number | null, digits = 0): string {
  if (ratio === null || !Number.isFinite(ratio)) return "—";
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Throughput in bits per second, as network people read it: 87500 B/s → "700 kbit/s". */
export function formatRate(bytesPerSec: number | null): string {
  if (bytesPerSec === null || !Number.isFinite(bytesPerSec)) return "—";
  const bits = bytesPerSec * 8;
  if (bits < 1000) return `${Math.round(bits)} bit/s`;
  if (bits < 1e6) return `${(bits / 1e3).toFixed(bits < 1e4 ? 1 : 0)} kbit/s`;
  if (bits < 1e9) return `${(bits / 1e6).toFixed(bits < 1e7 ? 2 : 1)} Mbit/s`;
  return `${(bits / 1e9).toFixed(2)} Gbit/s`;
}

/** "just now", "12 s ago", "3 min ago". */
export function formatAge(ms: number): string {
  if (ms < 2_000) return "just now";
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  return `${Math.round(ms / 60_000)} min ago`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * The windows in which viewers' and origin's offload differ by more than
 * {@link DISAGREEMENT_POINTS}, with the gap in points (reported − origin).
 */
export function disagreements(
  windows: Record<WindowName, MeasuredWindowFigures>,
): { window: WindowName; points: number }[] {
  const out: { window: WindowName; points: number }[] = [];
  for (const window of Object.keys(WINDOW_LABELS) as WindowName[]) {
    const { offload, originVsReportedOffload } = windows[window];
    if (offload === null || originVsReportedOffload === null) continue;
    const points = (offload - originVsReportedOffload) * 100;
    if (Math.abs(points) > DISAGREEMENT_POINTS) out.push({ window, points });
  }
  return out;
}

/** A sentence explaining a disagreement, or "" when the figures agree. */
export function disagreementNote(
  windows: Record<WindowName, MeasuredWindowFigures>,
  sharedBy: number,
): string {
  const found = disagreements(windows);
  if (found.length === 0) return "";
  const where = (list: typeof found) =>
    list.map((d) => `${WINDOW_LABELS[d.window]} (${Math.abs(d.points).toFixed(0)} pts)`).join(", ");
  const higher = found.filter((d) => d.points > 0);
  const lower = found.filter((d) => d.points < 0);
  const sentences: string[] = [];
  if (higher.length > 0) {
    sentences.push(
      `Viewers report more offload than the origin measured over ${where(higher)}: clients that do not ` +
        "report (P2P off, other players, curl) also fetch from the origin" +
        (sharedBy > 1 ? `, and ${sharedBy} streams share this origin counter` : "") +
        "; short windows also lag one report interval.",
    );
  }
  if (lower.length > 0) {
    sentences.push(
      `Viewers report less offload than the origin measured over ${where(lower)}: they count HTTP bytes ` +
        "this origin did not serve (a cache or another CDN in between), or the origin's counters were reset.",
    );
  }
  return sentences.join(" ");
}

/** Columnar x values (unix seconds, as uPlot wants) of a series. */
export function seriesTimes(startMs: number, bucketMs: number, length: number): number[] {
  return Array.from({ length }, (_, i) => (startMs + i * bucketMs) / 1000);
}

/**
 * A rendition key for people: "v888864-960x540-avc1,mp4a" (the SDK's `v<bitrate>-<w>x<h>-<codecs>`)
 * → "540p · 889 kbit/s"; an audio key "a-<group>-<name>-<lang>" → "audio <name> (<lang>)"; anything
 * else unchanged (the raw key stays in the cell's title).
 */
export function renditionLabel(key: string): string {
  const video = /^v(\d+)-(\d+)x(\d+)-/.exec(key);
  if (video !== null) return `${video[3]}p · ${formatRate(Number(video[1]) / 8)}`;
  const audio = /^a-[^-]*-(.*?)-([^-]*)$/.exec(key);
  if (audio !== null) return `audio ${audio[1] || "track"}${audio[2] ? ` (${audio[2]})` : ""}`;
  return key;
}

/**
 * The origin-measured offload for a card: a percentage, but not a negative one. Below 0 the origin
 * served more than the reporting viewers received — viewers that do not report (no `statsUrl`, P2P
 * off, curl) fetched too — which is not an offload of −8 %.
 */
export function formatOriginOffload(ratio: number | null, digits = 0): string {
  if (ratio !== null && ratio < 0) return "< 0% (unreported viewers)";
  return formatPercent(ratio, digits);
}
