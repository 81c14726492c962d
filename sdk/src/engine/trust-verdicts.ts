// What the delivery loop does with the trust ladder's verdict on a segment's peer bytes
// (verify/trust-ladder.ts): count it, ban and report the peers whose bytes failed, refuse bytes
// nothing vouched for unless the page allows them (with a warning once per stream).
import type { NearcastConfig } from "../core/config.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { SegmentAssembly } from "../core/segment-assembly.js";
import type { StatsCollector } from "../core/stats.js";
import type { PeerRejectionReason, SegmentRequest } from "../core/types.js";
import type { P2PNetwork } from "../p2p/p2p-network.js";
import type { TrustVerdict } from "../verify/trust-ladder.js";

/** What acting on a verdict needs from the engine (a part of the delivery loop's DeliveryDeps). */
export interface TrustVerdictDeps {
  config: Pick<NearcastConfig, "allowUnverifiedPeers">;
  stats: StatsCollector;
  network: P2PNetwork | undefined;
  log: Logger;
  emit<K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]): void;
}

/** Streams told that unverified bytes reached their player, at most (then the set starts over). */
const MAX_WARNED_STREAMS = 64;

export class TrustVerdicts {
  /** Streams told once that unverified peer bytes reached their player (`allowUnverifiedPeers`). */
  private readonly warnedStreams = new Set<string>();

  constructor(private readonly deps: TrustVerdictDeps) {}

  /**
   * Act on the ladder's verdict: count it; a failure bans the peers and is reported; bytes nothing
   * vouched for are refused unless the page allows them (then a warning, once per stream). True when
   * the peer bytes must not reach the player.
   */
  judged(request: SegmentRequest, assembly: SegmentAssembly, verdict: TrustVerdict): boolean {
    const { stats, log } = this.deps;
    switch (verdict.kind) {
      case "verified":
        stats.trust.verifiedBy[verdict.by]++;
        return false;
      case "failed":
        log("%s %s: %s refuted the peer bytes", request.swarmKey, request.id, verdict.by);
        this.failedVerification(request, assembly, verdict.reason, verdict.detail, verdict.culprits);
        return true;
      case "unverifiable":
        if (this.deps.config.allowUnverifiedPeers) {
          stats.trust.unverifiedDelivered++;
          const stream = request.swarmKey.split("|")[0] ?? request.swarmKey;
          if (!this.warnedStreams.has(stream)) {
            if (this.warnedStreams.size >= MAX_WARNED_STREAMS) this.warnedStreams.clear();
            this.warnedStreams.add(stream);
            this.deps.emit("warning", {
              code: "unverified-peers",
              message: `allowUnverifiedPeers: bytes from peers that nothing verified reach the player of ${stream} (${verdict.detail})`,
            });
          }
          return false;
        }
        log("%s %s: peer bytes unverifiable (%s): over HTTP", request.swarmKey, request.id, verdict.detail);
        stats.addUnverifiedDiscard(assembly.p2pBytes);
        return true;
    }
  }

  /**
   * Bytes from peers failed verification: they never reach the player. Ban the `culprits` (the
   * senders of a chunk that failed its digest) or else every peer that sent any of them (counted
   * under `reason`), count the failure and say so.
   */
  private failedVerification(
    request: SegmentRequest,
    rejected: SegmentAssembly,
    reason: PeerRejectionReason,
    problem: string,
    culprits: readonly string[] | undefined,
  ): void {
    const peerIds = culprits ? [...culprits] : [...rejected.peerIds];
    this.deps.log(
      "%s %s failed verification (%s): banning %o",
      request.swarmKey,
      request.id,
      problem,
      peerIds,
    );
    this.deps.stats.addIntegrityFailure(request.swarmKey, rejected.p2pBytes);
    for (const peerId of peerIds)
      this.deps.network?.ban(peerId, `sent bytes that failed verification (${problem})`, reason);
    this.deps.emit("integrity-failure", {
      segmentId: request.id,
      swarmKey: request.swarmKey,
      url: request.url,
      peerIds,
      discardedBytes: rejected.p2pBytes,
      reason: problem,
    });
  }
}
