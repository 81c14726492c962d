// Who may ask the digest service, and how large a swarm is: an interface the composition root wires
// to the tracker, so the service knows nothing of sockets or session tokens (`membershipAccess`:
// the tracker's session credential, else membership from the same network).
import type { ClientAddress } from "../net/ip-address.js";

/** Who asks: the swarm (info-hash, 40 hex), its peer_id there (40 hex), credential, address. */
export interface DigestRequester {
  infoHash: string;
  peerId: string;
  /** `DigestRequestBody.session`, when the SDK sends one. */
  session: string | undefined;
  address: ClientAddress;
}

export type AccessDecision =
  /** `sessionKey`: what the per-session rate limit counts against. */
  { ok: true; sessionKey: string } | { ok: false; reason: "not_member" };

export interface DigestAccess {
  /** Admits a requester as a member of the swarm it names. May be async (a shared store). */
  authorize(requester: DigestRequester): AccessDecision | Promise<AccessDecision>;
  /** Members of a swarm (info-hash, 40 hex) over every tracker instance. */
  swarmSize(infoHash: string): number | Promise<number>;
}

/** What the tracker answers (see tracker/tracker-server.ts: `SwarmAccess` and `isMemberAt`). */
export interface TrackerMembership {
  /** The claims of a session the tracker minted, if valid now. */
  verifySession(session: string): { sessionId: string; peerId: string } | undefined;
  /** Whether a viewer (session token or peer_id) is in a swarm (info-hash, 40 hex) now. */
  isMember(viewer: string, infoHash: string): boolean;
  /** `peerId` is a member of `infoHash` on this instance, announced from `address`'s network (wire ids). */
  isMemberAt(infoHash: string, peerId: string, address: ClientAddress): boolean;
  /** Members of a swarm (info-hash, 40 hex) over every tracker instance. */
  swarmSize(infoHash: string): number | Promise<number>;
}

/**
 * Access by the tracker's word. A requester with a session (the signed credential every announce
 * reply carries) is admitted when the session is valid, names the same peer_id, and covers the
 * swarm — on any instance sharing the server secret. Without a session (a client that did not pass
 * it on), the peer_id must be a member of the swarm on this instance, announced from the same
 * network prefix (/24, /48) as the HTTP request: a peer_id is public (every offer carries it), so
 * the address is what ties the ask to the member; behind one NAT viewers can vouch for each other,
 * which gives nothing a member does not already have.
 */
export function membershipAccess(tracker: TrackerMembership): DigestAccess {
  return {
    authorize: (requester) => {
      if (requester.session !== undefined) {
        const claims = tracker.verifySession(requester.session);
        const member =
          claims !== undefined &&
          claims.peerId.toLowerCase() === requester.peerId.toLowerCase() &&
          tracker.isMember(requester.session, requester.infoHash);
        return member && claims
          ? { ok: true, sessionKey: claims.sessionId }
          : { ok: false, reason: "not_member" };
      }
      const member = tracker.isMemberAt(
        binaryOfHex(requester.infoHash),
        binaryOfHex(requester.peerId),
        requester.address,
      );
      return member
        ? { ok: true, sessionKey: `${requester.infoHash}:${requester.peerId}` }
        : { ok: false, reason: "not_member" };
    },
    swarmSize: (infoHash) => tracker.swarmSize(infoHash),
  };
}

/** The tracker protocol's id form (one char per byte) of a hex string. */
export function binaryOfHex(hex: string): string {
  let out = "";
  for (let i = 0; i + 1 < hex.length; i += 2) out += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return out;
}
