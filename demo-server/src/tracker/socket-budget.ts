// The tracker's connection budget: every accepted socket from upgrade to close (handshakes
// included), counted in total and per client address, against `maxConnections` and
// `maxConnectionsPerIp`.
import type { Duplex } from "node:stream";
import type { TrackerOptions } from "./options.js";

export class SocketBudget {
  /** Every accepted socket from upgrade to close, handshakes included: the connection budget. */
  readonly sockets = new Set<Duplex>();
  private readonly socketsPerAddress = new Map<string, number>();

  constructor(private readonly options: Pick<TrackerOptions, "maxConnections" | "maxConnectionsPerIp">) {}

  /** No room for one more socket. */
  get full(): boolean {
    return this.sockets.size >= this.options.maxConnections;
  }

  /** No room for one more socket from `limitKey` (see `connectionLimitKey`). */
  addressFull(limitKey: string): boolean {
    return (this.socketsPerAddress.get(limitKey) ?? 0) >= this.options.maxConnectionsPerIp;
  }

  /** Counts `socket` against both budgets until it closes. */
  track(socket: Duplex, limitKey: string): void {
    this.sockets.add(socket);
    this.socketsPerAddress.set(limitKey, (this.socketsPerAddress.get(limitKey) ?? 0) + 1);
    socket.once("close", () => {
      this.sockets.delete(socket);
      const left = (this.socketsPerAddress.get(limitKey) ?? 1) - 1;
      if (left > 0) this.socketsPerAddress.set(limitKey, left);
      else this.socketsPerAddress.delete(limitKey);
    });
  }
}
