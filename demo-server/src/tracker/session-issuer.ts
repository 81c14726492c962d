// The sessions the tracker hands to the viewers it admitted: one per connection, re-minted in every
// announce reply so it always lists the swarms joined so far and expires `sessionTtlMs` after the
// viewer's last announce (a viewer announces every interval, so a live one never runs out).
import { binaryIdToHex } from "../net/binary-id.js";
import type { BinaryId } from "../net/binary-id.js";
import type { ServerKeys } from "../net/server-keys.js";
import { MAX_SESSION_SWARMS, mintSession } from "../net/session-token.js";
import type { ClientChannel } from "./client-channel.js";
import type { NearcastReplyField } from "./protocol.js";

export class SessionIssuer<C extends ClientChannel> {
  /** Swarms each connection announced (hex info-hashes), newest last, bounded. */
  private readonly joined = new WeakMap<C, string[]>();

  constructor(
    private readonly keys: ServerKeys,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Records that `client` announced `infoHash`; it stays listed after the client leaves the swarm. */
  recordJoin(client: C, infoHash: BinaryId): void {
    const hex = binaryIdToHex(infoHash);
    let swarms = this.joined.get(client);
    if (swarms === undefined) {
      swarms = [];
      this.joined.set(client, swarms);
    }
    const at = swarms.indexOf(hex);
    if (at !== -1) swarms.splice(at, 1);
    swarms.push(hex);
    if (swarms.length > MAX_SESSION_SWARMS) swarms.shift();
  }

  /** The `nearcast` field of an announce reply to `client` for `peerId`; undefined without a session id. */
  issue(client: C, peerId: BinaryId): NearcastReplyField | undefined {
    if (client.sessionId === undefined) return undefined;
    const now = this.now();
    const session = mintSession(this.keys, {
      sessionId: client.sessionId,
      peerId: binaryIdToHex(peerId),
      swarms: this.joined.get(client) ?? [],
      from: client.addressFingerprint ?? "",
      issuedAtMs: now,
      expiresAtMs: now + this.ttlMs,
    });
    return { session, expires_in: Math.floor(this.ttlMs / 1000) };
  }
}
