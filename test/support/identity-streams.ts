// Streams whose segments are named alike but are not alike (issue 8's identity cases), served by the
// test origin as routes (see OriginRoute in test-origin.ts) from test/media:
//
//   /id/v/<q|p>/<d|n>/watch/index.m3u8?v=A|B two videos behind one path, chosen by query. Shape `q`:
//       segment URIs differ only by that query (`seg-000.m4s?v=A`); shape `p`: by path
//       (`/id/v/p/…/media/A/seg-000.m4s`). `d` publishes Nearcast digests, `n` none. Any other query
//       parameter (a per-viewer `token`) is carried onto every URI, as token CDNs do.
//   /id/restart/<d|n>/index.m3u8               live; after 10 segments of video A the encoder restarts:
//       EXT-X-MEDIA-SEQUENCE starts again at 0, EXT-X-DISCONTINUITY + EXT-X-MAP, video B under the
//       same segment names (seg-000.m4s …); every segment has its own EXT-X-PROGRAM-DATE-TIME; ends
//       after B's 10 segments.
//   /id/ssai/index.m3u8                        live (looping A), every session (a cookie) gets the same
//       segment URIs and its own EXT-X-MEDIA-SEQUENCE / DISCONTINUITY-SEQUENCE base, as server-side
//       ad insertion does.
//
// Video A is test/media/fmp4-ladder/144p, video B test/media/fmp4-b/144p: same ladder, same file
// names, different pictures and tones (identical init segments, as two encodes with one setting have).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { withDigests } from "../../demo-server/src/origin/playlist-digests.js";
import { livePlaylist, parseSourcePlaylist, type SourcePlaylist } from "./live-window.js";
import { TEST_MEDIA_DIR, type MediaSource, type OriginRoute, type RouteAnswer } from "./test-origin.js";

const VIDEO_DIRS: Record<string, string> = {
  A: path.join(TEST_MEDIA_DIR, "fmp4-ladder/144p"),
  B: path.join(TEST_MEDIA_DIR, "fmp4-b/144p"),
};
const STREAM_INF = '#EXT-X-STREAM-INF:BANDWIDTH=168000,RESOLUTION=256x144,CODECS="avc1.4d401e,mp4a.40.2"';
const SEGMENT_SEC = 2;

function master(mediaUri: string): string {
  return ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS", STREAM_INF, mediaUri, ""].join("\n");
}

const digestCache = new Map<string, string>();
/** SHA-256 hex of a media file (whole). */
function fileDigest(file: string): string {
  let digest = digestCache.get(file);
  if (!digest)
    digestCache.set(file, (digest = createHash("sha256").update(readFileSync(file)).digest("hex")));
  return digest;
}

/** A file name from a URL path inside a video folder, refusing anything but a plain file name. */
function mediaFile(video: string | null, name: string): string {
  const dir = video ? VIDEO_DIRS[video] : undefined;
  if (!dir || !/^[\w.-]+\.(m4s|mp4)$/.test(name)) throw new Error(`no such media: ${video}/${name}`);
  return path.join(dir, name);
}

/** Rewrites every URI of a media playlist (URI lines and URI="…" attributes). */
function mapUris(text: string, rewrite: (uri: string) => string): string {
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("#"))
        return line.replace(/URI="([^"]*)"/, (_m, uri: string) => `URI="${rewrite(uri)}"`);
      return line.trim() === "" ? line : rewrite(line.trim());
    })
    .join("\n");
}

const notFound = (text: string): RouteAnswer => ({ kind: "status", status: 404, text });

/** Two videos behind `/id/v/<q|p>/<d|n>/watch/index.m3u8`, chosen by `?v=`. */
export function queryVideosRoute(): OriginRoute {
  const sourceOf = (url: URL): MediaSource => {
    const parts = url.pathname.split("/").filter(Boolean).slice(1); // v, q|p, d|n, …
    if (parts[1] === "q" && parts[3] === "watch" && parts[4] === "144p")
      return { file: mediaFile(url.searchParams.get("v"), parts[5] ?? "") };
    if (parts[1] === "p" && parts[3] === "media") return { file: mediaFile(parts[4] ?? "", parts[5] ?? "") };
    throw new Error(`not a media URL of this route: ${url.pathname}`);
  };
  return {
    prefix: "/id/v/",
    sourceOf,
    answer(url) {
      const parts = url.pathname.split("/").filter(Boolean).slice(1);
      const [, shape, digests] = parts;
      if ((shape !== "q" && shape !== "p") || (digests !== "d" && digests !== "n"))
        return notFound("no such case");
      const video = url.searchParams.get("v") ?? "";
      const dir = VIDEO_DIRS[video];
      const query = url.search;
      const rest = parts.slice(3).join("/");
      if (rest === "watch/index.m3u8") return { kind: "playlist", text: master(`144p/index.m3u8${query}`) };
      if (rest === "watch/144p/index.m3u8") {
        if (!dir) return notFound("no such video");
        let text = readFileSync(path.join(dir, "index.m3u8"), "utf8");
        if (digests === "d") text = withDigests(text, (uri) => fileDigest(mediaFile(video, uri)));
        // Everything but `v` (a per-viewer token) follows the viewer onto every URI.
        const others = new URLSearchParams(url.searchParams);
        others.delete("v");
        const tail = others.size > 0 ? `&${others.toString()}` : "";
        text = mapUris(text, (uri) =>
          shape === "q"
            ? `${uri}?v=${video}${tail}`
            : `/id/v/p/${digests}/media/${video}/${uri}${tail ? `?${tail.slice(1)}` : ""}`,
        );
        return { kind: "playlist", text };
      }
      try {
        return { kind: "media", ...sourceOf(url) };
      } catch (error) {
        return notFound((error as Error).message);
      }
    },
  };
}

/** Timing of the restart stream, all epoch ms. */
export interface RestartTimeline {
  /** Video A's msn 0 starts. */
  startMs: number;
  /** The encoder restarts: video B's msn 0 starts (A's 10 segments are over). */
  restartMs: number;
}

/**
 * The restart stream's media playlist at `nowMs` (pure): video A's window until B's first segment
 * is complete, then only B's, numbered from 0 again; ENDLIST once B is complete. `digestOf` gives a
 * segment's SHA-256 (run, name) or undefined to publish none.
 */
export function restartPlaylist(
  a: SourcePlaylist,
  b: SourcePlaylist,
  timeline: RestartTimeline,
  nowMs: number,
  windowSegments: number,
  digestOf: (run: "A" | "B", uri: string) => string | undefined,
): string {
  const producedA = Math.min(a.entries.length, Math.floor((nowMs - timeline.startMs) / (SEGMENT_SEC * 1000)));
  const producedB = Math.min(
    b.entries.length,
    Math.max(0, Math.floor((nowMs - timeline.restartMs) / (SEGMENT_SEC * 1000))),
  );
  const run = producedB > 0 ? "B" : "A";
  const source = run === "B" ? b : a;
  const produced = run === "B" ? producedB : producedA;
  const runStartMs = run === "B" ? timeline.restartMs : timeline.startMs;
  const first = Math.max(0, produced - windowSegments);
  const out = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    `#EXT-X-TARGETDURATION:${SEGMENT_SEC}`,
    `#EXT-X-MEDIA-SEQUENCE:${first}`,
    // The restart's discontinuity counts once it has slid out of the window (RFC 8216 §6.2.2).
    `#EXT-X-DISCONTINUITY-SEQUENCE:${run === "B" && first > 0 ? 1 : 0}`,
    "#EXT-X-INDEPENDENT-SEGMENTS",
  ];
  for (let msn = first; msn < produced; msn++) {
    const entry = source.entries[msn]!;
    const uri = entry.lines.at(-1)!;
    if (msn === first) {
      if (run === "B" && msn === 0) out.push("#EXT-X-DISCONTINUITY");
      out.push('#EXT-X-MAP:URI="init.mp4"');
      const mapDigest = digestOf(run, "init.mp4");
      if (mapDigest) out.push(`#EXT-X-NEARCAST-MAP-SHA256:${mapDigest}`);
    }
    out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(runStartMs + msn * SEGMENT_SEC * 1000).toISOString()}`);
    out.push(...entry.lines.slice(0, -1));
    const digest = digestOf(run, uri);
    if (digest) out.push(`#EXT-X-NEARCAST-SHA256:${digest}`);
    out.push(uri);
  }
  if (run === "B" && produced === b.entries.length) out.push("#EXT-X-ENDLIST");
  return `${out.join("\n")}\n`;
}

export interface RestartRoute extends OriginRoute {
  /** The clock of the stream (set at its first playlist request); undefined before. */
  timeline(): RestartTimeline | undefined;
}

/**
 * `/id/restart/<d|n>/…`: see the file comment. A segment name serves video A's file until video B's
 * segment of that name exists (the new encoder overwrote it), then B's. `sourceOf` needs the
 * fragment's program date-time to say which run a URL meant: pass it as `#pdt=<epoch ms>`.
 */
export function restartRoute(
  options: { prerollSegments?: number; windowSegments?: number } = {},
): RestartRoute {
  const read = (video: string) =>
    parseSourcePlaylist(readFileSync(path.join(VIDEO_DIRS[video]!, "index.m3u8"), "utf8"));
  const a = read("A");
  const b = read("B");
  let timeline: RestartTimeline | undefined;
  const preroll = options.prerollSegments ?? 4;
  const start = (nowMs: number): RestartTimeline => {
    if (!timeline) {
      const startMs = nowMs - preroll * SEGMENT_SEC * 1000;
      timeline = { startMs, restartMs: startMs + a.entries.length * SEGMENT_SEC * 1000 };
    }
    return timeline;
  };
  const runAt = (name: string, whenMs: number): "A" | "B" => {
    const t = timeline;
    if (!t) return "A";
    const index = b.entries.findIndex((e) => e.lines.at(-1) === name);
    // B's segment `index` is complete (and its file written) at restart + (index + 1) × 2 s.
    return index >= 0 && whenMs >= t.restartMs + (index + 1) * SEGMENT_SEC * 1000 ? "B" : "A";
  };
  const fileOf = (url: URL): { name: string; digests: string } => {
    const parts = url.pathname.split("/").filter(Boolean); // id, restart, d|n, 144p, name
    if (parts[1] !== "restart" || (parts[2] !== "d" && parts[2] !== "n") || parts[3] !== "144p" || !parts[4])
      throw new Error(`not a media URL of this route: ${url.pathname}`);
    return { name: parts[4], digests: parts[2] };
  };
  return {
    prefix: "/id/restart/",
    timeline: () => timeline,
    sourceOf(url, hints) {
      const { name } = fileOf(url);
      const pdt = hints?.programDateTimeMs ?? NaN;
      // The init segments of both runs are the same bytes; a media segment's run is in its date.
      const run = Number.isFinite(pdt) && timeline && pdt >= timeline.restartMs ? "B" : "A";
      return { file: mediaFile(run, name) };
    },
    answer(url) {
      const nowMs = Date.now();
      const parts = url.pathname.split("/").filter(Boolean);
      const digests = parts[2];
      if (digests !== "d" && digests !== "n") return notFound("no such case");
      const rest = parts.slice(3).join("/");
      if (rest === "index.m3u8") return { kind: "playlist", text: master("144p/index.m3u8") };
      if (rest === "144p/index.m3u8") {
        const text = restartPlaylist(a, b, start(nowMs), nowMs, options.windowSegments ?? 6, (run, uri) =>
          digests === "d" ? fileDigest(mediaFile(run, uri)) : undefined,
        );
        return { kind: "playlist", text };
      }
      try {
        const { name } = fileOf(url);
        return { kind: "media", file: mediaFile(runAt(name, nowMs), name) };
      } catch (error) {
        return notFound((error as Error).message);
      }
    },
  };
}

/** `/id/ssai/…`: see the file comment. Sessions are numbered 1, 2, … in the order they start. */
export function ssaiRoute(options: { prerollSegments?: number; windowSegments?: number } = {}): OriginRoute {
  const dir = VIDEO_DIRS.A!;
  const source = parseSourcePlaylist(readFileSync(path.join(dir, "index.m3u8"), "utf8"));
  let startMs: number | undefined;
  let sessions = 0;
  const sourceOf = (url: URL): MediaSource => {
    const name = url.pathname.split("/").filter(Boolean);
    if (name[2] !== "144p" || !name[3]) throw new Error(`not a media URL of this route: ${url.pathname}`);
    return { file: mediaFile("A", name[3]) };
  };
  return {
    prefix: "/id/ssai/",
    sourceOf,
    answer(url, req) {
      const rest = url.pathname.slice("/id/ssai/".length);
      const session = Number(/(?:^|;\s*)ssai-session=(\d+)/.exec(req.headers.cookie ?? "")?.[1] ?? 0);
      if (rest === "index.m3u8") {
        const headers: Record<string, string> =
          session > 0 ? {} : { "Set-Cookie": `ssai-session=${++sessions}; Path=/id/ssai/` };
        return { kind: "playlist", text: master("144p/index.m3u8"), headers };
      }
      if (rest === "144p/index.m3u8") {
        if (session === 0) return { kind: "status", status: 403, text: "no session" };
        startMs ??= Date.now() - (options.prerollSegments ?? 4) * SEGMENT_SEC * 1000;
        const text = livePlaylist(source, Date.now(), {
          startMs,
          windowSegments: options.windowSegments ?? 6,
        })
          // Each session's own numbering: as if its ad breaks had added 1000 segments and 10 discontinuities.
          .replace(
            /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m,
            (_m, n: string) => `#EXT-X-MEDIA-SEQUENCE:${Number(n) + 1000 * session}`,
          )
          .replace(
            /^#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)$/m,
            (_m, n: string) => `#EXT-X-DISCONTINUITY-SEQUENCE:${Number(n) + 10 * session}`,
          );
        return { kind: "playlist", text };
      }
      try {
        return { kind: "media", ...sourceOf(url) };
      } catch (error) {
        return notFound((error as Error).message);
      }
    },
  };
}
