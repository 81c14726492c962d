// Admission of TCP connections to the HTTP server before they have sent a complete request: a cap
// per client address and a cap in total, so connections that trickle their headers (slowloris, or
// WebSocket upgrades that never finish) cannot use up the file descriptors that the tracker, the
// stats API and the origin share. Node's own `headersTimeout` cuts each of them after a while; this
// bounds how many can wait meanwhile.
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
 * The address is the socket's: behind a reverse proxy every connection comes from the proxy, which
 * does its own connection handling; size the caps for it there.
 */
export class ConnectionGate {
  readonly refused: Record<HttpConnectionRefusal, number> = zeroCounts(HTTP_CONNECTION_REFUSALS);
  /** Pending sockets by address key, each group in arrival order. */
  private readonly pending = new GroupedSet<string, Socket>();

  constructor(private readonly options: ConnectionGateOptions) {
    if (!(options.maxPendingConnections >= 1) || !(options.maxPendingConnectionsPerIp >= 1)) {
      throw new RangeError("connection gate caps must be at least 1");
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Watches `server`'s connections from now on. */
  attach(server: Server): void {
    server.on("connection", (socket: Socket) => this.admit(socket));
    server.on("request", (req: { socket: Socket }) => this.pending.delete(req.socket));
    server.on("upgrade", (req: { socket: Socket }) => this.pending.delete(req.socket));
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress === undefined ? undefined : parseClientAddress(socket.remoteAddress);
    const key = address === undefined ? "unknown" : connectionLimitKey(address);
    if (this.pending.count(key) >= this.options.maxPendingConnectionsPerIp) {
      this.evict(this.pending.group(key).values().next().value as Socket, "pending_evicted_ip");
    }
    while (this.pending.size >= this.options.maxPendingConnections) {
      const crowded = this.pending.largestGroup()!.key;
      this.evict(this.pending.group(crowded).values().next().value as Socket, "pending_evicted");
    }
    this.pending.add(key, socket);
    socket.once("close", () => this.pending.delete(socket));
  }

  private evict(socket: Socket, reason: HttpConnectionRefusal): void {
    this.refused[reason]++;
    this.pending.delete(socket);
    socket.destroy();
  }
}
