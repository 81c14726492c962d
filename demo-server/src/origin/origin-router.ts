// HTTP face of the demo origin:
//   GET /streams/<stream>/vod/master.m3u8                VOD master
//   GET /streams/<stream>/vod/<rendition>/index.m3u8     VOD media playlist
//   GET /streams/<stream>/vod/<rendition>/<file>         VOD segment / init segment
//   GET /streams/<stream>/live/master.m3u8               live master
//   GET /streams/<stream>/live/<rendition>/index.m3u8    live sliding-window playlist
//   GET /streams/<stream>/live/<rendition>/seg-live-<msn>.<ext> | init.<ext>
//   GET /api/origin/stats, POST /api/origin/stats/reset  byte counters
// Every name in a URL is looked up in the catalog; nothing from the URL reaches the file system.
import express from "express";
import type { Request, Response } from "express";
import type { Catalog, CatalogFile, CatalogRendition, CatalogStream } from "./catalog-types.js";
import { clientStays, type CdnEmulation } from "./cdn-emulation.js";
import {
  CACHE_CONTROL,
  mediaContentType,
  originCors,
  PLAYLIST_CONTENT_TYPE,
  sendError,
} from "./http-headers.js";
import { buildLivePlaylist, liveStartMsFor, resolveLiveResource } from "./live-playlist.js";
import type { LiveTimelineOptions } from "./live-playlist.js";
import type { OriginCounters, TrafficTarget } from "./origin-counters.js";
import { sendMedia } from "./send-media.js";

export interface OriginRouterOptions {
  catalog: Catalog;
  counters: OriginCounters;
  cdn: CdnEmulation;
  /** Segments in a live playlist. */
  liveWindowSegments: number;
  /** Wall clock (epoch ms) of the live timeline; injectable for tests. */
  clock: () => number;
  /** Publish segment digests in media playlists (otherwise their tags are stripped). */
  publishDigests: boolean;
}

type Mode = "vod" | "live";

/** The digest tags of playlist-digests.ts, with their line ends. */
const DIGEST_LINES = /^#EXT-X-NEARCAST-(?:MAP-)?SHA256:.*\n/gm;

/** Longest name echoed back in a 404 message. */
const MAX_ECHO_CHARS = 80;

export function createOriginRouter(options: OriginRouterOptions): express.Router {
  const { catalog, counters, cdn, clock } = options;
  const serverStartMs = clock();
  const liveOptions = new Map<string, LiveTimelineOptions>();
  for (const stream of catalog.streams.values()) {
    const windowSegments = options.liveWindowSegments;
    liveOptions.set(stream.name, {
      windowSegments,
      liveStartMs: liveStartMsFor(stream, serverStartMs, windowSegments),
    });
  }

  const router = express.Router();
  router.use(["/streams", "/api/origin"], originCors);

  router.get("/streams/:stream/:mode/master.m3u8", (req, res) => {
    const found = findStream(req, res);
    if (found === undefined) return;
    const { stream, mode } = found;
    const cache = mode === "vod" ? CACHE_CONTROL.vodPlaylist : CACHE_CONTROL.liveMaster;
    void sendPlaylist(req, res, stream.masterPlaylist, cache, { stream: stream.name });
  });

  router.get("/streams/:stream/:mode/:rendition/index.m3u8", (req, res) => {
    const found = findRendition(req, res);
    if (found === undefined) return;
    const { stream, rendition, mode } = found;
    const target = { stream: stream.name, rendition: rendition.name };
    const publish = (text: string) => (options.publishDigests ? text : text.replace(DIGEST_LINES, ""));
    if (mode === "vod") {
      void sendPlaylist(req, res, publish(rendition.vodPlaylist), CACHE_CONTROL.vodPlaylist, target);
    } else {
      const text = buildLivePlaylist(rendition, clock(), timeline(stream));
      void sendPlaylist(req, res, publish(text), CACHE_CONTROL.livePlaylist, target);
    }
  });

  router.get("/streams/:stream/:mode/:rendition/:file", async (req, res) => {
    const found = findRendition(req, res);
    if (found === undefined) return;
    const { stream, rendition, mode } = found;
    const fileName = param(req, "file");
    let file: CatalogFile | undefined;
    if (mode === "vod") {
      file =
        rendition.init?.key === fileName
          ? rendition.init
          : (rendition.segmentsByKey.get(fileName) ?? rendition.extraFiles?.get(fileName));
    } else {
      const resource = resolveLiveResource(rendition, fileName, clock(), timeline(stream));
      if (resource.kind === "not-found" && resource.reason !== "unknown") {
        sendError(res, 404, `live segment ${resource.reason === "future" ? "not produced yet" : "expired"}`);
        return;
      }
      file =
        resource.kind === "init" ? resource.file : resource.kind === "segment" ? resource.segment : undefined;
    }
    if (file === undefined) {
      sendError(res, 404, `file not found: ${echo(fileName)}`);
      return;
    }
    const target: TrafficTarget = { stream: stream.name, rendition: rendition.name };
    const key = fileName;
    const cacheControl = mode === "vod" ? CACHE_CONTROL.vodMedia : CACHE_CONTROL.liveMedia;
    const contentType = mediaContentType(file.extension);
    await sendMedia(req, res, { ...file, contentType, cacheControl }, cdn, {
      onRequest: (partial) => counters.recordMediaRequest(target, key, partial),
      onBytes: (bytes, partial) => counters.recordMediaBytes(target, key, bytes, partial),
      onAborted: () => counters.recordMediaAborted(target),
    });
  });

  router.get("/api/origin/stats", (_req, res) => {
    res.set("Cache-Control", CACHE_CONTROL.stats).json(counters.snapshot());
  });

  router.post("/api/origin/stats/reset", (_req, res) => {
    counters.reset();
    res.set("Cache-Control", CACHE_CONTROL.stats).json(counters.snapshot());
  });

  function timeline(stream: CatalogStream): LiveTimelineOptions {
    const live = liveOptions.get(stream.name);
    if (live === undefined) throw new Error(`no live timeline for stream ${stream.name}`);
    return live;
  }

  function findStream(req: Request, res: Response): { stream: CatalogStream; mode: Mode } | undefined {
    const name = param(req, "stream");
    const mode = param(req, "mode");
    const stream = catalog.streams.get(name);
    if (stream === undefined) {
      sendError(res, 404, `stream not found: ${echo(name)}`);
      return undefined;
    }
    if (mode !== "vod" && mode !== "live") {
      sendError(res, 404, `mode must be "vod" or "live", got ${echo(mode)}`);
      return undefined;
    }
    const vodOnly = [...stream.renditions.values()].find((rendition) => rendition.vodOnlyReason);
    if (mode === "live" && vodOnly) {
      sendError(res, 404, `no live version of stream ${echo(name)}: ${vodOnly.vodOnlyReason}`);
      return undefined;
    }
    return { stream, mode };
  }

  function findRendition(
    req: Request,
    res: Response,
  ): { stream: CatalogStream; rendition: CatalogRendition; mode: Mode } | undefined {
    const found = findStream(req, res);
    if (found === undefined) return undefined;
    const name = param(req, "rendition");
    const rendition = found.stream.renditions.get(name);
    if (rendition === undefined) {
      sendError(res, 404, `rendition not found: ${echo(name)}`);
      return undefined;
    }
    return { ...found, rendition };
  }

  /** Sends a playlist after the CDN emulation's playlist delay (dropped if the client leaves first). */
  async function sendPlaylist(
    req: Request,
    res: Response,
    text: string,
    cacheControl: string,
    target: TrafficTarget,
  ): Promise<void> {
    if (cdn.playlistLatencyMs > 0 && !(await clientStays(res, cdn.playlistLatencyMs))) return;
    const body = Buffer.from(text, "utf8");
    res.status(200).set({
      "Content-Type": PLAYLIST_CONTENT_TYPE,
      "Content-Length": String(body.length),
      "Cache-Control": cacheControl,
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    res.once("finish", () => counters.recordPlaylist(target, body.length));
    res.end(body);
  }

  return router;
}

/** A route parameter as a string ("" for a missing or wildcard one). */
function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === "string" ? value : "";
}

function echo(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, "?");
  return JSON.stringify(
    printable.length > MAX_ECHO_CHARS ? `${printable.slice(0, MAX_ECHO_CHARS)}…` : printable,
  );
}
