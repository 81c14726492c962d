import { EventEmitter } from "node:events";
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { ConnectionGate } from "../../../demo-server/src/net/connection-gate.js";

class FakeSocket extends EventEmitter {
  destroyed = false;
  constructor(readonly remoteAddress: string) {
    super();
  }
  reset = false;
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit("close");
  }
  resetAndDestroy(): void {
    this.reset = true;
    this.destroy();
  }
}

function setup(
  maxPendingConnections: number,
  maxPendingConnectionsPerIp: number,
  { maxHttpConnectionsPerIp = 1_000, trustProxy = false } = {},
) {
  const server = new EventEmitter();
  const gate = new ConnectionGate({
    maxPendingConnections,
    maxPendingConnectionsPerIp,
    maxHttpConnectionsPerIp,
    trustProxy,
  });
  gate.attach(server as unknown as Server);
  const connect = (address: string) => {
    const socket = new FakeSocket(address);
    server.emit("connection", socket);
    return socket;
  };
  const request = (socket: FakeSocket) => server.emit("request", { socket });
  const upgrade = (socket: FakeSocket) => server.emit("upgrade", { socket });
  return { gate, connect, request, upgrade };
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

  it("refuses a newcomer over the open-connection cap of its address, never an older connection", () => {
    const { gate, connect, request, upgrade } = setup(100, 100, { maxHttpConnectionsPerIp: 2 });
    const served = [connect("10.0.0.1"), connect("10.0.0.1")];
    served.forEach(request);
    const third = connect("10.0.0.1");
    const other = connect("10.0.0.2");
    expect(served.map((s) => s.destroyed)).toEqual([false, false]);
    expect(third.reset).toBe(true);
    expect(other.destroyed).toBe(false);
    expect(gate.refused.connection_ip_limit).toBe(1);
    expect(gate.openCount).toBe(3);
    // A closed connection makes room; an upgraded one (a tracker WebSocket) leaves the count too.
    served[0]!.destroy();
    upgrade(served[1]!);
    expect(connect("10.0.0.1").destroyed).toBe(false);
    expect(connect("10.0.0.1").destroyed).toBe(false);
    expect(connect("10.0.0.1").destroyed).toBe(true);
    expect(gate.refused.connection_ip_limit).toBe(2);
  });

  it("counts an IPv6 /64 as one address for the open-connection cap", () => {
    const { gate, connect } = setup(100, 100, { maxHttpConnectionsPerIp: 1 });
    connect("2001:db8:1:2::1");
    expect(connect("2001:db8:1:2:ffff::9").destroyed).toBe(true);
    expect(connect("2001:db8:1:3::1").destroyed).toBe(false);
    expect(gate.refused.connection_ip_limit).toBe(1);
  });

  it("does not cap open connections by socket address behind a trusted proxy", () => {
    const { gate, connect, request } = setup(100, 100, { maxHttpConnectionsPerIp: 1, trustProxy: true });
    const sockets = [connect("127.0.0.1"), connect("127.0.0.1"), connect("127.0.0.1")];
    sockets.forEach(request);
    expect(sockets.some((s) => s.destroyed)).toBe(false);
    expect(gate.openCount).toBe(3);
  });

  it("cut() resets a connection once and counts it by reason", () => {
    const { gate, connect } = setup(100, 100);
    const socket = connect("10.0.0.1");
    gate.cut(socket as unknown as Socket, "write_stalled");
    gate.cut(socket as unknown as Socket, "write_stalled");
    expect(socket.reset).toBe(true);
    expect(gate.refused.write_stalled).toBe(1);
    expect(gate.openCount).toBe(0);
  });
});
