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

  send(frame: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount + frame.length > this.options.maxSendBufferBytes) {
      this.onSlowConsumer(this);
      return;
    }
    this.ws.send(frame);
  }
}

export function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
