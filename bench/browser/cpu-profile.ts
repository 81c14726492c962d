// Attributes a V8 CPU profile (CDP `Profiler.stop`) of a bench page to where its code came from —
// Nearcast's SDK, hls.js, p2p-media-loader — through the page bundle's source map. Pure, for tests.
import { decode, type SourceMapMappings } from "@jridgewell/sourcemap-codec";

/** The parts of a CDP `Profiler.Profile` read here. */
export interface CpuProfileLike {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  }[];
  samples?: number[];
  /** µs between consecutive samples (the first relative to `startTime`). */
  timeDeltas?: number[];
}

/** A source map v3 object (what esbuild writes next to the bundle). */
export interface SourceMapLike {
  sources: string[];
  mappings: string;
}

/** Which component a source path belongs to. */
export function sourceCategory(sourcePath: string): string {
  const normalized = sourcePath.replace(/\\/g, "/");
  if (/(^|\/)sdk\/src\//.test(normalized)) return "sdk";
  if (normalized.includes("node_modules/hls.js/")) return "hls.js";
  if (normalized.includes("node_modules/p2p-media-loader")) return "p2p-media-loader";
  if (normalized.includes("bench/pages/src/")) return "bench page";
  return "other";
}

/** Per-file key for SDK sources (`sdk/src/core/scheduler.ts`), the category for the rest. */
export function sdkFileKey(sourcePath: string): string {
  const match = /(?:^|\/)(sdk\/src\/.*)$/.exec(sourcePath.replace(/\\/g, "/"));
  return match?.[1] ?? sourceCategory(sourcePath);
}

/** Resolves generated (line, column), both 0-based, to a source path; null where unmapped. */
export type SourceResolver = (line: number, column: number) => string | null;

export function sourceResolver(map: SourceMapLike): SourceResolver {
  const lines: SourceMapMappings = decode(map.mappings);
  return (line, column) => {
    const segments = lines[line];
    if (!segments || segments.length === 0) return null;
    // Last segment starting at or before `column` (segments are sorted by generated column).
    let low = 0;
    let high = segments.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const segment = segments[mid];
      if (segment && segment[0] <= column) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    const segment = found >= 0 ? segments[found] : undefined;
    if (!segment || segment.length < 4 || segment[1] === undefined) return null;
    return map.sources[segment[1]] ?? null;
  };
}

/**
 * Self time (ms) per category: a sample is charged to the function on top of the stack. Frames of
 * `bundleUrlSuffix` are resolved through the source map; V8's pseudo-frames keep their own names
 * ("(idle)", "(program)", "(garbage collector)"); any other script is "other".
 */
export function attributeProfile(
  profile: CpuProfileLike,
  bundleUrlSuffix: string,
  resolve: SourceResolver,
  keyOf: (sourcePath: string) => string = sourceCategory,
): Record<string, number> {
  const categoryOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    let category: string;
    if (!url && functionName.startsWith("(")) category = functionName;
    else if (url.split("?")[0]?.endsWith(bundleUrlSuffix)) {
      const source = resolve(lineNumber, columnNumber);
      category = source === null ? "other" : keyOf(source);
    } else category = "other";
    categoryOf.set(node.id, category);
  }
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const totals: Record<string, number> = {};
  // A sample's delta is the time since the previous one: charge it to the previous sample's frame.
  for (let i = 1; i < samples.length; i++) {
    const id = samples[i - 1];
    const deltaUs = deltas[i] ?? 0;
    if (id === undefined || !(deltaUs > 0)) continue;
    const category = categoryOf.get(id) ?? "other";
    totals[category] = (totals[category] ?? 0) + deltaUs / 1000;
  }
  return totals;
}
