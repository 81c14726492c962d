// Non-trickle ICE waits for gathering before an offer or answer goes out. A STUN server behind a
// firewall that drops UDP never answers, and gathering then never completes: every offer and answer
// used to wait the whole ICE_GATHERING_TIMEOUT_MS (3 s). `iceGathered` now resolves once candidates
// came and then none for ICE_GATHERING_QUIET_MS; a STUN server that does answer still gets its
// server-reflexive candidate into the description. Real node-datachannel connections and real UDP
// STUN servers on loopback: one that swallows every request, one that answers late.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { crc32 } from "node:zlib";
import { RTCPeerConnection } from "node-datachannel/polyfill";
import { afterEach, describe, expect, it } from "vitest";
import { ICE_GATHERING_QUIET_MS, ICE_GATHERING_TIMEOUT_MS } from "../../../sdk/src/p2p/constants.js";
import { iceGathered, type IceGatheringTiming } from "../../../sdk/src/p2p/rtc-helpers.js";

const STUN_MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const FINGERPRINT = 0x8028;
/** The public address the answering STUN server reports (TEST-NET-3, RFC 5737). */
const MAPPED = { address: "203.0.113.7", port: 40_000 };

interface StunServer {
  url: string;
  /** STUN/TURN requests received (Binding, TURN Allocate). */
  requests: number;
  close(): Promise<void>;
}

/**
 * A UDP STUN server on loopback that answers Binding requests after `answerAfterMs`; undefined = it
 * never answers anything (a firewalled STUN or TURN server).
 */
async function startStun(answerAfterMs: number | undefined): Promise<StunServer> {
  const socket: Socket = createSocket("udp4");
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server: StunServer = { url: "", requests: 0, close: async () => {} };
  socket.on("message", (message: Buffer, from: RemoteInfo) => {
    if (message.length < 20 || message.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return;
    server.requests++;
    if (answerAfterMs === undefined || message.readUInt16BE(0) !== BINDING_REQUEST) return;
    const response = bindingSuccess(message.subarray(8, 20));
    const timer = setTimeout(() => {
      timers.delete(timer);
      socket.send(response, from.port, from.address);
    }, answerAfterMs);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  server.url = `stun:127.0.0.1:${socket.address().port}`;
  server.close = () =>
    new Promise((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      socket.close(() => resolve());
    });
  return server;
}

/** A Binding success response (RFC 8489 §5) with XOR-MAPPED-ADDRESS = MAPPED and a FINGERPRINT. */
function bindingSuccess(transactionId: Buffer): Buffer {
  const mapped = Buffer.alloc(12);
  mapped.writeUInt16BE(XOR_MAPPED_ADDRESS, 0);
  mapped.writeUInt16BE(8, 2);
  mapped.writeUInt8(0x01, 5); // IPv4
  mapped.writeUInt16BE(MAPPED.port ^ (STUN_MAGIC_COOKIE >>> 16), 6);
  const ip = MAPPED.address.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  mapped.writeUInt32BE((ip ^ STUN_MAGIC_COOKIE) >>> 0, 8);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(BINDING_SUCCESS, 0);
  header.writeUInt16BE(mapped.length + 8, 2);
  header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  transactionId.copy(header, 8);
  const fingerprint = Buffer.alloc(8);
  fingerprint.writeUInt16BE(FINGERPRINT, 0);
  fingerprint.writeUInt16BE(4, 2);
  fingerprint.writeUInt32BE((crc32(Buffer.concat([header, mapped])) ^ 0x5354554e) >>> 0, 4);
  return Buffer.concat([header, mapped, fingerprint]);
}

const open: { connections: RTCPeerConnection[]; servers: StunServer[] } = { connections: [], servers: [] };

afterEach(async () => {
  for (const connection of open.connections.splice(0)) connection.close();
  await Promise.all(open.servers.splice(0).map((server) => server.close()));
});

/** An offer made as the SDK makes one, against `server`; how long gathering took and the SDP. */
async function gatherOffer(
  server: RTCIceServer,
  timing?: IceGatheringTiming,
): Promise<{ gatheringMs: number; sdp: string; state: string }> {
  const connection = new RTCPeerConnection({ iceServers: [server] });
  open.connections.push(connection);
  connection.createDataChannel("nearcast", { ordered: true });
  await connection.setLocalDescription(await connection.createOffer());
  const startedMs = performance.now();
  await iceGathered(connection as unknown as globalThis.RTCPeerConnection, timing);
  return {
    gatheringMs: performance.now() - startedMs,
    sdp: connection.localDescription?.sdp ?? "",
    state: connection.iceGatheringState,
  };
}

describe("ICE gathering for non-trickle offers", () => {
  it("a STUN server that never answers: the offer goes out with host candidates once gathering is quiet, not after the timeout", async () => {
    const stun = await startStun(undefined);
    open.servers.push(stun);
    const offer = await gatherOffer({ urls: stun.url });
    // The server was asked and said nothing: gathering had not completed when the offer was ready.
    expect(stun.requests).toBeGreaterThan(0);
    expect(offer.state).not.toBe("complete");
    expect(offer.sdp).toMatch(/a=candidate:.* typ host/);
    expect(offer.gatheringMs).toBeGreaterThanOrEqual(ICE_GATHERING_QUIET_MS - 50);
    expect(offer.gatheringMs).toBeLessThan(ICE_GATHERING_TIMEOUT_MS - 1000);
  });

  it("a STUN server that answers after 150 ms: its server-reflexive candidate is in the offer", async () => {
    const stun = await startStun(150);
    open.servers.push(stun);
    const offer = await gatherOffer({ urls: stun.url });
    expect(stun.requests).toBeGreaterThan(0);
    expect(offer.sdp).toMatch(
      new RegExp(`a=candidate:.* ${MAPPED.address.replace(/\./g, "\\.")} \\d+ typ srflx`),
    );
  });

  it("a TURN server configured but silent: no quiet cut before a relay candidate, the timeout ends the wait", async () => {
    const turn = await startStun(undefined);
    open.servers.push(turn);
    const timing = { timeoutMs: 1500, quietMs: 200 };
    const offer = await gatherOffer(
      { urls: turn.url.replace("stun:", "turn:"), username: "u", credential: "p" },
      timing,
    );
    expect(turn.requests).toBeGreaterThan(0);
    expect(offer.sdp).toMatch(/a=candidate:.* typ host/);
    expect(offer.gatheringMs).toBeGreaterThanOrEqual(timing.timeoutMs - 50);
  });
});
