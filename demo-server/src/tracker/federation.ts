import type { BinaryId } from "../net/binary-id.js";

/**
 * A member of a swarm connected to another tracker instance. It satisfies peer-selection's
 * `Candidate`, so local and remote peers are ranked together.
 */
export interface RemotePeer {
  readonly peerId: BinaryId;
  /** The instance holding the peer's socket: where offers and answers for it are routed. */
  readonly instanceId: string;
  readonly complete: boolean;
  readonly ipPrefix: string | undefined;
  readonly region: string | undefined;
}

/** What an instance publishes about one of its own members. */
export interface LocalMembership {
  infoHash: BinaryId;
  peerId: BinaryId;
  complete: boolean;
  ipPrefix: string | undefined;
  region: string | undefined;
}

/** Delivers a relayed frame to a peer connected to this instance; false when it is not here (any more). */
export type LocalDelivery = (infoHash: BinaryId, toPeerId: BinaryId, frame: string) => boolean;

/** Counters and state of a federation, for `TrackerStats.federation`. */
export interface FederationStats {
  /** This instance's id in the shared membership. */
  instanceId: string;
  /** The shared store is reachable; false = swarms are local-only until it returns. */
  connected: boolean;
  /** Offers and answers sent to peers on other instances. */
  relaysOut: number;
  /** Offers and answers received for peers on this instance. */
  relaysIn: number;
  /** Received relays whose target was no longer connected here (dropped). */
  relaysUndeliverable: number;
  /** Store commands that failed (each logged at most once per outage). */
  errors: number;
  /** Outages survived: the store came back and this instance's memberships were written again. */
  recoveries: number;
}

/**
 * Swarm membership and signal routing shared between tracker instances. The tracker keeps its own
 * sockets' memberships locally (`SwarmRegistry`); a federation adds the peers of other instances and
 * carries offers/answers to them. `LocalOnlyFederation` (one process, the default) adds nothing;
 * `RedisFederation` shares through Redis. Every method is non-blocking for the caller's socket; failures
 * degrade to local-only swarms and are counted, never thrown.
 */
export interface SwarmFederation {
  /**
   * Members of `infoHash` on other instances: an array when known now (possibly empty), a promise
   * when a fresh copy must be fetched first. Never rejects (resolves to [] when the store is away).
   */
  remotePeers(infoHash: BinaryId): readonly RemotePeer[] | Promise<readonly RemotePeer[]>;
  /** One remote member, or undefined; a promise when the store must be asked. Never rejects. */
  findPeer(infoHash: BinaryId, peerId: BinaryId): RemotePeer | undefined | Promise<RemotePeer | undefined>;
  /** A local member announced (joined or refreshed its TTL). Fire-and-forget. */
  joined(membership: LocalMembership): void;
  /** A local member left (stopped, socket closed, expired). Fire-and-forget. */
  left(infoHash: BinaryId, peerId: BinaryId): void;
  /** Sends a frame to a peer held by `instanceId`. Fire-and-forget. */
  relay(instanceId: string, infoHash: BinaryId, toPeerId: BinaryId, frame: string): void;
  /** Where relays for this instance's peers are delivered; set once by the tracker. */
  setDelivery(deliver: LocalDelivery): void;
  stats(): FederationStats | undefined;
  /** Idempotent: removes this instance's memberships from the shared store and disconnects. */
  close(): Promise<void>;
}

/** The single-process default: no other instances, so nothing is shared. */
export class LocalOnlyFederation implements SwarmFederation {
  remotePeers(): readonly RemotePeer[] {
    return NO_PEERS;
  }
  findPeer(): undefined {
    return undefined;
  }
  joined(): void {}
  left(): void {}
  relay(): void {}
  setDelivery(): void {}
  stats(): undefined {
    return undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const NO_PEERS: readonly RemotePeer[] = Object.freeze([]);
