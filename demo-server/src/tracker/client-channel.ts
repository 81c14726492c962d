// The tracker core's view of a connected client, so the protocol logic runs without sockets (the
// WebSocket server's `Connection` implements it; unit tests use a fake).
import type { JoinGrant } from "../net/join-token.js";

/** What the core needs from a connected client; the WebSocket wrapper implements it. */
export interface ClientChannel {
  /** Network prefix of the client's address (see `networkPrefix`). */
  readonly ipPrefix: string | undefined;
  /** `?region=` from the WebSocket URL, if valid. */
  readonly region: string | undefined;
  /** What the connection's join token allows; undefined when the tracker needs no token. */
  readonly grant?: JoinGrant | undefined;
  /** Random id of this connection, named by the sessions minted for it; none = no sessions. */
  readonly sessionId?: string | undefined;
  /** Fingerprint of the client's address (`ServerKeys.addressFingerprint`), relayed as `nearcast_from`. */
  readonly addressFingerprint?: string | undefined;
  send(frame: string): void;
}
