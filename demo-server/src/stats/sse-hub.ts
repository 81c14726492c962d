import type { Request, Response } from "express";
import { MAX_SSE_BUFFERED_BYTES, MAX_SSE_CLIENTS, SSE_RETRY_MS } from "./constants.js";

/** A dashboard refused for lack of room tries again after this long. */
const SSE_FULL_RETRY_AFTER_SEC = 30;

export interface SseHubOptions {
  maxClients: number;
  retryMs: number;
  /** A client with more than this queued (not reading) is disconnected; its EventSource reconnects. */
  maxBufferedBytes: number;
}

export const DEFAULT_SSE_HUB_OPTIONS: Readonly<SseHubOptions> = {
  maxClients: MAX_SSE_CLIENTS,
  retryMs: SSE_RETRY_MS,
  maxBufferedBytes: MAX_SSE_BUFFERED_BYTES,
};

/** The open Server-Sent Events responses of the dashboard, bounded in number and in queued bytes. */
export class SseHub {
  private readonly clients = new Set<Response>();
  private closed = false;

  constructor(private readonly options: SseHubOptions = DEFAULT_SSE_HUB_OPTIONS) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Turns the response into an event stream and sends `firstEvent` (if any) at once. Returns false,
   * having answered 503, when the hub is full or closed.
   */
  accept(req: Request, res: Response, firstEvent?: { event: string; data: string }): boolean {
    if (this.closed || this.clients.size >= this.options.maxClients) {
      res
        .status(503)
        .set({ "Retry-After": String(SSE_FULL_RETRY_AFTER_SEC), "Cache-Control": "no-store" })
        .json({ error: "too many dashboards connected; retry later" });
      return false;
    }
    res.status(200).set({
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      // Tells nginx-style proxies not to buffer the stream.
      "X-Accel-Buffering": "no",
    });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    this.clients.add(res);
    const forget = () => this.clients.delete(res);
    res.on("close", forget);
    res.on("error", forget);
    this.write(res, `retry: ${this.options.retryMs}\n\n`);
    if (firstEvent !== undefined) this.write(res, formatEvent(firstEvent.event, firstEvent.data));
    return true;
  }

  broadcast(event: string, data: string): void {
    const frame = formatEvent(event, data);
    for (const res of this.clients) this.write(res, frame);
  }

  /** A comment line: keeps proxies and the browser from timing the stream out. */
  heartbeat(): void {
    for (const res of this.clients) this.write(res, `: heartbeat ${Date.now()}\n\n`);
  }

  /** Ends every stream. Idempotent. */
  close(): void {
    this.closed = true;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(res: Response, frame: string): void {
    if (res.writableEnded || res.destroyed) {
      this.clients.delete(res);
      return;
    }
    if (res.writableLength > this.options.maxBufferedBytes) {
      this.clients.delete(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }
}

/** One SSE frame; `data` must not contain newlines (JSON.stringify output never does). */
export function formatEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
