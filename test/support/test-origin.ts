// A small loopback HTTP origin for the coverage-matrix tests: serves test/media/<shape> as VOD, as
// looping live or as a live stream that ends, optionally behind per-viewer tokens, and can be told to
// fail (503s, connection resets, 5xx bursts). Real HTTP on port 0 with real Range handling; every
// request is logged so a test can check what each viewer asked for.
import { createReadStream, promises as fs } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { livePlaylist, parseSourcePlaylist, type LiveOptions, type SourcePlaylist } from "./live-window.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TEST_MEDIA_DIR = path.join(REPO_ROOT, "test/media");

/** Where the page's static files come from. */
const STATIC: Record<string, string> = {
  "/sdk/": path.join(REPO_ROOT, "sdk/dist"),
  "/hls/": path.join(REPO_ROOT, "node_modules/hls.js/dist"),
  "/shaka/": path.join(REPO_ROOT, "node_modules/shaka-player/dist"),
  "/page/": path.join(REPO_ROOT, "test/browser/support/page"),
};

export type Fault =
  | { kind: "none" }
  | { kind: "status"; status: number }
  | { kind: "reset" }
  /** `ratio` of media (non-playlist) requests answer `status`. */
  | { kind: "burst"; ratio: number; status: number };

export interface LoggedRequest {
  atMs: number;
  path: string;
  /** The `token` query parameter ("" without). */
  token: string;
  /** 0 = connection reset. */
  status: number;
  /** Body bytes sent (for a range: the range). */
  bytes: number;
  range: string;
}

/** Where a media URL's bytes come from: `file`, or its bytes [start, end) (a part cut from a segment). */
export interface MediaSource {
  file: string;
  start?: number;
  end?: number;
}

/** What an {@link OriginRoute} answers: a playlist, media bytes, or an error status. */
export type RouteAnswer =
  | { kind: "playlist"; text: string; headers?: Record<string, string> }
  | ({ kind: "media" } & MediaSource)
  | { kind: "status"; status: number; text: string };

/**
 * Streams served from code rather than folders (identity cases, LL-HLS): every request whose path
 * starts with `prefix` goes to `answer`; `sourceOf` tells a test which bytes a media URL must have
 * (and throws for a URL the route would not serve).
 */
export interface OriginRoute {
  prefix: string;
  answer(url: URL, req: http.IncomingMessage): RouteAnswer | Promise<RouteAnswer>;
  sourceOf(url: URL, hints?: SourceHints): MediaSource;
}

/** What a player knew about a fragment beyond its URL (a stream that reuses names needs it). */
export interface SourceHints {
  /** The fragment's EXT-X-PROGRAM-DATE-TIME, epoch ms. */
  programDateTimeMs?: number;
}

export interface TestOriginOptions {
  /** Media root with one folder per shape. @default test/media */
  mediaDir?: string;
  /** Segments in a live window. @default 6 */
  liveWindowSegments?: number;
  /** Segments already produced when a live stream is first requested. @default 4 */
  livePrerollSegments?: number;
  /** Ended live: passes over the source and segments published together with ENDLIST. */
  ending?: { loops: number; finalBatch: number };
  /** Streams served from code (see {@link OriginRoute}). */
  routes?: OriginRoute[];
}

export interface TestOrigin {
  url: string;
  log: LoggedRequest[];
  setFault(fault: Fault): void;
  /** Restart every live clock (the next request starts a fresh stream). */
  resetLive(): void;
  /** The file behind a media URL path (`/s/<mode>/<shape>/…`), for byte checks. */
  filePathOf(urlPath: string): string;
  /** The bytes behind an absolute media URL: a route's, or else {@link filePathOf} its path. */
  sourceOf(url: string, hints?: SourceHints): MediaSource;
  close(): Promise<void>;
}

const MODES = new Set(["vod", "live", "live-end", "tok"]);

/**
 * Serves `/s/<mode>/<shape>/<file>` where mode is `vod`, `live` (loops forever), `live-end` (ends
 * after `ending.loops` passes) or `tok` (live, every URL carries `?token=`; the master request binds
 * the token to the browser by a cookie and any other viewer's token gets 403).
 */
export async function startTestOrigin(options: TestOriginOptions = {}): Promise<TestOrigin> {
  const mediaDir = options.mediaDir ?? TEST_MEDIA_DIR;
  const windowSegments = options.liveWindowSegments ?? 6;
  const preroll = options.livePrerollSegments ?? 4;
  const ending = options.ending ?? { loops: 2, finalBatch: 3 };
  const log: LoggedRequest[] = [];
  const liveStarts = new Map<string, number>();
  const sources = new Map<string, SourcePlaylist>();
  let fault: Fault = { kind: "none" };

  const filePathOf = (urlPath: string): string => {
    const parts = decodeURIComponent(urlPath).split("/").filter(Boolean);
    if (parts[0] !== "s" || parts.length < 4 || !MODES.has(parts[1]!))
      throw new Error(`not a media path: ${urlPath}`);
    const relative = parts.slice(2).join("/");
    const resolved = path.resolve(mediaDir, relative);
    if (!resolved.startsWith(mediaDir + path.sep)) throw new Error(`outside the media folder: ${urlPath}`);
    return resolved;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://origin");
    const entry: LoggedRequest = {
      atMs: Date.now(),
      path: url.pathname,
      token: url.searchParams.get("token") ?? "",
      status: 0,
      bytes: 0,
      range: req.headers.range ?? "",
    };
    handle(req, res, url, entry).catch((error: unknown) => {
      if (!res.headersSent) send(res, entry, 500, String((error as Error).message));
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, entry: LoggedRequest) {
    for (const [prefix, dir] of Object.entries(STATIC)) {
      if (url.pathname.startsWith(prefix))
        return sendFile(req, res, path.join(dir, url.pathname.slice(prefix.length)), entry, false);
    }
    const route = options.routes?.find((r) => url.pathname.startsWith(r.prefix));
    if (route) {
      log.push(entry);
      return answerRoute(req, res, entry, await route.answer(url, req));
    }
    if (!url.pathname.startsWith("/s/")) return send(res, entry, 404, "not found");
    log.push(entry);
    const mode = url.pathname.split("/")[2] ?? "";
    const isPlaylist = url.pathname.endsWith(".m3u8");
    if (fault.kind === "reset") {
      entry.status = 0;
      res.socket?.resetAndDestroy();
      return;
    }
    if (fault.kind === "status") return send(res, entry, fault.status, "origin outage");
    if (fault.kind === "burst" && !isPlaylist && Math.random() < fault.ratio)
      return send(res, entry, fault.status, "burst");
    let filePath: string;
    try {
      filePath = filePathOf(url.pathname);
    } catch (error) {
      return send(res, entry, 404, (error as Error).message);
    }
    const headers: Record<string, string> = {};
    if (mode === "tok") {
      const cookie = /(?:^|;\s*)viewer=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
      if (url.pathname.endsWith("/master.m3u8")) headers["Set-Cookie"] = `viewer=${entry.token}; Path=/`;
      else if (!entry.token || entry.token !== cookie)
        return send(res, entry, 403, "token not valid for this viewer");
    }
    if (!isPlaylist) return sendFile(req, res, filePath, entry, true);
    let text: string;
    try {
      text = await fs.readFile(filePath, "utf8");
    } catch {
      return send(res, entry, 404, "no such playlist");
    }
    if (mode !== "vod" && !text.includes("#EXT-X-STREAM-INF")) text = live(mode, filePath, text);
    if (mode === "tok") text = addToken(text, entry.token);
    const body = Buffer.from(text);
    entry.bytes = body.length;
    entry.status = 200;
    res.writeHead(200, {
      ...headers,
      "Content-Type": "application/vnd.apple.mpegurl",
      "Cache-Control": "no-store",
    });
    res.end(body);
  }

  function live(mode: string, filePath: string, text: string): string {
    let source = sources.get(filePath);
    if (!source) sources.set(filePath, (source = parseSourcePlaylist(text)));
    const streamKey = `${mode}:${path.dirname(path.dirname(filePath))}`;
    let startMs = liveStarts.get(streamKey);
    if (startMs === undefined) {
      startMs = Date.now() - preroll * source.targetDurationSec * 1000;
      liveStarts.set(streamKey, startMs);
    }
    const liveOptions: LiveOptions = { startMs, windowSegments, ...(mode === "live-end" ? { ending } : {}) };
    return livePlaylist(source, Date.now(), liveOptions);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setFault: (next) => (fault = next),
    resetLive: () => liveStarts.clear(),
    filePathOf,
    sourceOf: (raw, hints) => {
      const url = new URL(raw);
      const route = options.routes?.find((r) => url.pathname.startsWith(r.prefix));
      return route ? route.sourceOf(url, hints) : { file: filePathOf(url.pathname) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Appends `?token=` to every URI of a playlist (URI lines and URI="…" attributes). */
function addToken(text: string, token: string): string {
  const q = `token=${encodeURIComponent(token)}`;
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("#"))
        return line.replace(/URI="([^"]*)"/, (_m, uri: string) => `URI="${uri}?${q}"`);
      return line.trim() === "" ? line : `${line}?${q}`;
    })
    .join("\n");
}

async function answerRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  entry: LoggedRequest,
  answer: RouteAnswer,
): Promise<void> {
  if (answer.kind === "status") return send(res, entry, answer.status, answer.text);
  if (answer.kind === "playlist") {
    const body = Buffer.from(answer.text);
    entry.status = 200;
    entry.bytes = body.length;
    res.writeHead(200, {
      ...answer.headers,
      "Content-Type": "application/vnd.apple.mpegurl",
      "Cache-Control": "no-store",
    });
    return void res.end(body);
  }
  if (answer.start === undefined && answer.end === undefined)
    return sendFile(req, res, answer.file, entry, true);
  let bytes: Buffer;
  try {
    bytes = (await fs.readFile(answer.file)).subarray(answer.start ?? 0, answer.end);
  } catch {
    return send(res, entry, 404, "not found");
  }
  const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const start = match ? Number(match[1]) : 0;
  const end = match?.[2] ? Math.min(Number(match[2]) + 1, bytes.length) : bytes.length;
  const body = bytes.subarray(start, end);
  entry.status = match ? 206 : 200;
  entry.bytes = body.length;
  res.writeHead(entry.status, {
    "Content-Type": TYPES[path.extname(answer.file)] ?? "application/octet-stream",
    "Content-Length": String(body.length),
    "Cache-Control": "no-store",
    ...(match ? { "Content-Range": `bytes ${start}-${end - 1}/${bytes.length}` } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

function send(res: http.ServerResponse, entry: LoggedRequest, status: number, text: string): void {
  entry.status = status;
  res.writeHead(status, { "Content-Type": "text/plain", "Cache-Control": "no-store" });
  res.end(text);
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".html": "text/html",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
  ".mpd": "application/dash+xml",
  ".vtt": "text/vtt",
  ".bin": "application/octet-stream",
};

async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  filePath: string,
  entry: LoggedRequest,
  ranges: boolean,
): Promise<void> {
  let size: number;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw new Error("not a file");
    size = stat.size;
  } catch {
    return send(res, entry, 404, "not found");
  }
  let start = 0;
  let end = size - 1;
  let status = 200;
  const match = ranges ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "") : null;
  if (match) {
    start = Number(match[1]);
    end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
    if (start > end) {
      res.writeHead(416, { "Content-Range": `bytes */${size}` });
      entry.status = 416;
      return void res.end();
    }
    status = 206;
  }
  entry.status = status;
  entry.bytes = end - start + 1;
  res.writeHead(status, {
    "Content-Type": TYPES[path.extname(filePath)] ?? "application/octet-stream",
    "Content-Length": String(end - start + 1),
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-store",
    ...(status === 206 ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === "HEAD") return void res.end();
  createReadStream(filePath, { start, end }).pipe(res);
}
