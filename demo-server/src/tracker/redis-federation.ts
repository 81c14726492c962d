import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import {
  decodeEntry,
  decodeRelay,
  decodeSwarm,
  encodeEntry,
  encodeRelay,
  idToHex,
  relayChannel,
  swarmKey,
} from "./federation-codec.js";
import type {
  FederationStats,
  LocalDelivery,
  LocalMembership,
  RemotePeer,
  SwarmFederation,
} from "./federation.js";
import type { TrackerLogger } from "./options.js";
import type { BinaryId } from "../net/binary-id.js";

export interface RedisFederationOptions {
  /** `redis://[user:pass@]host:port[/db]` of a Redis the operator runs (Redis ≥ 6). */
  url: string;
  /** Prefix of every key and channel, so deployments can share one Redis. @default "nearcast:" */
  keyPrefix?: string;
  /**
   * Lifetime of a published membership without a refresh (a re-announce): the tracker's
   * `peerTimeoutMs`. Peers of an instance that dies leave the shared swarms within it.
   */
  peerTimeoutMs: number;
  /** Remote members of a swarm are re-read from Redis after this long (ms). @default 500 */
  remotePeersCacheMs?: number;
  /** Largest relay frame accepted from Redis (bytes of text); larger ones are dropped. @default 131_072 */
  maxRelayChars?: number;
  logger: TrackerLogger;
  /** @default 16 random hex chars */
  instanceId?: string;
  /** Epoch ms. @default Date.now */
  clock?: () => number;
}

const DEFAULT_KEY_PREFIX = "nearcast:";
const DEFAULT_REMOTE_PEERS_CACHE_MS = 500;
const DEFAULT_MAX_RELAY_CHARS = 128 * 1024;
/** Remote swarm lists kept in memory: one per swarm this instance has members in, bounded anyway. */
const MAX_CACHED_SWARMS = 10_000;
/**
 * Deletes a member only while it is still this instance's: a peer that reconnected to another
 * instance has been re-written by it, and the old instance's late "left" must not erase that.
 */
const LEAVE_IF_OWNED = `local v = redis.call('HGET', KEYS[1], ARGV[1])
if v and string.sub(v, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. '\t' then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

/** Reconnect backoff: quick first retries, then every 2 s while Redis is away. */
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 2_000);

interface CachedSwarm {
  peers: readonly RemotePeer[];
  fetchedAtMs: number;
  pending: Promise<readonly RemotePeer[]> | undefined;
}

/**
 * Swarm membership and signal routing through Redis. Each instance writes its own members to one
 * hash per swarm (`<prefix>swarm:<info_hash hex>`, field = peer_id, value carries the instance id and
 * an expiry) and subscribes to `<prefix>relay:<instance id>`, where other instances publish the offers
 * and answers for its peers. When Redis is away every call degrades to local-only (no remote peers,
 * relays dropped), the outage is logged and counted, and on reconnection this instance's memberships
 * are written again.
 */
export class RedisFederation implements SwarmFederation {
  readonly instanceId: string;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly cacheMs: number;
  private readonly maxRelayChars: number;
  private readonly clock: () => number;
  private readonly local = new Map<string, LocalMembership>();
  private readonly cache = new Map<BinaryId, CachedSwarm>();
  private readonly counters = { relaysOut: 0, relaysIn: 0, relaysUndeliverable: 0, errors: 0, recoveries: 0 };
  private deliver: LocalDelivery = () => false;
  private everReady = false;
  private down = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RedisFederationOptions) {
    this.instanceId = options.instanceId ?? randomBytes(8).toString("hex");
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.cacheMs = options.remotePeersCacheMs ?? DEFAULT_REMOTE_PEERS_CACHE_MS;
    this.maxRelayChars = options.maxRelayChars ?? DEFAULT_MAX_RELAY_CHARS;
    this.clock = options.clock ?? Date.now;
    // No offline queue: while Redis is away a command fails at once instead of piling up in memory.
    this.commands = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableAutoPipelining: true,
      retryStrategy,
    });
    this.subscriber = new Redis(options.url, { maxRetriesPerRequest: null, retryStrategy });
    this.commands.on("ready", () => this.onReady());
    this.commands.on("error", (err: Error) => this.onError(err));
    this.commands.on("end", () => this.markDown("connection ended"));
    this.commands.on("close", () => this.markDown("connection closed"));
    this.subscriber.on("error", () => undefined); // reported through `commands`; it reconnects alike
    this.subscriber.on("message", (_channel: string, message: string) => this.onRelay(message));
    this.subscriber.subscribe(relayChannel(this.prefix, this.instanceId)).catch((err: unknown) => {
      this.onError(err);
    });
  }

  get connected(): boolean {
    return this.commands.status === "ready" && this.closing === undefined;
  }

  setDelivery(deliver: LocalDelivery): void {
    this.deliver = deliver;
  }

  remotePeers(infoHash: BinaryId): readonly RemotePeer[] | Promise<readonly RemotePeer[]> {
    if (!this.connected) return [];
    const cached = this.cache.get(infoHash);
    if (cached !== undefined && this.clock() - cached.fetchedAtMs < this.cacheMs) return cached.peers;
    if (cached?.pending !== undefined) return cached.pending;
    const entry: CachedSwarm = cached ?? { peers: [], fetchedAtMs: -Infinity, pending: undefined };
    entry.pending = this.fetchSwarm(infoHash).then((peers) => {
      entry.peers = peers;
      entry.fetchedAtMs = this.clock();
      entry.pending = undefined;
      return peers;
    });
    this.cache.delete(infoHash); // re-insert: the map's order is least recently fetched first
    this.cache.set(infoHash, entry);
    if (this.cache.size > MAX_CACHED_SWARMS) this.cache.delete(this.cache.keys().next().value as BinaryId);
    return entry.pending;
  }

  async findPeer(infoHash: BinaryId, peerId: BinaryId): Promise<RemotePeer | undefined> {
    if (!this.connected) return undefined;
    try {
      const value = await this.commands.hget(swarmKey(this.prefix, infoHash), idToHex(peerId));
      const entry = value === null ? undefined : decodeEntry(value);
      if (entry === undefined || entry.instanceId === this.instanceId || entry.expiresAtMs < this.clock()) {
        return undefined;
      }
      return { peerId, ...entry };
    } catch (err) {
      this.onError(err);
      return undefined;
    }
  }

  joined(membership: LocalMembership): void {
    this.local.set(membership.infoHash + membership.peerId, membership);
    if (this.connected) this.publishMembership(membership);
  }

  left(infoHash: BinaryId, peerId: BinaryId): void {
    this.local.delete(infoHash + peerId);
    if (!this.connected) return;
    this.commands
      .eval(LEAVE_IF_OWNED, 1, swarmKey(this.prefix, infoHash), idToHex(peerId), this.instanceId)
      .catch((err: unknown) => this.onError(err));
  }

  relay(instanceId: string, infoHash: BinaryId, toPeerId: BinaryId, frame: string): void {
    if (!this.connected) return;
    this.counters.relaysOut++;
    this.commands
      .publish(relayChannel(this.prefix, instanceId), encodeRelay(infoHash, toPeerId, frame))
      .catch((err: unknown) => this.onError(err));
  }

  stats(): FederationStats {
    return { instanceId: this.instanceId, connected: this.connected, ...this.counters };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.commands.status === "ready" && this.local.size > 0) {
        const pipeline = this.commands.pipeline();
        for (const { infoHash, peerId } of this.local.values()) {
          pipeline.eval(LEAVE_IF_OWNED, 1, swarmKey(this.prefix, infoHash), idToHex(peerId), this.instanceId);
        }
        await pipeline.exec().catch(() => undefined);
      }
      this.local.clear();
      this.cache.clear();
      this.commands.disconnect();
      this.subscriber.disconnect();
    })();
    return this.closing;
  }

  private publishMembership(m: LocalMembership): void {
    const key = swarmKey(this.prefix, m.infoHash);
    const value = encodeEntry({
      instanceId: this.instanceId,
      complete: m.complete,
      expiresAtMs: this.clock() + this.options.peerTimeoutMs,
      ipPrefix: m.ipPrefix,
      region: m.region,
    });
    // The key's own TTL only cleans up swarms nobody refreshes; entries carry their own expiry.
    this.commands.hset(key, idToHex(m.peerId), value).catch((err: unknown) => this.onError(err));
    this.commands.pexpire(key, this.options.peerTimeoutMs).catch((err: unknown) => this.onError(err));
  }

  private async fetchSwarm(infoHash: BinaryId): Promise<readonly RemotePeer[]> {
    const key = swarmKey(this.prefix, infoHash);
    try {
      const hash = await this.commands.hgetall(key);
      const { peers, stale } = decodeSwarm(hash, this.instanceId, this.clock());
      if (stale.length > 0) this.commands.hdel(key, ...stale).catch((err: unknown) => this.onError(err));
      return peers;
    } catch (err) {
      this.onError(err);
      return [];
    }
  }

  private onRelay(message: string): void {
    const relay = message.length > this.maxRelayChars ? undefined : decodeRelay(message);
    if (relay === undefined) {
      this.counters.relaysUndeliverable++;
      return;
    }
    this.counters.relaysIn++;
    if (!this.deliver(relay.infoHash, relay.toPeerId, relay.frame)) this.counters.relaysUndeliverable++;
  }

  private onReady(): void {
    if (this.closing !== undefined) return;
    const recovered = this.down && this.everReady;
    this.down = false;
    this.everReady = true;
    for (const membership of this.local.values()) this.publishMembership(membership);
    if (recovered) {
      this.counters.recoveries++;
      this.options.logger.info(
        { instanceId: this.instanceId, memberships: this.local.size },
        "tracker: Redis is back; shared swarms restored",
      );
    } else {
      this.options.logger.info({ instanceId: this.instanceId }, "tracker: sharing swarms through Redis");
    }
  }

  private onError(err: unknown): void {
    this.counters.errors++;
    const why = err instanceof Error ? err.message : String(err);
    // A command can fail on a live connection (e.g. a server-side limit): counted, not an outage.
    if (this.commands.status === "ready") this.options.logger.debug({ why }, "tracker: Redis command failed");
    else this.markDown(why);
  }

  private markDown(why: string): void {
    if (this.down || this.closing !== undefined) return;
    this.down = true;
    this.cache.clear();
    this.options.logger.warn(
      { instanceId: this.instanceId, why },
      "tracker: Redis unavailable; swarms are local-only until it returns",
    );
  }
}
