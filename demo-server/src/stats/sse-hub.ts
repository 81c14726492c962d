import type { Request, Response } from "express";
import { GroupedSet } from "../net/grouped-set.js";
import { connectionLimitKey, resolveClientAddress } from "../net/ip-address.js";
import { DASHBOARD_REFUSALS, zeroCounts, type DashboardRefusal } from "../net/refusal-reasons.js";
import { MAX_SSE_BUFFERED_BYTES, MAX_SSE_CLIENTS, SSE_RETRY_MS } from "./constants.js";

/** A dashboard refused for lack of room tries again after this long. */
const SSE_FULL_RETRY_AFTER_SEC = 30;

export interface SseHubOptions {
  maxClients: number;
  retryMs: number;
  /** A client with more than this queued (not reading) is disconnected; its EventSource reconnects. */
  maxBufferedBytes: number;
  /** Group streams by the rightmost `X-Forwarded-For` address (one trusted proxy), not the socket's. */
  trustProxy?: boolean;
}

export const DEFAULT_SSE_HUB_OPTIONS: Readonly<SseHubOptions> = {
  maxClients: MAX_SSE_CLIENTS,
  retryMs: SSE_RETRY_MS,
  maxBufferedBytes: MAX_SSE_BUFFERED_BYTES,
};

/**
 * The open Server-Sent Events responses of the dashboard, bounded in number and in queued bytes.
 * When every stream is taken, a newcomer from an address holding fewer streams than the most crowded
 * one gets the oldest stream of that address: one address holding them all cannot keep the operator's
 * dashboard out (the tracker's socket budget and the connection gate share the rule). A newcomer from
 * the most crowded address itself is refused (503).
 */
export class SseHub {
  /** Streams refused or closed for another, by reason (`nearcast_server_refused_total`). */
  readonly refused: Record<DashboardRefusal, number> = zeroCounts(DASHBOARD_REFUSALS);
  /** Open streams by client address key, each group oldest first. */
  private readonly clients = new GroupedSet<string, Response>();
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
    const address = resolveClientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      this.options.trustProxy ?? false,
    );
    const key = address === undefined ? "unknown" : connectionLimitKey(address);
    if (!this.closed && this.clients.size >= this.options.maxClients) {
      const crowded = this.clients.largestGroup();
      if (crowded !== undefined && crowded.size > this.clients.count(key) + 1) {
        this.refused.sse_evicted++;
        const oldest = this.clients.group(crowded.key).values().next().value as Response;
        this.clients.delete(oldest);
        oldest.destroy();
      } else {
        this.refused.sse_full++;
      }
    }
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
    this.clients.add(key, res);
    const forget = () => this.clients.delete(res);
    res.on("close", forget);
    res.on("error", forget);
    this.write(res, `retry: ${this.options.retryMs}\n\n`);
    if (firstEvent !== undefined) this.write(res, formatEvent(firstEvent.event, firstEvent.data));
    return true;
  }

  broadcast(event: string, data: string): void {
    const frame = formatEvent(event, data);
    for (const res of this.clients.values()) this.write(res, frame);
  }

  /** A comment line: keeps proxies and the browser from timing the stream out. */
  heartbeat(): void {
    for (const res of this.clients.values()) this.write(res, `: heartbeat ${Date.now()}\n\n`);
  }

  /** Ends every stream. Idempotent. */
  close(): void {
    this.closed = true;
    for (const res of [...this.clients.values()]) {
      this.clients.delete(res);
      res.end();
    }
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
