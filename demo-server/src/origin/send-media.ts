// Streams one media file (or a byte range of it) to a response, with the CDN emulation applied and
// every byte reported as the socket accepts it: a write callback without error means the bytes left
// Node for the kernel. Bytes still buffered when the client goes away are never reported.
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Request, Response } from "express";
import { BandwidthPacer, clientStays, slices } from "./cdn-emulation.js";
import type { CdnEmulation } from "./cdn-emulation.js";
import { sendError } from "./http-headers.js";
import { contentRangeHeader, parseRangeHeader, unsatisfiedRangeHeader } from "./range.js";

export interface MediaFile {
  filePath: string;
  sizeBytes: number;
  contentType: string;
  cacheControl: string;
}

export interface MediaTrafficHooks {
  /** A GET will send a body (200/206; `partial` for 206); called once, before the first byte. */
  onRequest(partial: boolean): void;
  /** `bytes` of body were accepted by the socket (`partial` as for onRequest). */
  onBytes(bytes: number, partial: boolean): void;
  /** The client went away before the last byte. */
  onAborted(): void;
}

const READ_CHUNK_BYTES = 64 * 1024;

export async function sendMedia(
  req: Request,
  res: Response,
  file: MediaFile,
  cdn: CdnEmulation,
  hooks: MediaTrafficHooks,
): Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });

  if (cdn.latencyMs > 0 && !(await clientStays(res, cdn.latencyMs))) return;

  const range = parseRangeHeader(req.headers.range, file.sizeBytes);
  res.setHeader("Accept-Ranges", "bytes");
  res.setHeader("Content-Type", file.contentType);
  if (range.kind === "unsatisfiable") {
    res.setHeader("Content-Range", unsatisfiedRangeHeader(file.sizeBytes));
    sendError(res, 416, "range not satisfiable");
    return;
  }
  const start = range.kind === "partial" ? range.start : 0;
  const end = range.kind === "partial" ? range.end : file.sizeBytes - 1;
  res.status(range.kind === "partial" ? 206 : 200);
  res.setHeader("Cache-Control", file.cacheControl);
  res.setHeader("Content-Length", String(end - start + 1));
  if (range.kind === "partial")
    res.setHeader("Content-Range", contentRangeHeader(start, end, file.sizeBytes));

  if (req.method === "HEAD" || file.sizeBytes === 0) {
    res.end();
    return;
  }
  const partial = range.kind === "partial";
  hooks.onRequest(partial);
  try {
    await streamBody(res, file.filePath, start, end, cdn, (bytes) => hooks.onBytes(bytes, partial), signal);
    res.end();
  } catch {
    if (signal.aborted) {
      hooks.onAborted();
    } else if (!res.headersSent) {
      sendError(res, 500, "cannot read media file");
    } else {
      // Headers are out: the only honest signal left is a truncated response.
      res.destroy();
    }
  }
}

async function streamBody(
  res: Response,
  filePath: string,
  start: number,
  end: number,
  cdn: CdnEmulation,
  onBytes: (bytes: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const pacer = cdn.bandwidthKbps > 0 ? new BandwidthPacer(cdn.bandwidthKbps) : undefined;
  const sliceBytes = pacer?.sliceBytes ?? READ_CHUNK_BYTES;
  let sentBytes = 0;
  const stream = createReadStream(filePath, { start, end, highWaterMark: READ_CHUNK_BYTES });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (const slice of slices(chunk, sliceBytes)) {
      signal.throwIfAborted();
      const delayMs = pacer?.delayBeforeMs(sentBytes) ?? 0;
      if (delayMs > 0) await sleep(delayMs, undefined, { signal });
      sentBytes += slice.length;
      const flushed = res.write(slice, (error) => {
        if (error === undefined || error === null) onBytes(slice.length);
      });
      if (!flushed) await once(res, "drain", { signal });
    }
  }
  signal.throwIfAborted();
}
