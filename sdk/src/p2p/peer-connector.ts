import type { Logger } from "../core/logger.js";
import {
  CONNECT_TIMEOUT_MS,
  MAX_OFFERS_PER_ANNOUNCE,
  OFFER_TIMEOUT_MS,
  RETRY_AFTER_FAILURE_MS,
  UNDERFULL_ANNOUNCE_INTERVAL_MS,
} from "./constants.js";
import { createOfferId, infoHashOf } from "./ids.js";
import { channelOpen, closeQuietly, iceGathered, withTimeout } from "./rtc-helpers.js";
import { TrackerClient } from "./tracker-client.js";
import type { SessionDescription, TrackerMessage } from "./tracker-messages.js";

export interface PeerConnectorOptions {
  peerId: string;
  trackerUrls: readonly string[];
  WebSocket: typeof WebSocket;
  RTCPeerConnection: typeof RTCPeerConnection;
  /** The configuration for a connection made now (it may be fetched: see IceConfigSource). */
  rtcConfiguration(): Promise<RTCConfiguration>;
  region: string | undefined;
  log: Logger;
  /** How many more peers this swarm wants now (0 = full: incoming offers are ignored). */
  wantedPeers(swarmKey: string): number;
  /** How many offers an announce should carry now (see `Swarm.offersWanted`). */
  offersWanted(swarmKey: string): number;
  /** We hold an open connection to this peer in this swarm. */
  isConnected(swarmKey: string, peerId: string): boolean;
  onPeer(
    swarmKey: string,
    remotePeerId: string,
    channel: RTCDataChannel,
    connection: RTCPeerConnection,
    initiator: boolean,
  ): void;
  /** The tracker's count of other viewers in a swarm (from its announce response). */
  onSwarmReport(swarmKey: string, others: number | undefined): void;
  /** Peers that broke the protocol: their offers and answers are ignored. */
  isBanned(peerId: string): boolean;
  onTrackerState(url: string, state: "connecting" | "connected" | "disconnected", error?: string): void;
  onWarning(message: string): void;
}

interface PendingOffer {
  swarmKey: string;
  connection: RTCPeerConnection;
  channel: RTCDataChannel;
  timer: ReturnType<typeof setTimeout>;
}

interface JoinedSwarm {
  swarmKey: string;
  infoHash: string;
  timer: ReturnType<typeof setTimeout> | undefined;
  intervalMs: number;
}

/** Server announce interval assumed until a tracker names its own. */
const DEFAULT_INTERVAL_MS = 120_000;

/**
 * Meets peers through WebTorrent trackers: announces each joined swarm with ready-made WebRTC
 * offers (non-trickle ICE), answers offers relayed to us, and hands open data channels to the engine.
 */
export class PeerConnector {
  private readonly trackers: TrackerClient[];
  private readonly swarms = new Map<string, JoinedSwarm>();
  private readonly byInfoHash = new Map<string, JoinedSwarm>();
  private readonly pendingOffers = new Map<string, PendingOffer>();
  /** Connections being set up, with their data channel once known (both must be closed). */
  private readonly connecting = new Map<RTCPeerConnection, RTCDataChannel | undefined>();
  private readonly lastRefillMs = new Map<string, number>();
  private destroyed = false;

  constructor(private readonly options: PeerConnectorOptions) {
    this.trackers = options.trackerUrls.map((url) => {
      const tracker = new TrackerClient(withRegion(url, options.region), options.WebSocket, options.log);
      options.onTrackerState(url, "connecting");
      tracker.on("connected", () => {
        options.onTrackerState(url, "connected");
        for (const swarm of this.swarms.values()) void this.announce(swarm, tracker, "started");
      });
      tracker.on("disconnected", ({ error }) => options.onTrackerState(url, "disconnected", error));
      tracker.on("warning", ({ message }) => options.onWarning(`tracker ${url}: ${message}`));
      tracker.on("message", (message) => this.onTrackerMessage(tracker, message));
      return tracker;
    });
  }

  join(swarmKey: string): void {
    if (this.destroyed || this.swarms.has(swarmKey)) return;
    const swarm: JoinedSwarm = {
      swarmKey,
      infoHash: infoHashOf(swarmKey),
      timer: undefined,
      intervalMs: DEFAULT_INTERVAL_MS,
    };
    this.swarms.set(swarmKey, swarm);
    this.byInfoHash.set(swarm.infoHash, swarm);
    for (const tracker of this.trackers) void this.announce(swarm, tracker, "started");
    this.scheduleAnnounce(swarm);
  }

  leave(swarmKey: string): void {
    const swarm = this.swarms.get(swarmKey);
    if (!swarm) return;
    clearTimeout(swarm.timer);
    this.swarms.delete(swarmKey);
    this.byInfoHash.delete(swarm.infoHash);
    for (const [offerId, pending] of this.pendingOffers)
      if (pending.swarmKey === swarmKey) this.dropOffer(offerId);
    for (const tracker of this.trackers) {
      tracker.announce({
        infoHash: swarm.infoHash,
        peerId: this.options.peerId,
        numwant: 0,
        event: "stopped",
      });
    }
  }

  /** Announce now if the swarm wants peers (e.g. one just left). */
  refill(swarmKey: string): void {
    const swarm = this.swarms.get(swarmKey);
    if (swarm && this.options.wantedPeers(swarmKey) > 0)
      for (const tracker of this.trackers) void this.announce(swarm, tracker);
  }

  /**
   * A connection attempt failed (some fail at random in WebRTC stacks): announce again soon rather
   * than at the next interval, at most once per RETRY_AFTER_FAILURE_MS per swarm.
   */
  private retrySoon(swarmKey: string): void {
    if (this.destroyed) return;
    const last = this.lastRefillMs.get(swarmKey) ?? 0;
    if (Date.now() - last < RETRY_AFTER_FAILURE_MS) return;
    this.lastRefillMs.set(swarmKey, Date.now());
    setTimeout(() => this.refill(swarmKey), RETRY_AFTER_FAILURE_MS * (0.5 + Math.random()));
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const swarmKey of [...this.swarms.keys()]) this.leave(swarmKey);
    this.destroyed = true;
    for (const offerId of [...this.pendingOffers.keys()]) this.dropOffer(offerId);
    for (const [connection, channel] of this.connecting) closeQuietly(connection, channel);
    this.connecting.clear();
    for (const tracker of this.trackers) tracker.destroy();
  }

  private scheduleAnnounce(swarm: JoinedSwarm): void {
    clearTimeout(swarm.timer);
    const underfull = this.options.wantedPeers(swarm.swarmKey) > 0;
    const delay = underfull ? Math.min(UNDERFULL_ANNOUNCE_INTERVAL_MS, swarm.intervalMs) : swarm.intervalMs;
    swarm.timer = setTimeout(
      () => {
        if (this.destroyed || !this.swarms.has(swarm.swarmKey)) return;
        for (const tracker of this.trackers) void this.announce(swarm, tracker);
        this.scheduleAnnounce(swarm);
      },
      delay * (0.9 + Math.random() * 0.2),
    );
  }

  private async announce(swarm: JoinedSwarm, tracker: TrackerClient, event?: "started"): Promise<void> {
    if (!tracker.isOpen) return;
    if (event === "started") {
      // Join at once, before the offers are ready (ICE gathering takes a while): the response
      // tells the scheduler whether peers are on their way, while the first segments are due.
      tracker.announce({
        infoHash: swarm.infoHash,
        peerId: this.options.peerId,
        numwant: 0,
        event,
        region: this.options.region,
        swarmKey: swarm.swarmKey,
      });
      event = undefined;
    }
    const pending = [...this.pendingOffers.values()].filter((p) => p.swarmKey === swarm.swarmKey).length;
    const count = Math.max(
      0,
      Math.min(this.options.offersWanted(swarm.swarmKey), MAX_OFFERS_PER_ANNOUNCE) - pending,
    );
    const offers = (
      await Promise.all(Array.from({ length: count }, () => this.createOffer(swarm.swarmKey)))
    ).filter((o): o is NonNullable<typeof o> => o !== undefined);
    if (this.destroyed || !this.swarms.has(swarm.swarmKey)) return;
    tracker.announce({
      infoHash: swarm.infoHash,
      peerId: this.options.peerId,
      numwant: offers.length,
      event,
      offers,
      region: this.options.region,
      swarmKey: swarm.swarmKey,
    });
  }

  private async createOffer(
    swarmKey: string,
  ): Promise<{ offer_id: string; offer: SessionDescription } | undefined> {
    const rtcConfiguration = await this.options.rtcConfiguration();
    if (this.destroyed) return undefined;
    const connection = new this.options.RTCPeerConnection(rtcConfiguration);
    let channel: RTCDataChannel | undefined;
    try {
      channel = connection.createDataChannel("nearcast", { ordered: true });
      await connection.setLocalDescription(await connection.createOffer());
      await iceGathered(connection);
      const sdp = connection.localDescription?.sdp;
      if (!sdp || this.destroyed) throw new Error("no local description");
      const offerId = createOfferId();
      const timer = setTimeout(() => this.dropOffer(offerId), OFFER_TIMEOUT_MS);
      this.pendingOffers.set(offerId, { swarmKey, connection, channel, timer });
      return { offer_id: offerId, offer: { type: "offer", sdp } };
    } catch (error) {
      closeQuietly(connection, channel);
      this.options.log("offer failed: %o", error);
      return undefined;
    }
  }

  private dropOffer(offerId: string): void {
    const pending = this.pendingOffers.get(offerId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingOffers.delete(offerId);
    // A data channel that never opened keeps node-datachannel's event loop alive: close it too.
    closeQuietly(pending.connection, pending.channel);
  }

  private onTrackerMessage(
    tracker: TrackerClient,
    message: Exclude<TrackerMessage, { kind: "ignored" }>,
  ): void {
    if (this.destroyed) return;
    const swarm = message.infoHash ? this.byInfoHash.get(message.infoHash) : undefined;
    switch (message.kind) {
      case "announce-response":
        if (!swarm) return;
        if (message.intervalSec) swarm.intervalMs = message.intervalSec * 1000;
        // Trackers count the announcing peer itself among complete + incomplete.
        this.options.onSwarmReport(
          swarm.swarmKey,
          message.complete !== undefined || message.incomplete !== undefined
            ? Math.max(0, (message.complete ?? 0) + (message.incomplete ?? 0) - 1)
            : undefined,
        );
        return;
      case "failure":
      case "warning":
        return this.options.onWarning(
          `tracker ${tracker.url}: ${message.kind === "failure" ? message.reason : message.message}`,
        );
      case "answer": {
        const pending = this.pendingOffers.get(message.offerId);
        if (
          !pending ||
          !swarm ||
          pending.swarmKey !== swarm.swarmKey ||
          message.peerId === this.options.peerId
        )
          return;
        clearTimeout(pending.timer);
        this.pendingOffers.delete(message.offerId);
        if (this.options.isBanned(message.peerId)) {
          // A banned peer answering our offer: never open the connection (this offer is spent).
          return closeQuietly(pending.connection, pending.channel);
        }
        void this.complete(
          pending.swarmKey,
          message.peerId,
          pending.connection,
          pending.channel,
          message.answer,
          true,
        );
        return;
      }
      case "offer":
        if (!swarm || message.peerId === this.options.peerId || this.options.isBanned(message.peerId)) return;
        if (this.options.wantedPeers(swarm.swarmKey) <= this.connecting.size) return;
        // Already connected: a second connection would only be set up to be closed as a duplicate.
        if (this.options.isConnected(swarm.swarmKey, message.peerId)) return;
        void this.answer(tracker, swarm, message.peerId, message.offerId, message.offer);
        return;
    }
  }

  private async answer(
    tracker: TrackerClient,
    swarm: JoinedSwarm,
    remotePeerId: string,
    offerId: string,
    offer: SessionDescription,
  ): Promise<void> {
    const rtcConfiguration = await this.options.rtcConfiguration();
    if (this.destroyed) return;
    const connection = new this.options.RTCPeerConnection(rtcConfiguration);
    this.connecting.set(connection, undefined);
    let channel: RTCDataChannel | undefined;
    const channelPromise = new Promise<RTCDataChannel>((resolve) => {
      connection.ondatachannel = (event) => {
        channel = event.channel;
        if (this.connecting.has(connection)) this.connecting.set(connection, channel);
        resolve(event.channel);
      };
    });
    try {
      await connection.setRemoteDescription(offer);
      await connection.setLocalDescription(await connection.createAnswer());
      await iceGathered(connection);
      const sdp = connection.localDescription?.sdp;
      if (!sdp || this.destroyed) throw new Error("no local description");
      tracker.answer(swarm.infoHash, this.options.peerId, remotePeerId, offerId, { type: "answer", sdp });
      const opened = await withTimeout(channelPromise, CONNECT_TIMEOUT_MS);
      await this.complete(swarm.swarmKey, remotePeerId, connection, opened, undefined, false);
    } catch (error) {
      this.options.log("answering %s failed: %o", remotePeerId, error);
      closeQuietly(connection, channel);
      this.retrySoon(swarm.swarmKey);
    } finally {
      this.connecting.delete(connection);
    }
  }

  private async complete(
    swarmKey: string,
    remotePeerId: string,
    connection: RTCPeerConnection,
    channel: RTCDataChannel,
    answer: SessionDescription | undefined,
    initiator: boolean,
  ): Promise<void> {
    this.connecting.set(connection, channel);
    try {
      if (answer) await connection.setRemoteDescription(answer);
      await withTimeout(channelOpen(channel), CONNECT_TIMEOUT_MS);
      if (this.destroyed || !this.swarms.has(swarmKey)) throw new Error("no longer wanted");
      this.options.onPeer(swarmKey, remotePeerId, channel, connection, initiator);
    } catch (error) {
      this.options.log("connecting to %s failed: %o", remotePeerId, error);
      closeQuietly(connection, channel);
      this.retrySoon(swarmKey);
    } finally {
      this.connecting.delete(connection);
    }
  }
}

function withRegion(url: string, region: string | undefined): string {
  if (!region) return url;
  return `${url}${url.includes("?") ? "&" : "?"}region=${encodeURIComponent(region)}`;
}
