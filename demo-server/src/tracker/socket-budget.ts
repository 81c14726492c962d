// The tracker's connection budget: every accepted socket from upgrade to close (handshakes
// included), counted in total and per client address, against `maxConnections` and
// `maxConnectionsPerIp`. When the tracker is full, the address holding the most sockets yields one
// to a newcomer from an address holding fewer: an address can fill free room but cannot keep others
// out (see `fairVictim`).
import type { Duplex } from "node:stream";
import { GroupedSet } from "../net/grouped-set.js";
import type { TrackerOptions } from "./options.js";

export class SocketBudget {
  /** Sockets by address key (`connectionLimitKey`), each group oldest first. */
  private readonly byAddress = new GroupedSet<string, Duplex>();

  constructor(private readonly options: Pick<TrackerOptions, "maxConnections" | "maxConnectionsPerIp">) {}

  /** Every socket counted now. */
  get sockets(): Duplex[] {
    return [...this.byAddress.values()];
  }

  /** No room for one more socket. */
  get full(): boolean {
    return this.byAddress.size >= this.options.maxConnections;
  }

  /** No room for one more socket from `limitKey` (see `connectionLimitKey`). */
  addressFull(limitKey: string): boolean {
    return this.byAddress.count(limitKey) >= this.options.maxConnectionsPerIp;
  }

  /**
   * In a full tracker, the socket that makes room for a newcomer from `limitKey`: the oldest of the
   * address holding the most, if that address holds more than the newcomer's would with it (so
   * addresses even out rather than trade places); undefined = refuse the newcomer.
   */
  fairVictim(limitKey: string): Duplex | undefined {
    const largest = this.byAddress.largestGroup();
    if (largest === undefined || largest.size <= this.byAddress.count(limitKey) + 1) return undefined;
    return this.byAddress.group(largest.key).values().next().value;
  }

  /** Counts `socket` against both budgets until it closes or is released. */
  track(socket: Duplex, limitKey: string): void {
    this.byAddress.add(limitKey, socket);
    socket.once("close", () => this.byAddress.delete(socket));
  }

  /** Stops counting `socket` (it is being closed to make room). */
  release(socket: Duplex): void {
    this.byAddress.delete(socket);
  }
}
