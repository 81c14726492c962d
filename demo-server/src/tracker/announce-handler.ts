// The announce path of the tracker core: access and peer_id checks, the membership update, the reply
// with swarm counts over every instance, and the offers relayed to the chosen peers.
import type { AccessPolicy } from "../net/access-policy.js";
import type { ClientChannel } from "./client-channel.js";
import type { RemotePeer, SwarmFederation } from "./federation.js";
import { selectOfferTargets } from "./peer-selection.js";
import { encodeAnnounceResponse, encodeOfferRelay } from "./protocol.js";
import type { AnnounceRequest, Rejection } from "./protocol.js";
import type { TrackerCounters } from "./stats.js";
import type { SessionIssuer } from "./session-issuer.js";
import type { PeerEntry, Swarm, SwarmRegistry } from "./swarm.js";

const LIMIT_MESSAGES = {
  swarm_limit: "tracker is full: no new swarms accepted",
  swarm_full: "swarm is full",
  connection_swarm_limit: "too many swarms on this connection",
  stopped_not_owner: "stopped ignored: that peer_id was announced on another connection",
  second_peer_id: "this connection already announced another peer_id in this swarm",
} as const;

const ACCESS_MESSAGES = {
  info_hash_not_allowed: "info_hash is not on this tracker's allow-list",
  token_scope: "the join token does not cover this info_hash (stream-scoped tokens need swarm_key)",
} as const;

/** Handles `announce` requests for `TrackerCore`, on its registry, federation and counters. */
export class AnnounceHandler<C extends ClientChannel> {
  constructor(
    private readonly registry: SwarmRegistry<C>,
    private readonly federation: SwarmFederation,
    private readonly access: AccessPolicy,
    private readonly counters: TrackerCounters,
    /** The `interval` announced to clients, in seconds. */
    private readonly intervalSec: number,
    private readonly random: () => number,
    /** Counts the rejection and tells the client (`TrackerCore.reject`). */
    private readonly reject: (client: C, rejection: Rejection) => void,
    private readonly sessions: SessionIssuer<C>,
  ) {}

  announce(client: C, request: AnnounceRequest): void {
    const refusal = this.access.checkAnnounce(client.grant, request);
    if (refusal !== undefined) {
      this.reject(client, {
        reason: refusal,
        message: ACCESS_MESSAGES[refusal],
        action: "announce",
        infoHash: request.infoHash,
      });
      return;
    }
    if (this.takesOverFromElsewhere(client, request)) {
      this.reject(client, {
        reason: "peer_id_in_use",
        message: "peer_id is in use by a connection from another network",
        action: "announce",
        infoHash: request.infoHash,
      });
      return;
    }
    const region = request.region ?? client.region;
    const outcome = this.registry.announce(client, {
      infoHash: request.infoHash,
      peerId: request.peerId,
      event: request.event,
      complete: request.left === 0 || request.event === "completed",
      ipPrefix: client.ipPrefix,
      region,
    });
    if (!outcome.ok) {
      this.reject(client, {
        reason: outcome.reason,
        message: LIMIT_MESSAGES[outcome.reason],
        action: "announce",
        infoHash: request.infoHash,
      });
      return;
    }
    this.counters.announces++;
    if (outcome.evicted !== undefined) this.counters.fairnessEvictions++;
    const swarm = outcome.swarm;
    const peer = outcome.peer;
    if (peer !== undefined) this.sessions.recordJoin(client, request.infoHash);
    if (peer !== undefined) {
      this.federation.joined({
        infoHash: request.infoHash,
        peerId: peer.peerId,
        complete: peer.complete,
        ipPrefix: peer.ipPrefix,
        region: peer.region,
      });
    }
    const remote = this.federation.remotePeers(request.infoHash);
    if (Array.isArray(remote)) {
      this.respond(client, request, swarm, peer, remote as readonly RemotePeer[]);
      return;
    }
    // Remote members must be read first: reply and offers go out one store round trip later.
    void (remote as Promise<readonly RemotePeer[]>).then((peers) => {
      // The announcer may have gone meanwhile (socket closed, stopped): then nobody needs a reply.
      if (peer !== undefined && this.registry.getSwarm(request.infoHash)?.peers.get(peer.peerId) !== peer)
        return;
      this.respond(client, request, this.registry.getSwarm(request.infoHash), peer, peers);
    });
  }

  /** The announce reply with swarm counts over every instance, then the offers. */
  private respond(
    client: C,
    request: AnnounceRequest,
    swarm: Swarm<C> | undefined,
    peer: PeerEntry<C> | undefined,
    remote: readonly RemotePeer[],
  ): void {
    const remoteComplete = remote.reduce((n, p) => n + (p.complete ? 1 : 0), 0);
    const nearcast = this.sessions.issue(client, request.peerId);
    client.send(
      encodeAnnounceResponse({
        infoHash: request.infoHash,
        intervalSec: this.intervalSec,
        complete: (swarm?.complete ?? 0) + remoteComplete,
        incomplete: (swarm?.incomplete ?? 0) + remote.length - remoteComplete,
        ...(request.warnings.length === 0 ? {} : { warning: request.warnings.join("; ") }),
        ...(nearcast === undefined ? {} : { nearcast }),
      }),
    );
    if (swarm === undefined || peer === undefined || request.offers.length === 0) return;
    this.relayOffers(client, request, swarm, remote);
  }

  /** One offer per target: offer i goes to target i, and no peer gets two offers of one announce. */
  private relayOffers(
    client: C,
    request: AnnounceRequest,
    swarm: Swarm<C>,
    remote: readonly RemotePeer[],
  ): void {
    const count = Math.min(request.offers.length, request.numwant ?? request.offers.length);
    const region = request.region ?? client.region;
    // A peer that reconnected to this instance may still be listed under its old one: local wins.
    const candidates: (PeerEntry<C> | RemotePeer)[] =
      remote.length === 0
        ? [...swarm.peers.values()]
        : [...swarm.peers.values(), ...remote.filter((p) => !swarm.peers.has(p.peerId))];
    const targets = selectOfferTargets(
      candidates,
      { peerId: request.peerId, ipPrefix: client.ipPrefix, region },
      count,
      this.random,
    );
    targets.forEach((target, i) => {
      const offer = request.offers[i];
      if (offer === undefined) return;
      const frame = encodeOfferRelay(request.infoHash, request.peerId, offer, client.addressFingerprint);
      if ("owner" in target) target.owner.send(frame);
      else this.federation.relay(target.instanceId, request.infoHash, target.peerId, frame);
      this.counters.offersRelayed++;
    });
  }

  /**
   * A peer_id announced on a new socket moves there (a client that reconnects is reachable before its
   * old socket dies), but only from the same network: otherwise anyone who learnt a peer_id from a
   * relayed offer could take over its offers, answers and `stopped`.
   */
  private takesOverFromElsewhere(client: C, request: AnnounceRequest): boolean {
    if (request.event === "stopped") return false;
    const existing = this.registry.getSwarm(request.infoHash)?.peers.get(request.peerId);
    return existing !== undefined && existing.owner !== client && existing.ipPrefix !== client.ipPrefix;
  }
}
