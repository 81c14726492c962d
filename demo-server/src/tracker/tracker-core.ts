import { AccessPolicy } from "./access-policy.js";
import type { JoinGrant } from "./join-token.js";
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
import type { AnnounceRequest, AnswerRequest, Rejection, ScrapeFile, ScrapeRequest } from "./protocol.js";
import type { TrackerCounters } from "./stats.js";
import { SwarmRegistry } from "./swarm.js";

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
  ) {
    this.registry = new SwarmRegistry<C>(options, now);
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
    client.send(
      encodeAnnounceResponse({
        infoHash: request.infoHash,
        intervalSec: this.intervalSec,
        complete: swarm?.complete ?? 0,
        incomplete: swarm?.incomplete ?? 0,
        ...(request.warnings.length === 0 ? {} : { warning: request.warnings.join("; ") }),
      }),
    );
    if (swarm === undefined || outcome.peer === undefined || request.offers.length === 0) return;
    // One offer per target: offer i goes to target i, and no peer gets two offers of one announce.
    const count = Math.min(request.offers.length, request.numwant ?? request.offers.length);
    const targets = selectOfferTargets(
      swarm.peers.values(),
      { peerId: request.peerId, ipPrefix: client.ipPrefix, region },
      count,
      this.random,
    );
    targets.forEach((target, i) => {
      const offer = request.offers[i];
      if (offer === undefined) return;
      target.owner.send(encodeOfferRelay(request.infoHash, request.peerId, offer));
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
    const target = request.toPeerId === request.peerId ? undefined : swarm.peers.get(request.toPeerId);
    if (target === undefined) {
      this.reject(client, {
        reason: "unknown_peer",
        message: "no peer with that to_peer_id in this swarm",
        action: "announce",
        infoHash: request.infoHash,
      });
      return;
    }
    this.registry.touch(sender);
    target.owner.send(encodeAnswerRelay(request));
    this.counters.answersRelayed++;
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
