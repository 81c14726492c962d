// A Low-Latency HLS live stream (RFC 8216bis §4.4.4.9 EXT-X-PART, §4.4.3.7 EXT-X-PART-INF,
// §4.4.3.8 EXT-X-SERVER-CONTROL, §6.2.5.2 blocking playlist reload) for the test origin, from
// test/media/ll: each moof+mdat of a segment file is one 0.4-s part, 5 per 2-second segment, the
// source looped forever with EXT-X-DISCONTINUITY at each new pass.
//
//   /ll/<uri|range>/index.m3u8        master
//   /ll/<uri|range>/144p/index.m3u8   media playlist; `_HLS_msn` / `_HLS_part` block until that part
//                                     exists (at most 3 target durations)
//   /ll/<uri|range>/144p/seg-NNN.m4s  whole segments (Range supported: `range` parts point here)
//   /ll/uri/144p/part-NNN.P.m4s       part P of segment NNN as a resource of its own
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { TEST_MEDIA_DIR, type MediaSource, type OriginRoute, type RouteAnswer } from "./test-origin.js";

const DIR = path.join(TEST_MEDIA_DIR, "ll/144p");
const SEGMENT_SEC = 2;
const PART_SEC = 0.4;
const PARTS_PER_SEGMENT = SEGMENT_SEC / PART_SEC;
/** Segments listed with their parts: RFC 8216bis asks for parts within 3 target durations of the end. */
const SEGMENTS_WITH_PARTS = 3;
/** The longest a blocking reload is held (RFC 8216bis §6.2.5.2: three target durations). */
const MAX_BLOCK_MS = 3 * SEGMENT_SEC * 1000;

interface SourceSegment {
  file: string;
  /** [start, end) of each part in the file. */
  parts: [number, number][];
}

/** Cuts each segment file of the LL source at its top-level moof boxes (one part per moof+mdat). */
export function readLowLatencySource(dir = DIR): SourceSegment[] {
  return readdirSync(dir)
    .filter((name) => /^seg-\d{3}\.m4s$/.test(name))
    .sort()
    .map((file) => {
      const bytes = readFileSync(path.join(dir, file));
      const parts: [number, number][] = [];
      for (let offset = 0; offset + 8 <= bytes.length;) {
        const size = bytes.readUInt32BE(offset);
        if (size < 8) throw new Error(`${file}: box of size ${size} at ${offset}`);
        if (bytes.toString("latin1", offset + 4, offset + 8) === "moof") parts.push([offset, offset]);
        offset += size;
        parts[parts.length - 1]![1] = offset;
      }
      if (parts.length !== PARTS_PER_SEGMENT) throw new Error(`${file}: ${parts.length} parts`);
      return { file, parts };
    });
}

export interface LowLatencyPlaylistOptions {
  /** Parts as resources of their own (`uri`) or as byte ranges of the segment file (`range`). */
  shape: "uri" | "range";
  /** Epoch ms at which msn 0's first part started. */
  startMs: number;
  /** Complete segments listed. @default 6 */
  windowSegments?: number;
}

/** Parts that exist at `nowMs` (globally numbered: part p of msn m is m × 5 + p). */
export function partsProduced(nowMs: number, startMs: number): number {
  return Math.max(0, Math.floor((nowMs - startMs) / (PART_SEC * 1000) + 1e-9));
}

const partName = (segment: number, part: number) => `part-${String(segment).padStart(3, "0")}.${part}.m4s`;

/** The LL-HLS media playlist at `nowMs` (pure). */
export function lowLatencyPlaylist(
  source: readonly SourceSegment[],
  nowMs: number,
  options: LowLatencyPlaylistOptions,
): string {
  const n = source.length;
  const produced = partsProduced(nowMs, options.startMs);
  const complete = Math.floor(produced / PARTS_PER_SEGMENT);
  const first = Math.max(0, complete - (options.windowSegments ?? 6));
  const out = [
    "#EXTM3U",
    "#EXT-X-VERSION:9",
    `#EXT-X-TARGETDURATION:${SEGMENT_SEC}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(3 * PART_SEC).toFixed(1)}`,
    `#EXT-X-PART-INF:PART-TARGET=${PART_SEC.toFixed(1)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(first / n)}`,
    '#EXT-X-MAP:URI="init.mp4"',
  ];
  const partLines = (msn: number, count: number) => {
    const index = msn % n;
    const segment = source[index]!;
    for (let p = 0; p < count; p++) {
      const [start, end] = segment.parts[p]!;
      const uri =
        options.shape === "uri"
          ? `URI="${partName(index, p)}"`
          : `URI="${segment.file}",BYTERANGE="${end - start}@${start}"`;
      out.push(`#EXT-X-PART:DURATION=${PART_SEC.toFixed(5)},${uri}${p === 0 ? ",INDEPENDENT=YES" : ""}`);
    }
  };
  for (let msn = first; msn <= complete; msn++) {
    if (msn > first && msn % n === 0) out.push("#EXT-X-DISCONTINUITY");
    if (msn === complete) {
      partLines(msn, produced - complete * PARTS_PER_SEGMENT);
      break;
    }
    if (msn >= complete - SEGMENTS_WITH_PARTS) partLines(msn, PARTS_PER_SEGMENT);
    out.push(`#EXTINF:${SEGMENT_SEC.toFixed(5)},`, source[msn % n]!.file);
  }
  return `${out.join("\n")}\n`;
}

/** `/ll/…` on the test origin (see the file comment); the clock starts at the first playlist request. */
export function lowLatencyRoute(): OriginRoute {
  const source = readLowLatencySource();
  let startMs: number | undefined;
  const sourceOf = (url: URL): MediaSource => {
    const name = url.pathname.split("/").pop() ?? "";
    if (name === "init.mp4" || /^seg-\d{3}\.m4s$/.test(name)) {
      if (name !== "init.mp4" && !source.some((s) => s.file === name)) throw new Error(`no segment ${name}`);
      return { file: path.join(DIR, name) };
    }
    const part = /^part-(\d{3})\.(\d)\.m4s$/.exec(name);
    const range = part ? source[Number(part[1])]?.parts[Number(part[2])] : undefined;
    if (!range) throw new Error(`not a media URL of this route: ${url.pathname}`);
    const segment = source[Number(part![1])]!;
    return { file: path.join(DIR, segment.file), start: range[0], end: range[1] };
  };
  return {
    prefix: "/ll/",
    sourceOf,
    async answer(url): Promise<RouteAnswer> {
      const parts = url.pathname.split("/").filter(Boolean); // ll, shape, …
      const shape = parts[1];
      if (shape !== "uri" && shape !== "range") return { kind: "status", status: 404, text: "no such shape" };
      const rest = parts.slice(2).join("/");
      if (rest === "index.m3u8") {
        const master = [
          "#EXTM3U",
          "#EXT-X-VERSION:9",
          "#EXT-X-INDEPENDENT-SEGMENTS",
          '#EXT-X-STREAM-INF:BANDWIDTH=168000,RESOLUTION=256x144,CODECS="avc1.4d401e,mp4a.40.2"',
          "144p/index.m3u8",
          "",
        ];
        return { kind: "playlist", text: master.join("\n") };
      }
      if (rest === "144p/index.m3u8") {
        // Two segments' worth out at the first request, so a player has something to start from.
        startMs ??= Date.now() - 2 * SEGMENT_SEC * 1000 - 1;
        const msn = Number(url.searchParams.get("_HLS_msn") ?? NaN);
        if (Number.isInteger(msn) && msn >= 0) {
          const part = Number(url.searchParams.get("_HLS_part") ?? PARTS_PER_SEGMENT - 1);
          const wanted = msn * PARTS_PER_SEGMENT + Math.min(Math.max(0, part), PARTS_PER_SEGMENT - 1) + 1;
          const deadline = Date.now() + MAX_BLOCK_MS;
          while (partsProduced(Date.now(), startMs) < wanted && Date.now() < deadline)
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return { kind: "playlist", text: lowLatencyPlaylist(source, Date.now(), { shape, startMs }) };
      }
      try {
        return { kind: "media", ...sourceOf(url) };
      } catch (error) {
        return { kind: "status", status: 404, text: (error as Error).message };
      }
    },
  };
}
