import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { ConnectionGate } from "../../../demo-server/src/net/connection-gate.js";

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("close");
  }
}

function setup(maxPendingConnections: number, maxPendingConnectionsPerIp: number) {
  const server = new EventEmitter();
  const gate = new ConnectionGate({ maxPendingConnections, maxPendingConnectionsPerIp });
  gate.attach(server as unknown as Server);
  const connect = (address: string) => {
    const socket = new FakeSocket(address);
    server.emit("connection", socket);
    return socket;
  };
  const request = (socket: FakeSocket) => server.emit("request", { socket });
  return { gate, connect, request };
}

describe("ConnectionGate", () => {
  it("closes an address's oldest stalled connection for its newest, never the newcomer", () => {
    const { gate, connect } = setup(100, 3);
    const stalled = [connect("10.0.0.1"), connect("10.0.0.1"), connect("10.0.0.1")];
    const honest = connect("10.0.0.1");
    expect(stalled.map((s) => s.destroyed)).toEqual([true, false, false]);
    expect(honest.destroyed).toBe(false);
    expect(gate.refused.pending_evicted_ip).toBe(1);
    expect(gate.pendingCount).toBe(3);
  });

  it("closes the oldest stalled connection of all at the total cap", () => {
    const { gate, connect } = setup(4, 4);
    const first = Array.from({ length: 4 }, (_, i) => connect(`10.0.0.${i}`));
    const fifth = connect("10.0.0.9");
    expect(first[0]!.destroyed).toBe(true);
    expect(fifth.destroyed).toBe(false);
    expect(gate.refused.pending_evicted).toBe(1);
  });

  it("at the total cap closes a connection of the address holding the most, not a lone viewer's", () => {
    const { gate, connect } = setup(4, 10);
    const viewer = connect("10.0.0.7");
    const flood = [connect("10.6.6.6"), connect("10.6.6.6"), connect("10.6.6.6")];
    const newcomer = connect("10.6.6.6");
    expect(viewer.destroyed).toBe(false);
    expect(flood.map((s) => s.destroyed)).toEqual([true, false, false]);
    expect(newcomer.destroyed).toBe(false);
    expect(gate.refused.pending_evicted).toBe(1);
    expect(gate.pendingCount).toBe(4);
  });

  it("stops counting a connection once its request headers are in, or it closed", () => {
    const { gate, connect, request } = setup(2, 2);
    const a = connect("10.0.0.1");
    const b = connect("10.0.0.1");
    request(a);
    b.destroy();
    expect(gate.pendingCount).toBe(0);
    // Served connections are never evicted for newcomers.
    connect("10.0.0.1");
    connect("10.0.0.1");
    connect("10.0.0.1");
    expect(a.destroyed).toBe(false);
  });

  it("groups IPv4-mapped addresses with IPv4 and IPv6 by /64", () => {
    const { gate, connect } = setup(100, 1);
    const v4 = connect("::ffff:10.0.0.1");
    connect("10.0.0.1");
    expect(v4.destroyed).toBe(true);
    const v6 = connect("2001:db8:1:2::1");
    connect("2001:db8:1:2::ffff");
    expect(v6.destroyed).toBe(true);
    expect(gate.refused.pending_evicted_ip).toBe(2);
  });
});
