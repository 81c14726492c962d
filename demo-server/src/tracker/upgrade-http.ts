// The HTTP side of the tracker's WebSocket upgrade: the request URL's path and query, and the plain
// HTTP error that refuses an upgrade.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

export type UpgradeArgs = [req: IncomingMessage, socket: Duplex, head: Buffer];

export const STATUS_TEXT = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  429: "Too Many Requests",
  503: "Service Unavailable",
} as const;

export type RefusalStatus = keyof typeof STATUS_TEXT;

/** Answers the upgrade with a plain HTTP error and closes the socket. */
export function writeRefusal(socket: Duplex, status: RefusalStatus): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once("finish", () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function pathOf(url: string | undefined): string {
  const raw = url ?? "";
  const q = raw.indexOf("?");
  return q === -1 ? raw : raw.slice(0, q);
}

export function queryOf(url: string | undefined): string {
  const raw = url ?? "";
  const q = raw.indexOf("?");
  return q === -1 ? "" : raw.slice(q + 1);
}
