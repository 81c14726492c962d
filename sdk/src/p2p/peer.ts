import type { Logger } from "../core/logger.js";
import type { PeerRejectionReason } from "../core/types.js";
import {
  MAX_PEER_AVAILABILITY_ENTRIES,
  SEND_HIGH_WATER_BYTES,
  SEND_LOW_WATER_BYTES,
  FETCHING_TTL_MS,
} from "./constants.js";
import { canServe } from "./can-serve.js";
import { PeerByteBudget } from "./peer-byte-budget.js";
import { PeerDownloads, type Download, type DownloadHandle } from "./peer-downloads.js";
import { rejectionFor } from "./peer-error.js";
import { decodeMessage, encodeMessage } from "./protocol.js";
import { PROTOCOL_VERSION } from "./protocol-constants.js";
import { PeerError, ProtocolError } from "../core/errors.js";
import type { PeerMessage, RequestMessage } from "./protocol-types.js";
import type { SegmentAvailability } from "../core/availability.js";

/** Who a peer is, as far as we can tell: the id it chose, and what the tracker knows of it. */
export interface PeerRemote {
  /** The peer_id it announced (its own choice: not an identity to ban by alone). */
  readonly id: string;
  /**
   * The tracker's opaque fingerprint of the peer's address (`nearcast_from` on the relayed offer or
   * answer), when the tracker sends one: a peer cannot change it by picking a new id.
   */
  readonly fingerprint?: string;
}

/** Why a peer was closed for breaking a rule. */
export interface PeerViolation {
  readonly reason: PeerRejectionReason;
  readonly detail: string;
}

export interface PeerHandlers {
  /** The peer asks us for bytes; the uploader answers. */
  onRequest(peer: Peer, request: RequestMessage): void;
  onCancel(peer: Peer, requestId: number): void;
  /** The peer's availability changed (for waiting loads). */
  onAvailability(peer: Peer): void;
  onClose(peer: Peer, reason: string): void;
}

/**
 * One remote viewer on one swarm: a data channel carrying protocol frames. Every inbound frame
 * is validated; anything malformed closes this peer and nothing else.
 */
export class Peer {
  /** What the peer holds: segment id → availability. */
  readonly availability = new Map<string, SegmentAvailability>();
  /** Segments the peer announced it is fetching, with when it said so. */
  readonly fetching = new Map<string, number>();
  /** The downloads we asked this peer for. */
  private readonly downloads: PeerDownloads;
  /** The peer has sent its availability map (it may be empty). */
  availabilityReceived = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  readonly connectedAtMs = Date.now();

  readonly id: string;
  /** See {@link PeerRemote.fingerprint}. */
  readonly fingerprint: string | undefined;

  /**
   * @param budget the viewer's caps on bytes from peers, shared by all its peers (one of its own
   *   when not given)
   */
  constructor(
    remote: PeerRemote,
    readonly swarmKey: string,
    /** True when we made the offer: used to break ties between duplicate connections. */
    readonly initiator: boolean,
    private readonly channel: RTCDataChannel,
    private readonly connection: RTCPeerConnection,
    private readonly handlers: PeerHandlers,
    private readonly log: Logger,
    budget = new PeerByteBudget(),
  ) {
    this.id = remote.id;
    this.fingerprint = remote.fingerprint;
    const loadKey = (segmentId: string) => `${swarmKey}\n${segmentId}`;
    this.downloads = new PeerDownloads({
      send: (message) => this.send(message),
      isClosed: () => this.closed,
      announced: (segmentId) => this.availability.get(segmentId),
      reserve: (segmentId, bytes) => budget.reserve(loadKey(segmentId), bytes),
      accepted: (segmentId, bytes) => budget.received(loadKey(segmentId), bytes),
      violated: (error) =>
        this.closeForViolation(rejectionFor(error.code) ?? "protocol-violation", error.message),
    });
    channel.binaryType = "arraybuffer";
    channel.bufferedAmountLowThreshold = SEND_LOW_WATER_BYTES;
    channel.onmessage = (event: MessageEvent) => this.receive(event.data);
    channel.onclose = () => this.close("channel closed");
    channel.onerror = () => this.close("channel error");
    channel.onbufferedamountlow = () => this.flushDrainWaiters();
    connection.onconnectionstatechange = () => {
      const state = connection.connectionState;
      if (state === "failed" || state === "closed") this.close(`connection ${state}`);
    };
  }

  /** Set when closed for breaking a rule: the network then bans this peer and counts the reason. */
  violation: PeerViolation | undefined;

  get isClosed(): boolean {
    return this.closed;
  }

  get pendingRequests(): number {
    return this.downloads.size;
  }

  /** Delivery throughput from this peer in bytes/s, weighted by transfer seconds. */
  get throughputBytesPerSec(): number {
    return this.downloads.throughputBytesPerSec;
  }

  /** The peer can give us this segment now or soon (it holds bytes of it or announced fetching). */
  canServe(segmentId: string, nowMs = Date.now()): "complete" | "fetching" | undefined {
    return canServe(this.availability.get(segmentId), this.fetching.get(segmentId), nowMs);
  }

  send(message: PeerMessage): void {
    this.sendFrame(encodeMessage(message));
  }

  sendFrame(frame: Uint8Array): void {
    if (this.closed || this.channel.readyState !== "open") return;
    try {
      this.channel.send(frame as Uint8Array<ArrayBuffer>);
    } catch (error) {
      this.close(`send failed: ${(error as Error).message}`);
    }
  }

  /** Bytes queued on the channel and not yet sent (0 once closed): what the uplink meter reads. */
  get bufferedBytes(): number {
    return this.closed ? 0 : this.channel.bufferedAmount;
  }

  /** True when the channel has room for another data frame without queuing megabytes. */
  get canSendData(): boolean {
    return !this.closed && this.channel.bufferedAmount < SEND_HIGH_WATER_BYTES;
  }

  /** Resolves when the channel has drained below the low-water mark (or the peer closed). */
  waitForDrain(): Promise<void> {
    if (this.canSendData || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Ask for the rest of a segment from `rangeStart`, exactly `expectedLength` bytes in all (undefined:
   * the size this peer announces): see {@link PeerDownloads.request}.
   */
  request(
    segmentId: string,
    rangeStart: number,
    expectedLength: number | undefined,
    onChunk: Download["onChunk"],
  ): DownloadHandle {
    return this.downloads.request(segmentId, rangeStart, expectedLength, onChunk);
  }

  /** Close because the peer broke a rule (the network then bans it and counts `reason`). */
  closeForViolation(reason: PeerRejectionReason, detail: string): void {
    if (this.closed) return;
    this.violation = { reason, detail };
    this.close(`${reason}: ${detail}`);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log("peer %s closed: %s", this.id, reason);
    this.downloads.closeAll(reason);
    this.flushDrainWaiters();
    this.channel.onmessage = null;
    this.channel.onclose = null;
    try {
      this.channel.close();
      this.connection.close();
    } catch {
      // already closed underneath us
    }
    this.handlers.onClose(this, reason);
  }

  private flushDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    if (!(data instanceof ArrayBuffer)) return this.close("non-binary frame");
    let message: PeerMessage;
    try {
      message = decodeMessage(new Uint8Array(data));
      this.handle(message);
    } catch (error) {
      if (error instanceof ProtocolError) return this.closeForViolation("protocol-violation", error.message);
      if (error instanceof PeerError)
        return this.closeForViolation(rejectionFor(error.code) ?? "protocol-violation", error.message);
      throw error;
    }
  }

  private handle(message: PeerMessage): void {
    switch (message.type) {
      case "hello":
        if (message.protocolVersion < PROTOCOL_VERSION) throw new PeerError("old protocol", "protocol");
        return;
      case "availability-full":
        this.availabilityReceived = true;
        this.availability.clear();
        this.addAvailability(message.segments);
        return this.handlers.onAvailability(this);
      case "availability-delta":
        for (const id of message.removed) this.availability.delete(id);
        this.addAvailability(message.added);
        return this.handlers.onAvailability(this);
      case "fetching":
        if (this.fetching.size >= MAX_PEER_AVAILABILITY_ENTRIES) this.pruneFetching();
        this.fetching.set(message.segmentId, now());
        return this.handlers.onAvailability(this);
      case "fetch-cancelled":
        this.fetching.delete(message.segmentId);
        return;
      case "request":
        return this.handlers.onRequest(this, message);
      case "cancel":
        return this.handlers.onCancel(this, message.requestId);
      case "absent": {
        const download = this.downloads.take(message.requestId);
        if (!download) return;
        this.availability.delete(download.segmentId);
        this.fetching.delete(download.segmentId);
        return download.reject(new PeerError(`peer does not have ${download.segmentId}`, "absent"));
      }
      case "data":
        return this.downloads.receive(
          message.requestId,
          message.offset,
          message.totalLength,
          message.payload,
        );
    }
  }

  private addAvailability(entries: readonly SegmentAvailability[]): void {
    for (const entry of entries) {
      if (
        this.availability.size >= MAX_PEER_AVAILABILITY_ENTRIES &&
        !this.availability.has(entry.segmentId)
      ) {
        throw new PeerError("availability map too large", "protocol");
      }
      this.availability.set(entry.segmentId, entry);
      this.fetching.delete(entry.segmentId);
    }
  }

  private pruneFetching(): void {
    const cutoff = now() - FETCHING_TTL_MS;
    for (const [id, since] of this.fetching) if (since < cutoff) this.fetching.delete(id);
    if (this.fetching.size >= MAX_PEER_AVAILABILITY_ENTRIES)
      throw new PeerError("too many fetching announcements", "protocol");
  }
}

function now(): number {
  return Date.now();
}
