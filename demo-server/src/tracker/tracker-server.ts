// The tracker's WebSocket server: takes HTTP upgrades (access checks, connection budget), wires each
// socket to the protocol core, and closes misbehaving or dead sockets. The socket wrapper, keepalive
// cycle, connection budget and upgrade HTTP helpers are in modules of their own.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { RawData } from "ws";
import { Connection, rawToString } from "./connection.js";
import type { ConnectionIdentity } from "./connection.js";
import { binaryIdToHex, hexToBinaryId } from "../net/binary-id.js";
import type { BinaryId } from "../net/binary-id.js";
import { ServerKeys } from "../net/server-keys.js";
import { sessionCovers, verifySession } from "../net/session-token.js";
import type { SessionClaims } from "../net/session-token.js";
import { DEFAULT_TRACKER_PATH } from "./constants.js";
import {
  connectionLimitKey,
  networkPrefix,
  resolveClientAddress,
  type ClientAddress,
} from "../net/ip-address.js";
import { LocalOnlyFederation } from "./federation.js";
import type { SwarmFederation } from "./federation.js";
import { KeepaliveSweep } from "./keepalive.js";
import { resolveTrackerOptions } from "./options.js";
import type { TrackerOptions } from "./options.js";
import { AccessPolicy } from "../net/access-policy.js";
import { parseRegion } from "./parse-message.js";
import { RedisFederation } from "./redis-federation.js";
import { SocketBudget } from "./socket-budget.js";
import { TrackerCounters } from "./stats.js";
import type { TrackerStats } from "./stats.js";
import type {
  AccessRefusal,
  TrackerConnectionRefusal,
  TrackerDisconnectReason,
} from "../net/refusal-reasons.js";
import { explainRefusal, RefusalLog } from "./refusal.js";
import { TrackerCore } from "./tracker-core.js";
import { pathOf, queryOf, writeRefusal } from "./upgrade-http.js";
import type { RefusalStatus, UpgradeArgs } from "./upgrade-http.js";

export interface Tracker {
  /** Takes over one HTTP upgrade (any path). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /**
   * Serves WebSocket upgrades for `path` (default "/tracker", query string ignored) on `server`.
   * Upgrades for other paths are left untouched for other `upgrade` listeners.
   */
  attach(server: Server, path?: string): void;
  stats(): TrackerStats;
  /**
   * Whether `peerId` is a member of `infoHash` on this instance, announced from the network prefix
   * of `address` (ids in the protocol's binary-string form): the digest service's access check for
   * a client that sends no session.
   */
  isMemberAt(infoHash: BinaryId, peerId: BinaryId, address: ClientAddress): boolean;
  /** Idempotent: detaches, closes every socket, stops every timer. Resolves when all sockets closed. */
  close(): Promise<void>;
}

/**
 * What other services may ask the tracker about viewers (the stats service, the digest service):
 * sessions it minted and the swarms it holds. Swarm ids are accepted as 40 hex characters or in the
 * 20-byte wire form.
 */
export interface SwarmAccess {
  /** The claims of a session this tracker (or another instance with the same secret) minted, if valid now. */
  verifySession(session: string): SessionClaims | undefined;
  /**
   * Whether a viewer is in a swarm now. `viewer` is a session token (`ns1.…`) or a peer_id (hex or wire
   * form). A member of this instance counts; with Redis scale-out, so does a session whose claims list
   * the swarm (it was minted at the viewer's latest announce, on whichever instance holds its socket).
   */
  isMember(viewer: string, infoHash: string): boolean;
  /** Members of a swarm: this instance's, plus other instances' as last read from Redis (if any). */
  swarmSize(infoHash: string): number;
}

/**
 * A WebTorrent-protocol WebSocket tracker. With `redisUrl` it shares its swarms with every other
 * instance on that Redis (see `RedisFederation`); without, it is a self-contained single process.
 * @throws RangeError for impossible options (see `resolveTrackerOptions`).
 */
export function createTracker(options: Partial<TrackerOptions> = {}): Tracker & SwarmAccess {
  const resolved = resolveTrackerOptions(options);
  const federation =
    resolved.redisUrl === undefined
      ? new LocalOnlyFederation()
      : new RedisFederation({
          url: resolved.redisUrl,
          keyPrefix: resolved.redisKeyPrefix,
          peerTimeoutMs: resolved.peerTimeoutMs,
          logger: resolved.logger,
        });
  return new WebSocketTracker(resolved, federation);
}

class WebSocketTracker implements Tracker, SwarmAccess {
  private readonly counters = new TrackerCounters();
  private readonly core: TrackerCore<Connection>;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly budget: SocketBudget;
  /** The accepted connection on each upgraded socket (to close the one `fairVictim` picks). */
  private readonly bySocket = new Map<Duplex, Connection>();
  private readonly attached: { server: Server; listener: (...args: UpgradeArgs) => void }[] = [];
  private readonly keepalive: KeepaliveSweep;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly access: AccessPolicy;
  private readonly keys: ServerKeys;
  private lastForwardedForWarningMs = -Infinity;
  private readonly refusalLog: RefusalLog;
  /** Refused sockets closing with a reason the page can read (see `explainRefusal`). */
  private readonly explaining = new Set<Duplex>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: TrackerOptions,
    private readonly federation: SwarmFederation,
  ) {
    this.keys =
      options.serverSecret === undefined ? ServerKeys.random() : new ServerKeys(options.serverSecret);
    this.core = new TrackerCore<Connection>(
      options,
      this.counters,
      Date.now,
      Math.random,
      federation,
      this.keys,
    );
    this.access = new AccessPolicy(options);
    this.refusalLog = new RefusalLog(options.logger);
    this.budget = new SocketBudget(options);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxMessageBytes,
      // Compression costs a zlib context per socket and CPU per frame; tracker frames are small.
      perMessageDeflate: false,
    });
    this.keepalive = new KeepaliveSweep(
      options,
      this.connections,
      () => this.startSweepCycle(),
      (connection, reason) => this.drop(connection, reason),
    );
    this.sweepTimer = setInterval(() => this.sweepSlice(), this.keepalive.sliceIntervalMs);
    this.sweepTimer.unref();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Errors after we answer must not become uncaught exceptions; ws adds its own handler too.
    socket.on("error", () => undefined);
    if (this.closing !== undefined) return this.refuse(socket, 503, "closed");
    if (!this.options.trustProxy && req.headers["x-forwarded-for"] !== undefined) this.forwardedForIgnored();
    const query = new URLSearchParams(queryOf(req.url));
    const access = this.access.checkUpgrade(req.headers.origin, query.get("token") ?? undefined);
    if (!access.ok) return this.refuseAccess([req, socket, head], access.status, access.reason);
    const address = resolveClientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      this.options.trustProxy,
    );
    if (address === undefined) return this.refuse(socket, 400, "no_address");
    const limitKey = connectionLimitKey(address);
    if (this.budget.addressFull(limitKey)) return this.refuse(socket, 429, "ip_limit");
    if (this.budget.full) {
      const victim = this.budget.fairVictim(limitKey);
      if (victim === undefined) return this.refuse(socket, 503, "tracker_full");
      this.makeRoom(victim);
    }
    if (socket.destroyed) return;
    this.budget.track(socket, limitKey);
    const identity: ConnectionIdentity = {
      ipPrefix: networkPrefix(address),
      region: parseRegion(query.get("region") ?? undefined),
      grant: access.grant,
      sessionId: randomBytes(12).toString("base64url"),
      addressFingerprint: this.keys.addressFingerprint(limitKey),
    };
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, identity, socket));
  }

  /** Closes the socket `fairVictim` chose, so a newcomer from a less crowded address gets its place. */
  private makeRoom(victim: Duplex): void {
    this.budget.release(victim);
    const connection = this.bySocket.get(victim);
    if (connection === undefined) {
      victim.destroy(); // still in its handshake
      this.counters.disconnects.fairness++;
    } else this.drop(connection, "fairness");
  }

  verifySession(session: string): SessionClaims | undefined {
    return verifySession(this.keys, session, Date.now());
  }

  isMember(viewer: string, infoHash: string): boolean {
    const hash = wireId(infoHash);
    if (hash === undefined) return false;
    const claims = viewer.startsWith("ns1.") ? this.verifySession(viewer) : undefined;
    const peerId = claims === undefined ? wireId(viewer) : hexToBinaryId(claims.peerId);
    if (peerId === undefined) return false;
    if (this.core.registry.getSwarm(hash)?.peers.has(peerId) === true) return true;
    if (this.federation instanceof LocalOnlyFederation) return false;
    if (claims !== undefined) return sessionCovers(claims, binaryIdToHex(hash));
    const remote = this.federation.remotePeers(hash);
    return Array.isArray(remote) && remote.some((peer: { peerId: BinaryId }) => peer.peerId === peerId);
  }

  swarmSize(infoHash: string): number {
    const hash = wireId(infoHash);
    if (hash === undefined) return 0;
    const local = this.core.registry.getSwarm(hash)?.peers.size ?? 0;
    const remote = this.federation.remotePeers(hash);
    return local + (Array.isArray(remote) ? remote.length : 0);
  }

  attach(server: Server, path: string = DEFAULT_TRACKER_PATH): void {
    if (this.closing !== undefined) throw new Error("tracker is closed");
    if (!path.startsWith("/")) throw new Error(`tracker path must start with "/", got "${path}"`);
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (pathOf(req.url) === path) this.handleUpgrade(req, socket, head);
    };
    server.on("upgrade", listener);
    this.attached.push({ server, listener });
  }

  stats(): TrackerStats {
    const registry = this.core.registry;
    return this.counters.snapshot({
      swarms: registry.allSwarms(),
      swarmCount: registry.swarmCount,
      peerCount: registry.peerCount,
      connections: this.connections.size,
      topSwarms: this.options.topSwarmsInStats,
      federation: this.federation.stats() ?? null,
    });
  }

  isMemberAt(infoHash: BinaryId, peerId: BinaryId, address: ClientAddress): boolean {
    const peer = this.core.registry.getSwarm(infoHash)?.peers.get(peerId);
    return peer !== undefined && peer.ipPrefix === networkPrefix(address);
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    clearInterval(this.sweepTimer);
    for (const { server, listener } of this.attached) server.off("upgrade", listener);
    this.attached.length = 0;
    const { sockets } = this.budget;
    const closed = [...sockets].map((s) => new Promise<void>((resolve) => s.once("close", resolve)));
    for (const connection of this.connections) connection.ws.terminate();
    for (const socket of sockets) socket.destroy();
    for (const socket of this.explaining) socket.destroy();
    this.connections.clear();
    this.bySocket.clear();
    this.core.registry.clear();
    this.closing = Promise.all(closed)
      .then(() => this.federation.close())
      .then(() => new Promise<void>((resolve) => this.wss.close(() => resolve())));
    this.options.logger.info({}, "tracker: closed");
    return this.closing;
  }

  /** Counts and logs the refusal, then answers the upgrade with a plain HTTP error (see `writeRefusal`). */
  private refuse(socket: Duplex, status: RefusalStatus, reason: TrackerConnectionRefusal): void {
    this.counters.connectionsRejected[reason]++;
    this.refusalLog.refused(reason);
    writeRefusal(socket, status);
  }

  /**
   * An access refusal (token, Origin): counted and logged like any, but told to the page as a close
   * code and reason it can read (a browser cannot see an HTTP status), unless too many are closing.
   */
  private refuseAccess(args: UpgradeArgs, status: RefusalStatus, reason: AccessRefusal): void {
    if (!explainRefusal(this.wss, this.explaining, args, reason)) return this.refuse(args[1], status, reason);
    this.counters.connectionsRejected[reason]++;
    this.refusalLog.refused(reason);
  }

  /**
   * Behind a proxy every viewer shares the proxy's address, so the per-address cap refuses them:
   * say so loudly (at most once a minute) and count every such upgrade.
   */
  private forwardedForIgnored(): void {
    this.counters.forwardedForIgnored++;
    const now = Date.now();
    if (now - this.lastForwardedForWarningMs < FORWARDED_FOR_WARNING_INTERVAL_MS) return;
    this.lastForwardedForWarningMs = now;
    this.options.logger.warn(
      { ignoredSoFar: this.counters.forwardedForIgnored },
      "tracker: X-Forwarded-For received but trustProxy is off: the header is ignored and every viewer " +
        "behind the proxy counts against one address's connection cap. Behind your own reverse proxy, " +
        "start with --trust-proxy (NEARCAST_TRUST_PROXY=1); otherwise strip the header at the edge.",
    );
  }

  private onConnection(ws: WebSocket, identity: ConnectionIdentity, socket: Duplex): void {
    if (this.closing !== undefined) {
      ws.terminate();
      return;
    }
    const connection = new Connection(ws, identity, this.options, (c) => this.drop(c, "slow_consumer"));
    this.connections.add(connection);
    this.bySocket.set(socket, connection);
    this.counters.connectionsAccepted++;
    ws.on("message", (data, isBinary) => this.onMessage(connection, data, isBinary));
    ws.on("pong", (payload) => connection.onPong(payload));
    ws.on("error", (err: Error & { code?: string }) => {
      // ws closes the socket itself after a protocol error (1002/1007/1009).
      const tooLarge = err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";
      if (tooLarge) this.counters.rejected.message_too_large++;
      this.counters.disconnects[tooLarge ? "message_too_large" : "protocol_error"]++;
      this.options.logger.debug({ code: err.code }, "tracker: websocket error");
    });
    ws.on("close", () => {
      this.connections.delete(connection);
      this.bySocket.delete(socket);
      this.core.disconnect(connection);
    });
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    if (this.closing !== undefined || connection.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    const decision = connection.limiter.take(now);
    if (decision !== "accept") {
      this.counters.dropped++;
      if (decision === "close") this.drop(connection, "flood");
      return;
    }
    connection.alive = true;
    connection.lastMessageMs = now;
    if (isBinary) {
      this.core.reject(connection, { reason: "binary_frame", message: "binary frames are not supported" });
      return;
    }
    try {
      this.core.handleText(connection, rawToString(data));
    } catch (err) {
      // The core validates its input and should never throw; if it does, one message is lost, not the process.
      this.options.logger.warn({ err }, "tracker: unexpected error while handling a message");
    }
  }

  /** Closes a misbehaving or dead socket; its memberships go when its `close` event fires. */
  private drop(connection: Connection, reason: TrackerDisconnectReason): void {
    if (!this.connections.delete(connection)) return;
    this.counters.disconnects[reason]++;
    const log = reason === "flood" || reason === "slow_consumer" ? "warn" : "debug";
    this.options.logger[log]({ reason }, "tracker: closing connection");
    if (reason === "idle") connection.ws.close(1000, "idle");
    else connection.ws.terminate();
    this.core.disconnect(connection);
  }

  /** One slice of the keepalive cycle (see `KeepaliveSweep.slice`); none once closing. */
  private sweepSlice(): void {
    if (this.closing !== undefined) return;
    this.keepalive.slice(Date.now());
  }

  /** A keepalive cycle starts: expired peers are forgotten. */
  private startSweepCycle(): void {
    this.core.sweep();
    const { swarmCount, peerCount } = this.core.registry;
    this.options.logger.debug(
      { swarms: swarmCount, peers: peerCount, connections: this.connections.size },
      "tracker: sweep",
    );
  }
}

const FORWARDED_FOR_WARNING_INTERVAL_MS = 60_000;

/** A swarm or peer id given as 40 hex characters or in the 20-char wire form; undefined otherwise. */
function wireId(id: string): BinaryId | undefined {
  if (/^[0-9a-fA-F]{40}$/.test(id)) return hexToBinaryId(id);
  return id.length === 20 ? id : undefined;
}
