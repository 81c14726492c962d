// Who may ask the digest service, and how large a swarm is: an interface the composition root wires
// to the tracker, so the service knows nothing of sockets or session tokens. Today's wiring
// (`membershipAccess`) admits a peer_id that is a member of the swarm on this tracker instance,
// announced from the same network as the HTTP request; a signed session credential from the tracker
// (issue 19) replaces it by implementing the same interface.
import type { ClientAddress } from "../tracker/ip-address.js";

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

/** The queries the tracker answers today (ids in the protocol's binary-string form). */
export interface TrackerMembership {
  /** `peerId` is a member of `infoHash` on this instance, announced from `address`'s network. */
  isMember(infoHash: string, peerId: string, address: ClientAddress): boolean;
  swarmSize(infoHash: string): number | Promise<number>;
}

/**
 * Access by tracker membership: the peer_id must be in the swarm on this instance and have
 * announced from the same network prefix (/24, /48) as the HTTP request. A peer_id is public (every
 * offer carries it), so the address is what ties the ask to the member; behind one NAT, viewers can
 * vouch for each other, which gives nothing a member does not already have. Behind a load balancer
 * spreading HTTP and WebSocket over several instances, members of other instances are refused:
 * the session credential lifts that.
 */
export function membershipAccess(tracker: TrackerMembership): DigestAccess {
  return {
    authorize: (requester) => {
      const member = tracker.isMember(
        binaryOfHex(requester.infoHash),
        binaryOfHex(requester.peerId),
        requester.address,
      );
      return member
        ? { ok: true, sessionKey: `${requester.infoHash}:${requester.peerId}` }
        : { ok: false, reason: "not_member" };
    },
    swarmSize: (infoHash) => tracker.swarmSize(binaryOfHex(infoHash)),
  };
}

/** The tracker protocol's id form (one char per byte) of a hex string. */
export function binaryOfHex(hex: string): string {
  let out = "";
  for (let i = 0; i + 1 < hex.length; i += 2) out += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return out;
}
