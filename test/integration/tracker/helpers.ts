import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { createTracker } from "../../../demo-server/src/tracker/index.js";
import type { Tracker, TrackerOptions } from "../../../demo-server/src/tracker/index.js";

export type Frame = Record<string, unknown>;

/** A random 20-byte id in the wire form bittorrent-tracker uses (latin1 "binary" string). */
export const binaryId = (): string => randomBytes(20).toString("latin1");

export const SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

export interface TrackerHarness {
  server: Server;
  tracker: Tracker;
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 with the tracker attached at /tracker. */
export async function startTracker(options: Partial<TrackerOptions> = {}): Promise<TrackerHarness> {
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const tracker = createTracker(options);
  tracker.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    tracker,
    port,
    url: `ws://127.0.0.1:${port}/tracker`,
    async stop() {
      await tracker.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw WebSocket client that queues every frame it receives, to await them in order. */
export class RawClient {
  readonly received: Frame[] = [];
  private waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  readonly closed: Promise<{ code: number }>;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      const waiter = this.waiters.find((w) => w.match(frame));
      if (waiter === undefined) this.received.push(frame);
      else {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(frame);
      }
    });
    ws.on("error", () => undefined);
    this.closed = new Promise((resolve) => ws.on("close", (code) => resolve({ code })));
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The next frame matching `match` (already received or future). */
  next(match: (f: Frame) => boolean = () => true, timeoutMs = 5_000): Promise<Frame> {
    const index = this.received.findIndex(match);
    if (index !== -1) return Promise.resolve(this.received.splice(index, 1)[0] as Frame);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for a tracker frame")), timeoutMs);
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

export function connect(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(new RawClient(ws)));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Resolves with the HTTP status an upgrade was refused with, or "open" if it was accepted. */
export function tryConnect(url: string, headers: Record<string, string> = {}): Promise<number | WebSocket> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("error", () => resolve(0));
  });
}

/**
 * How the tracker refused a connection: `"<close code> <reason>"` for a refusal the tracker explains
 * to pages (it completes the upgrade and closes at once, issue 24), `"http <status>"` for a plain HTTP
 * refusal, `"open"` when the socket is still open after `timeoutMs` (not refused).
 */
export function refusalOf(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 3_000,
): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    const timer = setTimeout(() => {
      resolve("open");
      ws.terminate();
    }, timeoutMs);
    ws.once("close", (code, reason) => {
      clearTimeout(timer);
      resolve(`${code} ${reason.toString()}`);
    });
    ws.once("unexpected-response", (_req, res) => {
      clearTimeout(timer);
      resolve(`http ${res.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on("error", () => undefined);
  });
}

export const isAnnounceReply = (infoHash: string) => (f: Frame) =>
  f.action === "announce" && f.info_hash === infoHash && f.complete !== undefined;
export const isOffer = (f: Frame) => f.offer !== undefined;
export const isAnswer = (f: Frame) => f.answer !== undefined;
export const isFailure = (f: Frame) => f["failure reason"] !== undefined;

export function announce(infoHash: string, peerId: string, extra: Frame = {}): Frame {
  return { action: "announce", info_hash: infoHash, peer_id: peerId, ...extra };
}

export function offerList(count: number): { offer_id: string; offer: { type: "offer"; sdp: string } }[] {
  return Array.from({ length: count }, () => ({ offer_id: binaryId(), offer: { type: "offer", sdp: SDP } }));
}

/** Polls until `check` passes (for effects of a socket close, which the client cannot observe). */
export async function eventually(check: () => void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
