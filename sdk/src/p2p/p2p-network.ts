import type { NearcastConfig } from "../core/config.js";
import type { NearcastEvents } from "../core/events.js";
import { createLogger } from "../core/logger.js";
import type { SegmentStore } from "../core/segment-store.js";
import type { SegmentStoreChange } from "../core/segment-store-types.js";
import type { StatsCollector } from "../core/stats.js";
import { TokenBucket } from "../core/token-bucket.js";
import { setRecent } from "../core/bounded-recent.js";
import type { PeerRejectionReason } from "../core/types.js";
import { ADDRESS_BAN_STRIKES, MAX_BANNED_PEERS, SWARM_SWEEP_MS, SWITCH_OFFERS_WAIT_MS } from "./constants.js";
import { IceConfigSource } from "./ice-config.js";
import { createPeerId } from "./ids.js";
import { Peer, type PeerHandlers, type PeerRemote } from "./peer.js";
import { PeerBans } from "./peer-bans.js";
import { PeerByteBudget } from "./peer-byte-budget.js";
import { PeerConnector } from "./peer-connector.js";
import { availabilityMessages } from "./protocol-availability.js";
import { MAX_CHUNK_BYTES, PROTOCOL_VERSION } from "./protocol-constants.js";
import type { SegmentAvailability } from "../core/availability.js";
import { Swarm } from "./swarm.js";
import { SwarmMembership } from "./swarm-membership.js";
import type { TrackerSession } from "./tracker-messages.js";
import { uploadsPerSegment } from "./upload-rules.js";
import { Uploader } from "./uploader.js";
import { UplinkMeter } from "./uplink-meter.js";

const log = createLogger("p2p");

export interface P2PNetworkOptions {
  config: NearcastConfig;
  RTCPeerConnection: typeof RTCPeerConnection;
  WebSocket: typeof WebSocket;
  store: SegmentStore;
  stats: StatsCollector;
  emit: <K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]) => void;
  isLoading: (swarmKey: string, segmentId: string) => boolean;
  /** A load of ours in this swarm is in flight (its swarm is not left meanwhile). */
  isLoadingIn: (swarmKey: string) => boolean;
  clientName: string;
  /** Whether to serve peers now: `uploadEnabled`, unless the connection is metered. */
  uploading: () => boolean;
  /** For `iceConfigUrl`. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** A tracker handed this viewer a session (for the stats reporter). */
  onSession?(trackerUrl: string, session: TrackerSession): void;
  /**
   * The uplink carried `bytes` over `busyMs` of backlogged time ending at `endMs` (performance.now()):
   * see uplink-meter.ts. The engine feeds the delivery policy's uplink estimate with it.
   */
  onUplinkSample?(bytes: number, busyMs: number, endMs: number): void;
  /** The uplink rate measured from those samples, bytes/s; undefined without an estimate. */
  measuredUplinkBytesPerSec?(): number | undefined;
}

/** Everything peer-to-peer: tracker signaling, the swarms, their peers, and serving uploads. */
export class P2PNetwork {
  readonly peerId = createPeerId();
  private readonly swarms = new Map<string, Swarm>();
  private readonly connector: PeerConnector;
  private readonly iceConfig: IceConfigSource | undefined;
  private readonly uploader: Uploader;
  private readonly uplinkMeter: UplinkMeter;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private readonly handlers: PeerHandlers;
  private readonly membership: SwarmMembership;
  /** Peers dropped for breaking a rule: never connected again this session (bounded, FIFO). */
  private readonly bans: PeerBans;
  /**
   * The last connected peers by id, with their tracker fingerprint and swarm (bounded, FIFO): a peer
   * found out after it left (a segment that failed verification) is still banned by fingerprint.
   */
  private readonly recentPeers = new Map<string, { remote: PeerRemote; swarmKey: string }>();
  /** The caps on bytes from peers held for loads in flight, shared by every peer. */
  private readonly peerBytes = new PeerByteBudget();
  private destroyed = false;

  constructor(private readonly options: P2PNetworkOptions) {
    const { config, stats, emit } = options;
    const uplinkMeter = (this.uplinkMeter = new UplinkMeter({
      onSample: (bytes, busyMs, endMs) => options.onUplinkSample?.(bytes, busyMs, endMs),
    }));
    // Where nothing verifies peer bytes, a liar's address is banned at its first lie (peer-bans.ts).
    this.bans = new PeerBans(config.allowUnverifiedPeers ? 1 : ADDRESS_BAN_STRIKES);
    this.uploader = new Uploader({
      store: options.store,
      limiter:
        config.maxUploadBytesPerSec > 0
          ? new TokenBucket(config.maxUploadBytesPerSec, MAX_CHUNK_BYTES)
          : undefined,
      enabled: options.uploading,
      measuredUplinkBytesPerSec: options.measuredUplinkBytesPerSec,
      maxConcurrentPerSegment: uploadsPerSegment(config.maxUploadBytesPerSec),
      isLoading: options.isLoading,
      onUploaded: (peer, bytes) => {
        uplinkMeter.handedOver(peer, bytes);
        stats.addUploadedBytes(peer.swarmKey, peerStatsKey(peer), bytes);
        emit("bytes-uploaded", { peerId: peer.id, swarmKey: peer.swarmKey, bytes });
      },
      log,
    });
    this.handlers = {
      onRequest: (peer, request) => this.uploader.handleRequest(peer, request),
      onCancel: (peer, requestId) => this.uploader.handleCancel(peer, requestId),
      onAvailability: (peer) => this.swarms.get(peer.swarmKey)?.notifyChange(),
      onClose: (peer, reason) => this.onPeerClosed(peer, reason),
    };
    this.iceConfig = config.iceConfigUrl
      ? new IceConfigSource({
          url: config.iceConfigUrl,
          fallback: config.rtcConfiguration,
          fetchImpl: options.fetch,
          log,
          onWarning: (message) => emit("warning", { code: "ice-config", message }),
        })
      : undefined;
    this.connector = new PeerConnector({
      peerId: this.peerId,
      trackerUrls: config.trackerUrls,
      WebSocket: options.WebSocket,
      RTCPeerConnection: options.RTCPeerConnection,
      rtcConfiguration: async () =>
        copyRtcConfiguration((await this.iceConfig?.get()) ?? config.rtcConfiguration),
      region: config.region,
      log,
      wantedPeers: (key) => this.swarms.get(key)?.wantedPeers ?? 0,
      answerRoom: (key) => this.swarms.get(key)?.answerRoom ?? 0,
      offersWanted: (key) => this.swarms.get(key)?.offersWanted ?? 0,
      retryOffersWanted: (key) => this.swarms.get(key)?.retryOffersWanted ?? 0,
      isConnected: (key, peerId) => this.getPeer(key, peerId) !== undefined,
      isBanned: (remote) => this.refuses(remote),
      onPeer: (key, remote, channel, connection, initiator) =>
        this.onPeerConnected(key, remote, channel, connection, initiator),
      onSwarmReport: (key, others) => this.swarmReported(key, others),
      onSession: (url, session) => options.onSession?.(url, session),
      onTrackerState: (url, state, detail) => emit("tracker-state", { url, state, ...detail }),
      onWarning: (message) => emit("warning", { code: "tracker", message }),
    });
    this.membership = new SwarmMembership({
      swarms: this.swarms,
      leaveTrackers: (key) => this.connector.leave(key),
      joinTrackers: (key) => this.connector.join(key),
      loading: options.isLoadingIn,
      uploadsOpen: (peer) => this.uploader.hasOpenUploads(peer),
      announceHoldings: (swarm, holding) => {
        if (!this.options.uploading()) return;
        const messages = holding
          ? availabilityMessages(this.options.store.list(swarm.key))
          : [{ type: "availability-full", segments: [] } as const];
        for (const message of messages) swarm.broadcast(message);
      },
      log,
    });
    this.sweepTimer = setInterval(() => this.membership.sweep(), SWARM_SWEEP_MS);
  }

  /**
   * The swarm for a key, joined on first use. `track` names the player track the rendition plays in
   * (the stream key and the track type, e.g. `<stream>|main`): when another swarm of that track is
   * used, this one is left after SWARM_SWITCH_GRACE_MS (see SwarmMembership).
   */
  swarm(key: string, track?: string): Swarm {
    let swarm = this.swarms.get(key);
    if (!swarm) {
      swarm = new Swarm(key, this.peerId, this.options.config.maxPeers);
      // A rendition switch: the viewer has peers in its track's other swarm, so the new one's offers
      // can wait for the tracker's count (one round trip) instead of going to everyone it might hold.
      if (track !== undefined && this.hasPeersInTrack(track))
        swarm.offersAwaitCountMs = SWITCH_OFFERS_WAIT_MS;
      this.swarms.set(key, swarm);
      this.connector.join(key);
    }
    this.membership.used(swarm, track);
    return swarm;
  }

  /**
   * Swarms joined, open peer connections across them, and bytes from peers held for loads in flight
   * (now, and the most since this network started): diagnostics and tests of the caps.
   */
  get usage(): {
    swarms: number;
    peerConnections: number;
    peerBufferedBytes: number;
    peerBufferedPeakBytes: number;
  } {
    let peerConnections = 0;
    for (const swarm of this.swarms.values()) peerConnections += swarm.peers.size;
    return {
      swarms: this.swarms.size,
      peerConnections,
      peerBufferedBytes: this.peerBytes.bufferedBytes,
      peerBufferedPeakBytes: this.peerBytes.peakBufferedBytes,
    };
  }

  getPeer(swarmKey: string, peerId: string): Peer | undefined {
    return this.swarms.get(swarmKey)?.peers.get(peerId);
  }

  /**
   * Never use this peer again this session (by id; its tracker fingerprint, when known, takes a strike
   * and is banned at ADDRESS_BAN_STRIKES, see PeerBans): close its connections in every swarm and
   * refuse new ones. Counted once in `peerRejections[reason]`
   * (and `bannedPeers` when it was not banned yet), with a `peer-rejected` event.
   */
  ban(peerId: string, detail: string, reason: PeerRejectionReason = "digest-mismatch"): void {
    const connected = [...this.swarms.values()].flatMap((swarm) => swarm.peers.get(peerId) ?? []);
    const recent = this.recentPeers.get(peerId);
    const remote = connected[0] ?? recent?.remote ?? { id: peerId };
    const swarmKey = connected[0]?.swarmKey ?? recent?.swarmKey ?? this.options.stats.swarmKey ?? "";
    this.reject(remote, swarmKey, reason, detail);
    // Closed as plain closes: the rejection is counted above, once.
    for (const peer of connected) peer.close(`${reason}: ${detail}`);
  }

  /** Whether this viewer serves peers now (`uploadEnabled`, unless the connection is metered). */
  get uploading(): boolean {
    return this.options.uploading();
  }

  announceFetching(swarmKey: string, segmentId: string): void {
    if (this.options.uploading()) this.swarms.get(swarmKey)?.broadcast({ type: "fetching", segmentId });
  }

  cancelFetching(swarmKey: string, segmentId: string): void {
    if (this.options.uploading())
      this.swarms.get(swarmKey)?.broadcast({ type: "fetch-cancelled", segmentId });
  }

  /** Tell peers what changed in the store. Partial growth is not broadcast: uploads stream it. */
  onStoreChange(change: SegmentStoreChange): void {
    for (const a of change.added) this.uploader.notify(a.swarmKey, a.segmentId);
    for (const u of change.updated) this.uploader.notify(u.swarmKey, u.segmentId);
    for (const r of change.removed) this.uploader.notify(r.swarmKey, r.segmentId);
    if (!this.options.uploading()) return;
    // The common call (a chunk appended to a partial segment) announces nothing: stop here.
    const announced = [...change.added, ...change.updated.filter((u) => u.complete)];
    if (announced.length === 0 && change.removed.length === 0) return;
    const bySwarm = new Map<string, { added: SegmentAvailability[]; removed: string[] }>();
    const entry = (key: string) => {
      let e = bySwarm.get(key);
      if (!e) bySwarm.set(key, (e = { added: [], removed: [] }));
      return e;
    };
    for (const { swarmKey, segmentId, totalLength, bytesAvailable, complete } of announced) {
      entry(swarmKey).added.push({ segmentId, totalLength, bytesAvailable, complete });
    }
    for (const r of change.removed) entry(r.swarmKey).removed.push(r.segmentId);
    for (const [key, { added, removed }] of bySwarm) {
      const swarm = this.swarms.get(key);
      // A swarm being left withdrew its availability: it stays withdrawn.
      if (swarm && swarm.peers.size > 0 && swarm.leavingSinceMs === undefined)
        swarm.broadcast({ type: "availability-delta", added, removed });
    }
  }

  /** A load finished or gave up: uploads waiting on it re-check the store; its peer bytes are freed. */
  loadEnded(swarmKey: string, segmentId: string): void {
    this.peerBytes.release(`${swarmKey}\n${segmentId}`);
    this.uploader.notify(swarmKey, segmentId);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearInterval(this.sweepTimer);
    this.connector.destroy();
    this.iceConfig?.destroy();
    this.uploader.destroy();
    this.uplinkMeter.destroy();
    for (const swarm of this.swarms.values()) swarm.closeAll("destroyed");
    this.swarms.clear();
  }

  /** A tracker counted a swarm: offers that waited for the count go out now (see `swarm()`). */
  private swarmReported(key: string, others: number | undefined): void {
    const swarm = this.swarms.get(key);
    if (!swarm) return;
    const waited = swarm.awaitingCount;
    swarm.trackerReported(others);
    if (waited && swarm.offersWanted > 0) this.connector.refill(key);
  }

  /** Another swarm of this track, not being left, has connected peers. */
  private hasPeersInTrack(track: string): boolean {
    for (const swarm of this.swarms.values())
      if (swarm.track === track && swarm.leavingSinceMs === undefined && swarm.connectedPeers > 0)
        return true;
    return false;
  }

  private onPeerConnected(
    key: string,
    remote: PeerRemote,
    channel: RTCDataChannel,
    connection: RTCPeerConnection,
    initiator: boolean,
  ): void {
    const swarm = this.swarms.get(key);
    // A connection that was already being set up when its peer got banned, or its swarm began to be
    // left, still lands here.
    if (!swarm || swarm.leavingSinceMs !== undefined || this.destroyed || this.refuses(remote)) {
      channel.close();
      return void connection.close();
    }
    const peer = new Peer(remote, key, initiator, channel, connection, this.handlers, log, this.peerBytes);
    const loser = swarm.add(peer);
    if (loser) loser.close("duplicate connection");
    if (loser === peer) return;
    if (this.bans.onProbation(remote)) {
      this.options.stats.probationPeers++;
      log(
        "peer %s admitted on probation: an id of its address (%s) was banned",
        remote.id,
        remote.fingerprint,
      );
    }
    setRecent(this.recentPeers, remote.id, { remote, swarmKey: key }, MAX_BANNED_PEERS);
    this.options.stats.peers.set(peerStatsKey(peer), {
      peerId: peer.id,
      swarmKey: key,
      downloadedBytes: 0,
      uploadedBytes: 0,
      connectedAtMs: peer.connectedAtMs,
    });
    peer.send({ type: "hello", protocolVersion: PROTOCOL_VERSION, clientName: this.options.clientName });
    if (this.options.uploading()) {
      for (const message of availabilityMessages(this.options.store.list(key))) peer.send(message);
    }
    this.options.emit("peer-connected", { peerId: peer.id, swarmKey: key });
  }

  private onPeerClosed(peer: Peer, reason: string): void {
    this.uploader.peerClosed(peer);
    if (peer.violation) this.reject(peer, peer.swarmKey, peer.violation.reason, peer.violation.detail);
    const swarm = this.swarms.get(peer.swarmKey);
    if (!swarm?.remove(peer)) return;
    this.options.stats.peers.delete(peerStatsKey(peer));
    this.options.emit("peer-disconnected", { peerId: peer.id, swarmKey: peer.swarmKey, reason });
    if (!this.destroyed) this.connector.refill(peer.swarmKey);
  }

  /**
   * Whether to refuse a banned peer's offer, answer or connection (counted in `bannedPeerRefusals`,
   * and in `bannedAddressRefusals` when only its address is banned).
   */
  private refuses(remote: PeerRemote): boolean {
    const refusal = this.bans.refusal(remote);
    if (refusal === undefined) return false;
    this.options.stats.bannedPeerRefusals++;
    if (refusal === "banned-address") this.options.stats.bannedAddressRefusals++;
    return true;
  }

  /** A peer broke a rule: ban it, count the rejection, say so. */
  private reject(remote: PeerRemote, swarmKey: string, reason: PeerRejectionReason, detail: string): void {
    if (this.bans.ban(remote)) this.options.stats.bannedPeers++;
    this.options.stats.addPeerRejection(swarmKey, reason);
    log(
      "peer %s (%s) rejected for %s: %s",
      remote.id,
      remote.fingerprint ?? "no fingerprint",
      reason,
      detail,
    );
    this.options.emit("peer-rejected", {
      peerId: remote.id,
      swarmKey,
      reason,
      detail,
      ...(remote.fingerprint !== undefined ? { fingerprint: remote.fingerprint } : {}),
    });
  }
}

export function peerStatsKey(peer: Peer): string {
  return `${peer.id}@${peer.swarmKey}`;
}

/** Each connection gets its own copy: some implementations normalise the object they are given. */
function copyRtcConfiguration(config: RTCConfiguration): RTCConfiguration {
  return { ...config, iceServers: config.iceServers?.map((server) => ({ ...server })) };
}
