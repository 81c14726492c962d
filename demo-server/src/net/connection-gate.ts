// Admission of TCP connections to the HTTP server before they have sent a complete request: a cap
// per client address and a cap in total, so connections that trickle their headers (slowloris, or
// WebSocket upgrades that never finish) cannot use up the file descriptors that the tracker, the
// stats API and the origin share. Node's own `headersTimeout` cuts each of them after a while; this
// bounds how many can wait meanwhile.
import type { Server } from "node:http";
import type { Socket } from "node:net";
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
  /** Pending sockets in arrival order (the first is the oldest) with their address key. */
  private readonly pending = new Map<Socket, string>();
  /** The same sockets by address key, each set in arrival order. */
  private readonly byAddress = new Map<string, Set<Socket>>();
  /** Address keys by how many pending connections they hold, to find the largest in O(1). */
  private readonly bySize = new Map<number, Set<string>>();
  private largest = 0;

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
    server.on("request", (req: { socket: Socket }) => this.settle(req.socket));
    server.on("upgrade", (req: { socket: Socket }) => this.settle(req.socket));
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress === undefined ? undefined : parseClientAddress(socket.remoteAddress);
    const key = address === undefined ? "unknown" : connectionLimitKey(address);
    let same = this.byAddress.get(key);
    if (same !== undefined && same.size >= this.options.maxPendingConnectionsPerIp) {
      this.evict(same.values().next().value as Socket, "pending_evicted_ip");
    }
    while (this.pending.size >= this.options.maxPendingConnections) {
      const crowded = this.bySize.get(this.largest)?.values().next().value as string;
      this.evict(this.byAddress.get(crowded)?.values().next().value as Socket, "pending_evicted");
    }
    same = this.byAddress.get(key);
    if (same === undefined) this.byAddress.set(key, (same = new Set()));
    same.add(socket);
    this.resize(key, same.size - 1, same.size);
    this.pending.set(socket, key);
    socket.once("close", () => this.settle(socket));
  }

  /** Moves `key` from the group of addresses with `from` pending connections to `to`. */
  private resize(key: string, from: number, to: number): void {
    const old = this.bySize.get(from);
    old?.delete(key);
    if (old?.size === 0) this.bySize.delete(from);
    if (to > 0) {
      let group = this.bySize.get(to);
      if (group === undefined) this.bySize.set(to, (group = new Set()));
      group.add(key);
    }
    if (to > this.largest) this.largest = to;
    while (this.largest > 0 && !this.bySize.has(this.largest)) this.largest--;
  }

  private evict(socket: Socket, reason: HttpConnectionRefusal): void {
    this.refused[reason]++;
    this.settle(socket);
    socket.destroy();
  }

  private settle(socket: Socket): void {
    const key = this.pending.get(socket);
    if (key === undefined) return;
    this.pending.delete(socket);
    const same = this.byAddress.get(key);
    if (same === undefined || !same.delete(socket)) return;
    this.resize(key, same.size + 1, same.size);
    if (same.size === 0) this.byAddress.delete(key);
  }
}
