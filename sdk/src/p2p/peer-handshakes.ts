// The WebRTC side of meeting peers, for the connector (sdk/src/p2p/peer-connector.ts): our offers
// waiting for an answer, answers to offers relayed to us, and connections until their channel opens.
import type { Logger } from "../core/logger.js";
import type { PeerRemote } from "./peer.js";
import { CONNECT_TIMEOUT_MS, OFFER_TIMEOUT_MS } from "./constants.js";
import { createOfferId } from "./ids.js";
import { channelOpen, closeQuietly, iceGathered, withTimeout } from "./rtc-helpers.js";
import type { SessionDescription } from "./tracker-messages.js";

/** What the handshakes need from their connector. */
export interface HandshakeDeps {
  RTCPeerConnection: typeof RTCPeerConnection;
  /** The configuration for a connection made now (it may be fetched: see IceConfigSource). */
  rtcConfiguration(): Promise<RTCConfiguration>;
  log: Logger;
  /** Peers banned for breaking a rule (by id or tracker fingerprint): their answers are ignored. */
  isBanned(remote: PeerRemote): boolean;
  /** The swarm is still joined: a channel that opens now is wanted. */
  isJoined(swarmKey: string): boolean;
  /** A connection attempt failed. */
  onFailure(swarmKey: string): void;
  onPeer: PeerHandler;
}

/** A data channel to `remote` in a swarm is open; `initiator`: we made the offer. */
export type PeerHandler = (
  swarmKey: string,
  remote: PeerRemote,
  channel: RTCDataChannel,
  connection: RTCPeerConnection,
  initiator: boolean,
) => void;

interface PendingOffer {
  swarmKey: string;
  connection: RTCPeerConnection;
  channel: RTCDataChannel;
  timer: ReturnType<typeof setTimeout>;
  /** When the offer was ready to announce (`Date.now()`). */
  madeAtMs: number;
}

/**
 * Offers and answers with non-trickle ICE (a description is sent once its candidates are gathered),
 * and the connections they set up until a data channel opens and goes to `onPeer`.
 */
export class PeerHandshakes {
  private readonly pendingOffers = new Map<string, PendingOffer>();
  /** Connections being set up, with their data channel once known (both must be closed). */
  private readonly connecting = new Map<RTCPeerConnection, RTCDataChannel | undefined>();
  private destroyed = false;

  constructor(private readonly deps: HandshakeDeps) {}

  /** Connections being set up (answers to relayed offers, and answered offers until they open). */
  get connectingCount(): number {
    return this.connecting.size;
  }

  /** Our offers for a swarm still waiting for an answer, made at or after `madeSinceMs` (`Date.now()`). */
  pendingOffersFor(swarmKey: string, madeSinceMs = 0): number {
    return [...this.pendingOffers.values()].filter(
      (p) => p.swarmKey === swarmKey && p.madeAtMs >= madeSinceMs,
    ).length;
  }

  async createOffer(swarmKey: string): Promise<{ offer_id: string; offer: SessionDescription } | undefined> {
    const rtcConfiguration = await this.deps.rtcConfiguration();
    if (this.destroyed) return undefined;
    const connection = new this.deps.RTCPeerConnection(rtcConfiguration);
    let channel: RTCDataChannel | undefined;
    try {
      channel = connection.createDataChannel("nearcast", { ordered: true });
      await withTimeout(
        (async () => {
          await connection.setLocalDescription(await connection.createOffer());
          await iceGathered(connection);
        })(),
        CONNECT_TIMEOUT_MS,
      );
      const sdp = connection.localDescription?.sdp;
      if (!sdp || this.destroyed) throw new Error("no local description");
      const offerId = createOfferId();
      const timer = setTimeout(() => this.dropOffer(offerId), OFFER_TIMEOUT_MS);
      this.pendingOffers.set(offerId, { swarmKey, connection, channel, timer, madeAtMs: Date.now() });
      return { offer_id: offerId, offer: { type: "offer", sdp } };
    } catch (error) {
      closeQuietly(connection, channel);
      this.deps.log("offer failed: %o", error);
      return undefined;
    }
  }

  /** Drop every offer of a swarm we left. */
  dropOffersFor(swarmKey: string): void {
    for (const [offerId, pending] of this.pendingOffers)
      if (pending.swarmKey === swarmKey) this.dropOffer(offerId);
  }

  /** An answer to one of our offers for `swarmKey`: connect, unless the offer is gone. */
  takeAnswer(offerId: string, swarmKey: string, remote: PeerRemote, answer: SessionDescription): void {
    const pending = this.pendingOffers.get(offerId);
    if (!pending || pending.swarmKey !== swarmKey) return;
    clearTimeout(pending.timer);
    this.pendingOffers.delete(offerId);
    if (this.deps.isBanned(remote)) {
      // A banned peer answering our offer: never open the connection (this offer is spent).
      this.deps.log(
        "refused an answer from banned peer %s (%s)",
        remote.id,
        remote.fingerprint ?? "no fingerprint",
      );
      return closeQuietly(pending.connection, pending.channel);
    }
    void this.complete(pending.swarmKey, remote, pending.connection, pending.channel, answer, true);
  }

  /** Answer an offer relayed to us; `sendAnswer` hands our description back to the tracker. */
  async answer(
    swarmKey: string,
    remote: PeerRemote,
    offer: SessionDescription,
    sendAnswer: (answer: SessionDescription) => void,
  ): Promise<void> {
    const rtcConfiguration = await this.deps.rtcConfiguration();
    if (this.destroyed) return;
    const connection = new this.deps.RTCPeerConnection(rtcConfiguration);
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
      // Every step under the connect deadline: a WebRTC stack can leave a call unsettled (seen with
      // node-datachannel on a loaded machine), and an attempt that hangs must still fail and be retried.
      await withTimeout(
        (async () => {
          await connection.setRemoteDescription(offer);
          await connection.setLocalDescription(await connection.createAnswer());
          await iceGathered(connection);
        })(),
        CONNECT_TIMEOUT_MS,
      );
      const sdp = connection.localDescription?.sdp;
      if (!sdp || this.destroyed) throw new Error("no local description");
      sendAnswer({ type: "answer", sdp });
      const opened = await withTimeout(channelPromise, CONNECT_TIMEOUT_MS);
      await this.complete(swarmKey, remote, connection, opened, undefined, false);
    } catch (error) {
      this.giveUp(swarmKey, connection, channel, `answering ${remote.id}`, error);
    } finally {
      this.connecting.delete(connection);
    }
  }

  /** Close every offer and connection being set up; later ones are not made. Idempotent. */
  destroy(): void {
    this.destroyed = true;
    for (const offerId of [...this.pendingOffers.keys()]) this.dropOffer(offerId);
    for (const [connection, channel] of this.connecting) closeQuietly(connection, channel);
    this.connecting.clear();
  }

  private dropOffer(offerId: string): void {
    const pending = this.pendingOffers.get(offerId);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingOffers.delete(offerId);
    // A data channel that never opened keeps node-datachannel's event loop alive: close it too.
    closeQuietly(pending.connection, pending.channel);
  }

  private async complete(
    swarmKey: string,
    remote: PeerRemote,
    connection: RTCPeerConnection,
    channel: RTCDataChannel,
    answer: SessionDescription | undefined,
    initiator: boolean,
  ): Promise<void> {
    this.connecting.set(connection, channel);
    try {
      // Applying the answer is under the deadline too: a call that never settles would otherwise
      // wedge this attempt for good, with no failure and so no retry.
      await withTimeout(
        (async () => {
          if (answer) await connection.setRemoteDescription(answer);
          await channelOpen(channel);
        })(),
        CONNECT_TIMEOUT_MS,
      );
      if (this.destroyed || !this.deps.isJoined(swarmKey)) throw new Error("no longer wanted");
      this.deps.onPeer(swarmKey, remote, channel, connection, initiator);
    } catch (error) {
      this.giveUp(swarmKey, connection, channel, `connecting to ${remote.id}`, error);
    } finally {
      this.connecting.delete(connection);
    }
  }

  /** A connection that will not come up: log why, close it, tell the connector. */
  private giveUp(
    swarmKey: string,
    connection: RTCPeerConnection,
    channel: RTCDataChannel | undefined,
    what: string,
    error: unknown,
  ): void {
    this.deps.log("%s failed: %o", what, error);
    closeQuietly(connection, channel);
    this.deps.onFailure(swarmKey);
  }
}
