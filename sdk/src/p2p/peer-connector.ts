import type { Logger } from "../core/logger.js";
import {
  announceDelayMs,
  answersOffer,
  deferredRetryDelayMs,
  offersToMake,
  pendingOffersSinceMs,
  retryDelayMs,
} from "./connect-rules.js";
import { infoHashOf } from "./ids.js";
import type { PeerRemote } from "./peer.js";
import { PeerHandshakes, type PeerHandler } from "./peer-handshakes.js";
import { isSwarmRefusal, SwarmRefusals } from "./swarm-refusals.js";
import { TrackerClient } from "./tracker-client.js";
import type { TrackerMessage, TrackerSession } from "./tracker-messages.js";
import type { TrackerState } from "../core/events.js";

export interface PeerConnectorOptions {
  peerId: string;
  trackerUrls: readonly string[];
  WebSocket: typeof WebSocket;
  RTCPeerConnection: typeof RTCPeerConnection;
  /** The configuration for a connection made now (it may be fetched: see IceConfigSource). */
  rtcConfiguration(): Promise<RTCConfiguration>;
  region: string | undefined;
  log: Logger;
  /** How many more peers this swarm wants now (0 = full: no offers of ours). */
  wantedPeers(swarmKey: string): number;
  /**
   * How many more connections this swarm accepts by answering offers (0: incoming offers are
   * ignored): `wantedPeers`, plus a large swarm's headroom (`Swarm.answerRoom`). Default: `wantedPeers`.
   */
  answerRoom?(swarmKey: string): number;
  /** How many offers an announce should carry now (see `Swarm.offersWanted`). */
  offersWanted(swarmKey: string): number;
  /** How many offers a retry after a failed attempt should carry (see `Swarm.retryOffersWanted`). */
  retryOffersWanted(swarmKey: string): number;
  /** We hold an open connection to this peer in this swarm. */
  isConnected(swarmKey: string, peerId: string): boolean;
  onPeer: PeerHandler;
  /** The tracker's count of other viewers in a swarm (from its announce response). */
  onSwarmReport(swarmKey: string, others: number | undefined): void;
  /** A tracker sent this viewer a session (Nearcast trackers do, in announce replies). */
  onSession?(trackerUrl: string, session: TrackerSession): void;
  /** Peers banned for breaking a rule (by id or tracker fingerprint): their offers and answers are ignored. */
  isBanned(remote: PeerRemote): boolean;
  /**
   * `error`: why a tracker disconnected; `reason`: the tracker's reason for refusing this viewer, or
   * (with `swarmKey`) one swarm's announce.
   */
  onTrackerState(
    url: string,
    state: TrackerState,
    detail?: { error?: string; reason?: string; swarmKey?: string },
  ): void;
  onWarning(message: string): void;
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
  private readonly handshakes: PeerHandshakes;
  /** When the last retry after a failure fires (or fired), per swarm. */
  private readonly lastRefillMs = new Map<string, number>();
  /** The retry after a failure that is on its way, per swarm (one at a time: its offers are fresh). */
  private readonly retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Swarms a tracker refused in an announce reply: not announced there again for a while. */
  private readonly refusals = new SwarmRefusals();
  /** Each tracker's URL as configured (its client's URL may carry `region`). */
  private readonly configuredUrl = new Map<TrackerClient, string>();
  private destroyed = false;

  constructor(private readonly options: PeerConnectorOptions) {
    this.handshakes = new PeerHandshakes({
      RTCPeerConnection: options.RTCPeerConnection,
      rtcConfiguration: () => options.rtcConfiguration(),
      log: options.log,
      isBanned: (remote) => options.isBanned(remote),
      isJoined: (swarmKey) => this.swarms.has(swarmKey),
      onFailure: (swarmKey) => this.retrySoon(swarmKey),
      onPeer: (...args) => options.onPeer(...args),
    });
    this.trackers = options.trackerUrls.map((url) => {
      const tracker = new TrackerClient(withRegion(url, options.region), options.WebSocket, options.log);
      this.configuredUrl.set(tracker, url);
      options.onTrackerState(url, "connecting");
      tracker.on("connected", () => {
        options.onTrackerState(url, "connected");
        for (const swarm of this.swarms.values()) void this.announce(swarm, tracker, "started");
      });
      tracker.on("disconnected", ({ error }) =>
        options.onTrackerState(url, "disconnected", error === undefined ? {} : { error }),
      );
      tracker.on("refused", ({ reason }) => options.onTrackerState(url, "refused", { reason }));
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
    clearTimeout(this.retryTimers.get(swarmKey));
    this.retryTimers.delete(swarmKey);
    this.swarms.delete(swarmKey);
    this.byInfoHash.delete(swarm.infoHash);
    this.handshakes.dropOffersFor(swarmKey);
    for (const tracker of this.trackers) {
      tracker.announce({
        infoHash: swarm.infoHash,
        peerId: this.options.peerId,
        numwant: 0,
        event: "stopped",
      });
    }
  }

  /**
   * Announce now if the swarm wants peers (e.g. one just left), with fresh offers: offers still
   * pending that were made before `offersSinceMs` (`Date.now()`, default now) do not hold back new
   * ones. A tracker delivers one offer per other viewer, so in a swarm smaller than our last batch
   * the rest of the batch was never delivered; counted as pending, it would hold back every new offer
   * until OFFER_TIMEOUT_MS — no new connection for up to 50 s after a peer left.
   */
  refill(swarmKey: string, offersSinceMs = Date.now(), retry = false): void {
    const swarm = this.swarms.get(swarmKey);
    if (swarm && this.options.wantedPeers(swarmKey) > 0)
      for (const tracker of this.trackers)
        void this.announce(swarm, tracker, undefined, offersSinceMs, retry);
  }

  /**
   * A connection attempt failed (some fail at random in WebRTC stacks): announce again soon rather
   * than at the next interval, at most once per RETRY_AFTER_FAILURE_MS per swarm — a failure inside
   * that window is retried when it closes, never dropped — with fresh offers even while offers made
   * before the failure are pending (see {@link refill}), one for every viewer the tracker counted
   * (connect-rules.ts, `retryOffersWanted`): the peer we failed with must be able to get one.
   */
  private retrySoon(swarmKey: string): void {
    if (this.destroyed || this.retryTimers.has(swarmKey)) return;
    const now = Date.now();
    const last = this.lastRefillMs.get(swarmKey) ?? -Infinity;
    const delayMs = retryDelayMs(last, now, Math.random) ?? deferredRetryDelayMs(last, now, Math.random);
    this.lastRefillMs.set(swarmKey, now + delayMs);
    this.options.log(
      "%s: a connection attempt failed, offering again in %d ms",
      swarmKey,
      Math.round(delayMs),
    );
    this.retryTimers.set(
      swarmKey,
      setTimeout(() => {
        this.retryTimers.delete(swarmKey);
        this.refill(swarmKey, Date.now(), true);
      }, delayMs),
    );
  }

  destroy(): void {
    if (this.destroyed) return;
    for (const swarmKey of [...this.swarms.keys()]) this.leave(swarmKey);
    this.destroyed = true;
    this.handshakes.destroy();
    for (const tracker of this.trackers) tracker.destroy();
  }

  private scheduleAnnounce(swarm: JoinedSwarm): void {
    clearTimeout(swarm.timer);
    const underfull = this.options.wantedPeers(swarm.swarmKey) > 0;
    swarm.timer = setTimeout(
      () => {
        if (this.destroyed || !this.swarms.has(swarm.swarmKey)) return;
        for (const tracker of this.trackers) void this.announce(swarm, tracker);
        this.scheduleAnnounce(swarm);
      },
      announceDelayMs(underfull, swarm.intervalMs, Math.random()),
    );
  }

  private async announce(
    swarm: JoinedSwarm,
    tracker: TrackerClient,
    event?: "started",
    offersSinceMs = 0,
    retry = false,
  ): Promise<void> {
    if (!tracker.isOpen || this.refusals.blocks(tracker.url, swarm.swarmKey, Date.now())) return;
    const joining = event === "started";
    if (joining) {
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
    const pending = this.handshakes.pendingOffersFor(
      swarm.swarmKey,
      Math.max(offersSinceMs, pendingOffersSinceMs(Date.now())),
    );
    const wanted = retry
      ? this.options.retryOffersWanted(swarm.swarmKey)
      : this.options.offersWanted(swarm.swarmKey);
    const count = offersToMake(wanted, pending);
    if (count > 0)
      this.options.log(
        "%s: %d offers%s (%d pending)",
        swarm.swarmKey,
        count,
        retry ? " (retry)" : "",
        pending,
      );
    const offers = (
      await Promise.all(Array.from({ length: count }, () => this.handshakes.createOffer(swarm.swarmKey)))
    ).filter((o): o is NonNullable<typeof o> => o !== undefined);
    if (this.destroyed || !this.swarms.has(swarm.swarmKey)) return;
    // Refused while the offers were being made (the `started` announce's reply): not again. Nor a
    // second announce without offers right after the `started` one: it would only repeat it.
    if (this.refusals.blocks(tracker.url, swarm.swarmKey, Date.now())) return;
    if (joining && offers.length === 0) return;
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

  /**
   * A tracker refused to let us into a swarm: say so as a state (`refused`, with the reason and the
   * swarm), leave the swarm alone on that tracker for a while (SwarmRefusals), and when every tracker
   * refuses it, tell the swarm no peers are coming (its loads go to HTTP without waiting for any).
   */
  private swarmRefused(
    tracker: TrackerClient,
    swarm: JoinedSwarm,
    failure: { reason: string; reasonKey?: string },
  ): void {
    const now = Date.now();
    // The reply to a second announce sent before the first refusal arrived: already known.
    if (this.refusals.blocks(tracker.url, swarm.swarmKey, now)) return;
    const retryMs = this.refusals.refused(tracker.url, swarm.swarmKey, now);
    const reason = failure.reasonKey ?? failure.reason;
    this.options.log(
      "tracker %s refused swarm %s (%s): again in %d s",
      tracker.url,
      swarm.swarmKey,
      reason,
      retryMs / 1000,
    );
    if (this.trackers.every((t) => this.refusals.blocks(t.url, swarm.swarmKey, now)))
      this.options.onSwarmReport(swarm.swarmKey, 0);
    this.options.onTrackerState(this.configuredUrl.get(tracker) ?? tracker.url, "refused", {
      reason,
      swarmKey: swarm.swarmKey,
    });
  }

  private onTrackerMessage(
    tracker: TrackerClient,
    message: Exclude<TrackerMessage, { kind: "ignored" }>,
  ): void {
    if (this.destroyed) return;
    const swarm = message.infoHash ? this.byInfoHash.get(message.infoHash) : undefined;
    switch (message.kind) {
      case "announce-response":
        if (message.session) this.options.onSession?.(tracker.url, message.session);
        if (!swarm) return;
        this.refusals.accepted(tracker.url, swarm.swarmKey);
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
        if (swarm && isSwarmRefusal(message.reasonKey)) return this.swarmRefused(tracker, swarm, message);
        return this.options.onWarning(`tracker ${tracker.url}: ${message.reason}`);
      case "warning":
        return this.options.onWarning(`tracker ${tracker.url}: ${message.message}`);
      case "answer":
        if (!swarm || message.peerId === this.options.peerId) return;
        return this.handshakes.takeAnswer(message.offerId, swarm.swarmKey, remoteOf(message), message.answer);
      case "offer":
        if (!swarm || message.peerId === this.options.peerId) return;
        if (this.options.isBanned(remoteOf(message))) {
          return this.options.log(
            "ignored an offer from banned peer %s (%s)",
            message.peerId,
            message.from ?? "-",
          );
        }
        if (!answersOffer(this.answerRoom(swarm.swarmKey), this.handshakes.connectingCount)) return;
        // Already connected: a second connection would only be set up to be closed as a duplicate.
        if (this.options.isConnected(swarm.swarmKey, message.peerId)) return;
        void this.handshakes.answer(swarm.swarmKey, remoteOf(message), message.offer, (answer) =>
          tracker.answer(swarm.infoHash, this.options.peerId, message.peerId, message.offerId, answer),
        );
        return;
    }
  }

  /** Connections this swarm still accepts by answering offers (the `answerRoom` option, else `wantedPeers`). */
  private answerRoom(swarmKey: string): number {
    return (this.options.answerRoom ?? this.options.wantedPeers)(swarmKey);
  }
}

/** The sender of a relayed offer or answer, with the tracker's fingerprint of it when there is one. */
function remoteOf(message: { peerId: string; from?: string }): PeerRemote {
  return message.from !== undefined
    ? { id: message.peerId, fingerprint: message.from }
    : { id: message.peerId };
}

function withRegion(url: string, region: string | undefined): string {
  if (!region) return url;
  return `${url}${url.includes("?") ? "&" : "?"}region=${encodeURIComponent(region)}`;
}
