// Admission of TCP connections to the HTTP server. Two counts per client address: connections still
// sending their first request's headers (slowloris, or WebSocket upgrades that never finish), capped
// per address and in total, oldest closed first; and every open HTTP connection, capped per address,
// newcomer refused, so one address cannot hold thousands of connections after its headers (slow
// readers of media, idle keep-alives) and the file descriptors that the tracker, the stats API and
// the origin share. Node's own `headersTimeout` cuts trickling headers after a while; responses that
// stop draining are cut by net/write-stall.ts.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { GroupedSet } from "./grouped-set.js";
import { connectionLimitKey, parseClientAddress } from "./ip-address.js";
import { HTTP_CONNECTION_REFUSALS, zeroCounts } from "./refusal-reasons.js";
import type { HttpConnectionRefusal } from "./refusal-reasons.js";

export interface ConnectionGateOptions {
  /** Connections still sending their first request's headers, from all addresses together. */
  maxPendingConnections: number;
  /** The same from one address (an IPv4 address or an IPv6 /64). */
  maxPendingConnectionsPerIp: number;
  /** Open HTTP connections from one socket address, in any state (see ServerOptions). */
  maxHttpConnectionsPerIp: number;
  /**
   * The socket address is a trusted reverse proxy's: the per-address cap on open connections is not
   * applied (it would cap the proxy); pending caps still are, the proxy sends headers at once.
   */
  trustProxy: boolean;
}

/**
 * Counts every accepted connection as pending until its first request (or upgrade) has complete
 * headers, or it closes. At the per-address cap the oldest pending connection of that address is
 * closed to make room, never the newcomer: honest clients send their headers within milliseconds, so
 * the oldest pending connections are the ones stalling on purpose, and a viewer behind the same NAT
 * as an attacker still gets in. At the total cap the oldest pending connection of the address holding
 * the most is closed: a flood of connections from many addresses evicts its own, not a viewer with a
 * single connection whose headers are a moment late.
 *
 * Every connection also counts as open until it closes or is upgraded (a tracker WebSocket then
 * counts against the tracker's own budget). A newcomer from an address holding
 * `maxHttpConnectionsPerIp` open connections is closed on arrival: unlike a pending connection, an
 * open one may be an honest viewer's download, so the cap never cuts an older one.
 *
 * The address is the socket's: behind a reverse proxy every connection comes from the proxy, which
 * does its own connection handling; the open-connection cap is off with `trustProxy`, and the
 * per-viewer bound is then net/response-budget.ts, which reads `X-Forwarded-For`.
 */
export class ConnectionGate {
  readonly refused: Record<HttpConnectionRefusal, number> = zeroCounts(HTTP_CONNECTION_REFUSALS);
  /** Pending sockets by address key, each group in arrival order. */
  private readonly pending = new GroupedSet<string, Socket>();
  /** Open HTTP connections (pending or not, not upgraded) by address key. */
  private readonly open = new GroupedSet<string, Socket>();

  constructor(private readonly options: ConnectionGateOptions) {
    const caps = [
      options.maxPendingConnections,
      options.maxPendingConnectionsPerIp,
      options.maxHttpConnectionsPerIp,
    ];
    if (!caps.every((cap) => cap >= 1)) throw new RangeError("connection gate caps must be at least 1");
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Open HTTP connections now (upgraded ones excluded). */
  get openCount(): number {
    return this.open.size;
  }

  /** Every open HTTP connection (upgraded ones excluded): what net/write-stall.ts watches. */
  openSockets(): IterableIterator<Socket> {
    return this.open.values();
  }

  /** Watches `server`'s connections from now on. */
  attach(server: Server): void {
    server.on("connection", (socket: Socket) => this.admit(socket));
    server.on("request", (req: { socket: Socket }) => this.pending.delete(req.socket));
    server.on("upgrade", (req: { socket: Socket }) => {
      this.pending.delete(req.socket);
      this.open.delete(req.socket);
    });
  }

  /** Closes `socket` for `reason` (a stalled writer), counting it; no-op if it is already gone. */
  cut(socket: Socket, reason: HttpConnectionRefusal): void {
    if (socket.destroyed) return;
    this.refused[reason]++;
    this.pending.delete(socket);
    this.open.delete(socket);
    // A reset, not a FIN: the kernel drops the unsent bytes at once instead of keeping them for a
    // client that does not read.
    socket.resetAndDestroy();
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress === undefined ? undefined : parseClientAddress(socket.remoteAddress);
    const key = address === undefined ? "unknown" : connectionLimitKey(address);
    if (!this.options.trustProxy && this.open.count(key) >= this.options.maxHttpConnectionsPerIp) {
      this.cut(socket, "connection_ip_limit");
      return;
    }
    if (this.pending.count(key) >= this.options.maxPendingConnectionsPerIp) {
      this.evict(this.pending.group(key).values().next().value as Socket, "pending_evicted_ip");
    }
    while (this.pending.size >= this.options.maxPendingConnections) {
      const crowded = this.pending.largestGroup()!.key;
      this.evict(this.pending.group(crowded).values().next().value as Socket, "pending_evicted");
    }
    this.pending.add(key, socket);
    this.open.add(key, socket);
    socket.once("close", () => {
      this.pending.delete(socket);
      this.open.delete(socket);
    });
  }

  private evict(socket: Socket, reason: HttpConnectionRefusal): void {
    this.refused[reason]++;
    this.pending.delete(socket);
    socket.destroy();
  }
}
