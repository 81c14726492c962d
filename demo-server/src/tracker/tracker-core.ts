import { AccessPolicy } from "./access-policy.js";
import type { JoinGrant } from "./join-token.js";
import { LocalOnlyFederation } from "./federation.js";
import type { RemotePeer, SwarmFederation } from "./federation.js";
import type { TrackerOptions } from "./options.js";
import { parseMessage } from "./parse-message.js";
import type { ParseLimits } from "./parse-message.js";
import { selectOfferTargets } from "./peer-selection.js";
import {
  encodeAnnounceResponse,
  encodeAnswerRelay,
  encodeFailure,
  encodeOfferRelay,
  encodeScrapeResponse,
} from "./protocol.js";
import type {
  AnnounceRequest,
  AnswerRequest,
  BinaryId,
  Rejection,
  ScrapeFile,
  ScrapeRequest,
} from "./protocol.js";
import type { TrackerCounters } from "./stats.js";
import { SwarmRegistry } from "./swarm.js";
import type { PeerEntry, Swarm } from "./swarm.js";

/** What the core needs from a connected client; the WebSocket wrapper implements it. */
export interface ClientChannel {
  /** Network prefix of the client's address (see `networkPrefix`). */
  readonly ipPrefix: string | undefined;
  /** `?region=` from the WebSocket URL, if valid. */
  readonly region: string | undefined;
  /** What the connection's join token allows; undefined when the tracker needs no token. */
  readonly grant?: JoinGrant | undefined;
  send(frame: string): void;
}

export type CoreOptions = Pick<
  TrackerOptions,
  | "announceIntervalMs"
  | "peerTimeoutMs"
  | "maxOffersPerAnnounce"
  | "maxNumwant"
  | "maxSwarms"
  | "maxPeersPerSwarm"
  | "maxSwarmsPerConnection"
  | "maxScrapeInfoHashes"
  | "logger"
  | "joinTokenSecret"
  | "allowedOrigins"
  | "allowedInfoHashes"
>;

const LIMIT_MESSAGES = {
  swarm_limit: "tracker is full: no new swarms accepted",
  swarm_full: "swarm is full",
  connection_swarm_limit: "too many swarms on this connection",
  stopped_not_owner: "stopped ignored: that peer_id was announced on another connection",
} as const;

const ACCESS_MESSAGES = {
  info_hash_not_allowed: "info_hash is not on this tracker's allow-list",
  token_scope: "the join token does not cover this info_hash (stream-scoped tokens need swarm_key)",
} as const;

/**
 * The tracker's protocol logic without sockets: parse, update membership, choose offer targets,
 * relay. Inputs are text frames from `ClientChannel`s; outputs are frames sent to channels.
 */
export class TrackerCore<C extends ClientChannel> {
  readonly registry: SwarmRegistry<C>;
  private readonly intervalSec: number;
  private readonly parseLimits: ParseLimits;
  private readonly access: AccessPolicy;

  constructor(
    private readonly options: CoreOptions,
    private readonly counters: TrackerCounters,
    now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    /** Peers of other tracker instances; the default shares nothing (one process). */
    readonly federation: SwarmFederation = new LocalOnlyFederation(),
  ) {
    this.registry = new SwarmRegistry<C>(options, now, (infoHash, peerId) =>
      federation.left(infoHash, peerId),
    );
    federation.setDelivery((infoHash, toPeerId, frame) => this.deliver(infoHash, toPeerId, frame));
    this.intervalSec = Math.max(1, Math.round(options.announceIntervalMs / 1000));
    this.parseLimits = options;
    this.access = new AccessPolicy(options, now);
  }

  handleText(client: C, text: string): void {
    const parsed = parseMessage(text, this.parseLimits);
    if (!parsed.ok) {
      this.reject(client, parsed.rejection);
      return;
    }
    const request = parsed.request;
    switch (request.action) {
      case "announce":
        this.announce(client, request);
        return;
      case "answer":
        this.answer(client, request);
        return;
      case "scrape":
        this.scrape(client, request);
        return;
    }
  }

  /** Counts the rejection and tells the client (a `failure reason` frame). */
  reject(client: C, rejection: Rejection): void {
    this.counters.rejected[rejection.reason]++;
    this.options.logger.debug({ reason: rejection.reason }, "tracker: message rejected");
    client.send(encodeFailure(rejection));
  }

  /** The client's socket is gone: it leaves every swarm. */
  disconnect(client: C): void {
    this.registry.removeOwner(client);
  }

  /** Expires silent peers; call periodically. */
  sweep(): void {
    const expired = this.registry.sweep();
    this.counters.expiredPeers += expired;
    if (expired > 0) this.options.logger.debug({ expired }, "tracker: expired silent peers");
  }

  private announce(client: C, request: AnnounceRequest): void {
    const refusal = this.access.checkAnnounce(client.grant, request);
    if (refusal === "info_hash_not_allowed" || refusal === "token_scope") {
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
    const swarm = outcome.swarm;
    const peer = outcome.peer;
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
    client.send(
      encodeAnnounceResponse({
        infoHash: request.infoHash,
        intervalSec: this.intervalSec,
        complete: (swarm?.complete ?? 0) + remoteComplete,
        incomplete: (swarm?.incomplete ?? 0) + remote.length - remoteComplete,
        ...(request.warnings.length === 0 ? {} : { warning: request.warnings.join("; ") }),
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
      const frame = encodeOfferRelay(request.infoHash, request.peerId, offer);
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

  private answer(client: C, request: AnswerRequest): void {
    const swarm = this.registry.getSwarm(request.infoHash);
    const sender = swarm?.peers.get(request.peerId);
    // Only a member of the swarm, on the socket that announced it, can have received the offer.
    if (swarm === undefined || sender === undefined || sender.owner !== client) {
      this.reject(client, {
        reason: "answer_without_membership",
        message: "answer from a peer_id that has not announced this info_hash on this connection",
        action: "announce",
        infoHash: request.infoHash,
      });
      return;
    }
    this.registry.touch(sender);
    if (request.toPeerId === request.peerId) return this.rejectUnknownPeer(client, request.infoHash);
    const target = swarm.peers.get(request.toPeerId);
    if (target !== undefined) {
      target.owner.send(encodeAnswerRelay(request));
      this.counters.answersRelayed++;
      return;
    }
    const found = this.federation.findPeer(request.infoHash, request.toPeerId);
    const relay = (remote: RemotePeer | undefined): void => {
      if (remote === undefined) return this.rejectUnknownPeer(client, request.infoHash);
      this.federation.relay(remote.instanceId, request.infoHash, remote.peerId, encodeAnswerRelay(request));
      this.counters.answersRelayed++;
    };
    if (found instanceof Promise) void found.then(relay);
    else relay(found);
  }

  private rejectUnknownPeer(client: C, infoHash: BinaryId): void {
    this.reject(client, {
      reason: "unknown_peer",
      message: "no peer with that to_peer_id in this swarm",
      action: "announce",
      infoHash,
    });
  }

  /** A relay from another instance for one of this instance's peers. */
  private deliver(infoHash: BinaryId, toPeerId: BinaryId, frame: string): boolean {
    const target = this.registry.getSwarm(infoHash)?.peers.get(toPeerId);
    if (target === undefined) return false;
    target.owner.send(frame);
    return true;
  }

  private scrape(client: C, request: ScrapeRequest): void {
    const files = new Map<string, ScrapeFile>();
    if (request.infoHashes === undefined) {
      for (const swarm of this.registry.allSwarms()) {
        if (files.size >= this.options.maxScrapeInfoHashes) break;
        files.set(swarm.infoHash, scrapeFile(swarm));
      }
    } else {
      for (const infoHash of request.infoHashes) {
        files.set(infoHash, scrapeFile(this.registry.getSwarm(infoHash)));
      }
    }
    this.counters.scrapes++;
    client.send(encodeScrapeResponse(files, this.intervalSec));
  }
}

function scrapeFile(
  swarm: { complete: number; incomplete: number; downloaded: number } | undefined,
): ScrapeFile {
  return {
    complete: swarm?.complete ?? 0,
    incomplete: swarm?.incomplete ?? 0,
    downloaded: swarm?.downloaded ?? 0,
  };
}
