// One accepted tracker WebSocket as the core sees it (a `ClientChannel`): its network, region and
// join grant, its keepalive state and message rate limiter, and sends that respect the buffer cap.
import { WebSocket } from "ws";
import type { RawData } from "ws";
import type { JoinGrant } from "../net/join-token.js";
import type { TrackerOptions } from "./options.js";
import { MessageRateLimiter } from "./rate-limit.js";
import type { ClientChannel } from "./client-channel.js";

/** Who is behind an accepted WebSocket, as established at the upgrade. */
export interface ConnectionIdentity {
  /** Network prefix of the client's address (see `networkPrefix`). */
  ipPrefix: string;
  /** `?region=` from the WebSocket URL, if valid. */
  region: string | undefined;
  /** What the join token allows; undefined when the tracker needs none. */
  grant: JoinGrant | undefined;
  /** Random id named by the sessions minted for this connection. */
  sessionId: string;
  /** `ServerKeys.addressFingerprint` of the client's address, relayed as `nearcast_from`. */
  addressFingerprint: string;
}

/** One accepted WebSocket. */
export class Connection implements ClientChannel {
  /** Cleared at each heartbeat, set by a pong or a message; still false at the next tick = dead. */
  alive = true;
  lastMessageMs: number;
  readonly limiter: MessageRateLimiter;
  readonly ipPrefix: string;
  readonly region: string | undefined;
  readonly grant: JoinGrant | undefined;
  readonly sessionId: string;
  readonly addressFingerprint: string;
  /** Bytes sent that the client has not yet shown it read (see `send`). */
  private unreadBytes = 0;
  /** `unreadBytes` when the outstanding read-check ping went out; undefined when none is out. */
  private unreadAtPing: number | undefined;

  constructor(
    readonly ws: WebSocket,
    identity: ConnectionIdentity,
    private readonly options: TrackerOptions,
    private readonly onSlowConsumer: (connection: Connection) => void,
  ) {
    ({
      ipPrefix: this.ipPrefix,
      region: this.region,
      grant: this.grant,
      sessionId: this.sessionId,
      addressFingerprint: this.addressFingerprint,
    } = identity);
    this.lastMessageMs = Date.now();
    this.limiter = new MessageRateLimiter(options, this.lastMessageMs);
  }

  /**
   * Sends a frame unless the client would then hold more than `maxUnreadBytes` it has not shown it
   * read: then the connection is closed as a slow consumer instead. A client shows it read by
   * answering a ping sent after the bytes (TCP keeps order), so what it leaves unread, in our
   * buffers and the kernel's alike, never exceeds the cap. Past a quarter of the cap a ping goes out.
   */
  send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const bytes = Buffer.byteLength(frame);
    if (this.unreadBytes + bytes > this.options.maxUnreadBytes) {
      this.onSlowConsumer(this);
      return;
    }
    this.ws.send(frame);
    this.unreadBytes += bytes;
    if (this.unreadAtPing === undefined && this.unreadBytes >= this.options.maxUnreadBytes / 4) {
      this.unreadAtPing = this.unreadBytes;
      this.ws.ping(READ_CHECK);
    }
  }

  /** A pong: the client is alive, and if it answers the read check, it read what came before it. */
  onPong(payload: Buffer): void {
    this.alive = true;
    if (this.unreadAtPing !== undefined && payload.equals(READ_CHECK)) {
      this.unreadBytes -= this.unreadAtPing;
      this.unreadAtPing = undefined;
    }
  }
}

/** Payload of the pings that check a client reads (keepalive pings carry none). */
const READ_CHECK = Buffer.from("nc-read");

export function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
