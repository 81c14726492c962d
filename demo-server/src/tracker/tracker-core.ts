// The tracker's protocol logic without sockets: message dispatch, answer relay, scrape, rejections
// and expiry. The announce path is in announce-handler.ts.
import { AccessPolicy } from "../net/access-policy.js";
import { AnnounceHandler } from "./announce-handler.js";
import type { ClientChannel } from "./client-channel.js";
import { LocalOnlyFederation } from "./federation.js";
import type { RemotePeer, SwarmFederation } from "./federation.js";
import type { TrackerOptions } from "./options.js";
import { parseMessage } from "./parse-message.js";
import type { ParseLimits } from "./parse-message.js";
import { encodeAnswerRelay, encodeFailure, encodeScrapeResponse } from "./protocol.js";
import type { BinaryId } from "../net/binary-id.js";
import type { AnswerRequest, Rejection, ScrapeFile, ScrapeRequest } from "./protocol.js";
import type { TrackerCounters } from "./stats.js";
import { SessionIssuer } from "./session-issuer.js";
import { SwarmRegistry } from "./swarm.js";
import { RefusalLog } from "./refusal.js";
import { ServerKeys } from "../net/server-keys.js";

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
  | "sessionTtlMs"
  | "logger"
  | "joinTokenSecret"
  | "allowedOrigins"
  | "allowedInfoHashes"
>;

/**
 * Refusals of a viewer's swarm in an announce reply, which the SDK reports as `tracker-state`
 * `refused`: what an operator reading the log should know about each. The other message refusals
 * are malformed or stray messages, counted in /metrics and logged at debug level only.
 */
const SWARM_REFUSAL_HINTS = {
  token_scope: "the join token does not cover this stream or info_hash (mint it for the page's stream)",
  info_hash_not_allowed: "the info_hash is not in --tracker-allowed-info-hashes",
  swarm_full: "the swarm holds the most peers this tracker admits to one swarm",
  swarm_limit: "the tracker holds its maximum of swarms",
  connection_swarm_limit: "one connection asked for more swarms than a viewer needs",
} as const;
type SwarmRefusal = keyof typeof SWARM_REFUSAL_HINTS;

/**
 * The tracker's protocol logic without sockets: parse, update membership, choose offer targets,
 * relay. Inputs are text frames from `ClientChannel`s; outputs are frames sent to channels.
 */
export class TrackerCore<C extends ClientChannel> {
  readonly registry: SwarmRegistry<C>;
  /** Info lines about refused swarms, at most one per reason a minute (the counters count all). */
  private readonly swarmRefusals: RefusalLog<SwarmRefusal>;
  private readonly intervalSec: number;
  private readonly parseLimits: ParseLimits;
  private readonly announces: AnnounceHandler<C>;

  constructor(
    private readonly options: CoreOptions,
    private readonly counters: TrackerCounters,
    now: () => number = Date.now,
    random: () => number = Math.random,
    /** Peers of other tracker instances; the default shares nothing (one process). */
    readonly federation: SwarmFederation = new LocalOnlyFederation(),
    /** Signs the sessions handed to admitted viewers. @default keys from a random secret */
    keys: ServerKeys = ServerKeys.random(),
  ) {
    this.registry = new SwarmRegistry<C>(options, now, (infoHash, peerId) =>
      federation.left(infoHash, peerId),
    );
    federation.setDelivery((infoHash, toPeerId, frame) => this.deliver(infoHash, toPeerId, frame));
    this.intervalSec = Math.max(1, Math.round(options.announceIntervalMs / 1000));
    this.swarmRefusals = new RefusalLog<SwarmRefusal>(
      options.logger,
      "an announce",
      (reason) => SWARM_REFUSAL_HINTS[reason],
      now,
    );
    this.parseLimits = options;
    this.announces = new AnnounceHandler<C>(
      this.registry,
      federation,
      new AccessPolicy(options, now),
      counters,
      this.intervalSec,
      random,
      (client, rejection) => this.reject(client, rejection),
      new SessionIssuer<C>(keys, options.sessionTtlMs, now),
    );
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
        this.announces.announce(client, request);
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
    if (Object.hasOwn(SWARM_REFUSAL_HINTS, rejection.reason))
      this.swarmRefusals.refused(rejection.reason as SwarmRefusal);
    else this.options.logger.debug({ reason: rejection.reason }, "tracker: message rejected");
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
      target.owner.send(encodeAnswerRelay(request, client.addressFingerprint));
      this.counters.answersRelayed++;
      return;
    }
    const found = this.federation.findPeer(request.infoHash, request.toPeerId);
    const relay = (remote: RemotePeer | undefined): void => {
      if (remote === undefined) return this.rejectUnknownPeer(client, request.infoHash);
      const frame = encodeAnswerRelay(request, client.addressFingerprint);
      this.federation.relay(remote.instanceId, request.infoHash, remote.peerId, frame);
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
