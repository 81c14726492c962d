// Response header policy of the origin: content types, caching and CORS, in one place.
import type { NextFunction, Request, Response } from "express";

export const PLAYLIST_CONTENT_TYPE = "application/vnd.apple.mpegurl";

const MEDIA_CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".ts": "video/mp2t",
  ".mp4": "video/mp4",
  ".m4s": "video/mp4",
  ".m4v": "video/mp4",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
  ".mp3": "audio/mpeg",
  ".vtt": "text/vtt",
  ".webvtt": "text/vtt",
};

export function mediaContentType(extension: string): string {
  return MEDIA_CONTENT_TYPES[extension] ?? "application/octet-stream";
}

/** Cache-Control values. Why each: see the comments. */
export const CACHE_CONTROL = {
  // A VOD file never changes while the server runs; the URL names exactly one file.
  vodMedia: "public, max-age=31536000, immutable",
  // VOD playlists are read once at start-up but could change between runs (--hls-dir during development).
  vodPlaylist: "public, max-age=300",
  // The live master only lists renditions; it does not move.
  liveMaster: "public, max-age=60",
  // The live media playlist changes every segment duration: always revalidate, so hls.js sees new
  // segments on its first reload and the origin counter sees every reload.
  livePlaylist: "no-cache",
  // seg-live-<msn> always maps to the same file (msn mod segment count), whatever the server's start time.
  liveMedia: "public, max-age=3600",
  // Errors (a live segment that is not produced *yet*) must not stick in any cache.
  error: "no-store",
  stats: "no-store",
} as const;

/**
 * CORS for the origin's routes: any page may play the demo streams and read the stats; players need
 * `Range` in requests and `Content-Length`/`Content-Range` readable in responses. Answers preflights.
 */
export function originCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Access-Control-Allow-Origin", "*");
  res.setHeader("Access-Control-Expose-Headers", "Content-Length, Content-Range, Accept-Ranges");
  if (req.method === "OPTIONS") {
    res.setHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", "Range, Content-Type");
    res.setHeader("Access-Control-Max-Age", "600");
    res.status(204).end();
    return;
  }
  next();
}

/** A short plain-text error that no cache keeps. */
export function sendError(res: Response, status: number, message: string): void {
  res
    .status(status)
    .set({ "Content-Type": "text/plain; charset=utf-8", "Cache-Control": CACHE_CONTROL.error })
    .set("X-Content-Type-Options", "nosniff")
    .send(`${message}\n`);
}
