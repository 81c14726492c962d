import { TypedEmitter } from "../core/event-emitter.js";
import type { Logger } from "../core/logger.js";
import {
  MAX_TRACKER_MESSAGE_BYTES,
  RECONNECT_JITTER,
  RECONNECT_MAX_MS,
  RECONNECT_MIN_MS,
} from "./constants.js";
import { parseTrackerMessage, type SessionDescription, type TrackerMessage } from "./tracker-messages.js";

export interface TrackerClientEvents {
  connected: undefined;
  disconnected: { error?: string };
  /** The tracker refused this viewer (see {@link isRefusalCloseCode}); no reconnect follows. */
  refused: { reason: string };
  message: Exclude<TrackerMessage, { kind: "ignored" }>;
  warning: { message: string };
}

export interface AnnounceParams {
  infoHash: string;
  peerId: string;
  numwant: number;
  event?: "started" | "stopped" | "completed";
  offers?: { offer_id: string; offer: SessionDescription }[];
  region?: string;
  /**
   * The swarm key the info-hash was made from, sent as the Nearcast `swarm_key` field only to a
   * tracker whose URL carries a join `token` (a stream-scoped token is checked against it).
   */
  swarmKey?: string;
}

/**
 * Whether a close code says "refused until the page's configuration changes": 4400–4499, the HTTP
 * 4xx status plus 4000 (RFC 6455 §7.4.2 leaves 4000–4999 to applications). A Nearcast tracker closes
 * so when a join token is missing, invalid or expired (4401) or the page's origin is not allowed
 * (4403), with the reason's key as the close reason (demo-server/src/tracker/refusal.ts). A browser
 * cannot read the HTTP status of a refused upgrade, hence the close code.
 */
export function isRefusalCloseCode(code: number): boolean {
  return code >= 4400 && code <= 4499;
}

/** The longest refusal reason kept from a close frame (they are at most 123 bytes anyway). */
const MAX_REASON_CHARS = 120;

/**
 * One WebSocket to one WebTorrent tracker. Reconnects with jittered exponential backoff, except after
 * a refusal ({@link isRefusalCloseCode}): retrying with the same URL would be refused again, so it
 * stops. Every inbound frame is validated and a bad one is dropped with a warning, never thrown.
 */
export class TrackerClient extends TypedEmitter<TrackerClientEvents> {
  private socket: WebSocket | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private destroyed = false;
  /** Only a tracker that asked for a join token learns which stream a swarm belongs to. */
  private readonly sendsSwarmKey: boolean;

  constructor(
    readonly url: string,
    private readonly WebSocketImpl: typeof WebSocket,
    private readonly log: Logger,
  ) {
    super((error) => log("tracker listener threw: %o", error));
    this.sendsSwarmKey = hasTokenParam(url);
    this.connect();
  }

  get isOpen(): boolean {
    return this.socket?.readyState === 1;
  }

  announce(params: AnnounceParams): void {
    this.send({
      action: "announce",
      info_hash: params.infoHash,
      peer_id: params.peerId,
      numwant: params.numwant,
      uploaded: 0,
      downloaded: 0,
      ...(params.event ? { event: params.event } : {}),
      ...(params.offers ? { offers: params.offers } : {}),
      ...(params.region ? { region: params.region } : {}),
      ...(params.swarmKey && this.sendsSwarmKey ? { swarm_key: params.swarmKey } : {}),
    });
  }

  answer(
    infoHash: string,
    peerId: string,
    toPeerId: string,
    offerId: string,
    answer: SessionDescription,
  ): void {
    this.send({
      action: "announce",
      info_hash: infoHash,
      peer_id: peerId,
      to_peer_id: toPeerId,
      offer_id: offerId,
      answer,
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.reconnectTimer);
    this.removeAllListeners();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      // Node's `ws` emits an error when a connecting socket is closed: keep a listener.
      socket.onerror = () => {};
      try {
        socket.close();
      } catch {
        // closing a socket that never opened can throw in some implementations
      }
    }
  }

  private send(message: object): void {
    if (!this.isOpen) return;
    try {
      this.socket!.send(JSON.stringify(message));
    } catch (error) {
      this.log("send to %s failed: %o", this.url, error);
    }
  }

  private connect(): void {
    if (this.destroyed) return;
    let socket: WebSocket;
    try {
      socket = new this.WebSocketImpl(this.url);
    } catch (error) {
      this.emit("warning", { message: `cannot open tracker ${this.url}: ${(error as Error).message}` });
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.onopen = () => {
      this.failures = 0;
      this.emit("connected", undefined);
    };
    socket.onmessage = (event: MessageEvent) => this.receive(event.data);
    socket.onerror = () => {};
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (isRefusalCloseCode(event.code)) {
        const reason = String(event.reason ?? "").slice(0, MAX_REASON_CHARS) || `code ${event.code}`;
        return this.emit("refused", { reason });
      }
      // 1006 = no close frame: the tracker is unreachable, or refused the upgrade with a plain HTTP
      // error (which a browser does not show: a server that is down looks the same).
      this.emit("disconnected", {
        error:
          event.reason || (event.code === 1006 ? "unreachable or refused (code 1006)" : `code ${event.code}`),
      });
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.destroyed) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.failures++);
    const delay = base * (1 - RECONNECT_JITTER + Math.random() * 2 * RECONNECT_JITTER);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return this.emit("warning", { message: "tracker sent a binary frame" });
    if (data.length > MAX_TRACKER_MESSAGE_BYTES)
      return this.emit("warning", { message: "tracker message too large" });
    let message: TrackerMessage;
    try {
      message = parseTrackerMessage(data);
    } catch (error) {
      return this.emit("warning", { message: (error as Error).message });
    }
    if (message.kind !== "ignored") this.emit("message", message);
  }
}

function hasTokenParam(url: string): boolean {
  try {
    return new URL(url).searchParams.has("token");
  } catch {
    return false;
  }
}
