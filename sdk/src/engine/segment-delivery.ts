// The delivery loop of one segment load: ask the scheduler, wait for or fetch from peers, fall back to
// HTTP (resuming with a Range from the bytes peers gave). The engine owns one of these.
import type { NearcastConfig } from "../core/config.js";
import { AbortError } from "../core/errors.js";
import { isVerifiable, verificationProblem } from "../core/integrity.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import {
  decide,
  decideAfterHttpFailure,
  fitHoldToSlack,
  newSegmentHoldMs,
  NON_RELAY_HOLD_EXTRA_MS,
  playbackDeadlineMs,
  relaysInRealTime,
  type ScheduleInput,
} from "../core/scheduler.js";
import { SegmentAssembly } from "../core/segment-assembly.js";
import type { SegmentStore } from "../core/segment-store.js";
import type { StatsCollector } from "../core/stats.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "../core/types.js";
import { isRetryableHttpError } from "../http/http-fetcher.js";
import type { P2PNetwork } from "../p2p/p2p-network.js";
import type { Platform } from "./platform.js";
import { SegmentTransfers } from "./segment-transfers.js";
import { ThroughputProbe } from "./throughput-probe.js";
import type { TransferEstimates } from "./transfer-estimates.js";

/** How many failed segment ids a viewer remembers (a few playlists' worth). */
const RECENT_FAILURES = 64;

/** One segment load's state, shared by its peer and HTTP phases. */
interface PeerAttempt {
  request: SegmentRequest;
  assembly: SegmentAssembly;
  options: LoadOptions;
  /** Peers that already failed for this segment: never asked again for it. */
  failedPeers: Set<string>;
  /** Tell our neighbours we are getting this segment (once; not when we cannot relay it). */
  announceFetching(): void;
}

/** What the delivery loop needs from its engine. */
export interface DeliveryDeps {
  config: NearcastConfig;
  platform: Platform;
  stats: StatsCollector;
  store: SegmentStore | undefined;
  network: P2PNetwork | undefined;
  log: Logger;
  playback(): PlaybackState | undefined;
  emit<K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]): void;
}

export class SegmentDelivery {
  private readonly transfers: SegmentTransfers;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly estimates: TransferEstimates,
  ) {
    this.transfers = new SegmentTransfers(deps, estimates);
  }

  /** Occasional HTTP fetches that keep the throughput estimate current for ABR. */
  private readonly probe = new ThroughputProbe();

  /**
   * Segments whose HTTP fetch failed lately (ids, oldest first, at most {@link RECENT_FAILURES}).
   * hls.js retries such a segment after its back-off; the retry skips the new-segment hold, which
   * was spent on the first try and would now eat into a buffer the back-off already shortened.
   */
  private readonly recentHttpFailures = new Set<string>();

  /** Deliver a segment that is not complete in the store; throws HttpError/AbortError as httpFetch does. */
  async deliver(request: SegmentRequest, options: LoadOptions, started: number): Promise<SegmentResult> {
    const network = this.deps.network;
    const swarm = network?.swarm(request.swarmKey);
    const playback = this.deps.playback();
    if (playback) this.deps.store?.setPlayhead(playback.positionSec);
    const verify = isVerifiable(request, this.deps.config.validateSegment);
    const assembly = new SegmentAssembly(request, this.deps.store, verify);
    const failedPeers = new Set<string>();
    let retries = 0;
    // A viewer that cannot relay this rendition in real time leaves the first fetch to others.
    const relays = relaysInRealTime(
      network?.uploading ?? false,
      this.deps.config.maxUploadBytesPerSec,
      (swarm && swarm.announcedLength(request.id)) ?? this.estimates.segmentBytes,
      request.durationSec,
    );
    // A viewer whose throughput estimate is stale (see throughput-probe.ts) volunteers to be the
    // first fetcher of a segment nobody around it has: no new-segment hold, so it fetches over HTTP
    // at once and its neighbours take the segment from it. A segment a peer holds still comes from
    // the peer, so a probe costs the CDN little the swarm would not have fetched anyway.
    const probeFromBps = this.probe.due(this.estimates, performance.now(), request.canSwitchUp === true)
      ? this.estimates.httpBandwidthBps
      : undefined;
    const holdMs =
      network && request.live && !this.recentHttpFailures.has(request.id) && probeFromBps === undefined
        ? newSegmentHoldMs(request.id, network.peerId) + (relays ? 0 : NON_RELAY_HOLD_EXTRA_MS)
        : 0;
    let announced = false;
    const announceFetching = () => {
      if (!relays || !network) return;
      announced = true;
      network.announceFetching(request.swarmKey, request.id);
    };
    const attempt: PeerAttempt = { request, assembly, options, failedPeers, announceFetching };
    try {
      await this.fromPeers(attempt, holdMs);
      if (!assembly.complete) {
        announceFetching();
        try {
          retries = await this.transfers.fromHttp(request, assembly, options);
          this.recentHttpFailures.delete(request.id);
          if (probeFromBps !== undefined) {
            this.probe.done(probeFromBps, this.estimates.httpBandwidthBps);
            this.deps.log(
              "%s %s: abr-probe over HTTP: %d → %d bit/s",
              request.swarmKey,
              request.id,
              probeFromBps,
              this.estimates.httpBandwidthBps,
            );
          }
        } catch (error) {
          if (!isRetryableHttpError(error) || options.signal?.aborted) throw error;
          this.noteHttpFailure(request.id);
          // The origin failed this request, but a peer may hold the segment by now (origin errors
          // are often per request, and other viewers' fetches succeed): try peers before the error
          // goes back to hls.js, which would only retry after its back-off (1 s, 2 s, … by default).
          await this.fromPeers(attempt, 0, true);
          if (!assembly.complete) throw error;
          this.deps.log(
            "%s %s: peers covered an HTTP failure (%s)",
            request.swarmKey,
            request.id,
            (error as Error).message,
          );
        }
      }
      // Shared whole only once confirmed (a copy from HTTP was confirmed by fromHttp already).
      await this.transfers.confirmation.confirm(assembly, options);
    } catch (error) {
      assembly.discardPartial();
      if (announced && assembly.length === 0) network?.cancelFetching(request.swarmKey, request.id);
      throw error;
    }
    const data = assembly.bytes();
    if (verify && assembly.p2pBytes > 0) {
      const problem = await verificationProblem(request, data, this.deps.config.validateSegment);
      if (options.signal?.aborted) throw new AbortError("aborted");
      if (problem) return this.afterFailedVerification(request, assembly, problem, options, started);
      assembly.publish(data);
    }
    return {
      data,
      source: assembly.source(),
      timing: assembly.timing(started),
      httpBytes: assembly.httpBytes,
      p2pBytes: assembly.p2pBytes,
      httpRetries: retries,
    };
  }

  /**
   * Ask peers for the rest of the segment for as long as the scheduler says so (see scheduler.ts);
   * returns when the segment is complete or HTTP should take over. `holdMs` is this viewer's
   * new-segment hold (0 = none).
   *
   * With `afterHttpFailure` (the origin just failed this request) the choice is
   * {@link decideAfterHttpFailure}'s: no waiting, each peer that holds or is fetching the segment
   * gets one try.
   */
  private async fromPeers(attempt: PeerAttempt, holdMs: number, afterHttpFailure = false): Promise<void> {
    const { request, assembly, options, failedPeers } = attempt;
    const network = this.deps.network;
    const swarm = network?.swarm(request.swarmKey);
    let heldMs = 0;
    let holdFitted = false;
    while (swarm && network && !assembly.complete) {
      const input: ScheduleInput = {
        segmentBytesEstimate: swarm.announcedLength(request.id) ?? this.estimates.segmentBytes,
        deadlineMs: playbackDeadlineMs(this.deps.playback()),
        httpBandwidthBps: this.estimates.httpBandwidthBps,
        httpFirstByteMs: this.estimates.httpFirstByteMs,
        safetyMarginMs: this.deps.config.httpSafetyMarginMs,
        candidates: swarm.candidates(request.id),
        failedPeers,
        awaitingFirstPeer: swarm.awaitingFirstPeer,
        live: request.live,
        connectedPeers: swarm.peers.size,
        holdLeftMs: 0,
      };
      if (!holdFitted) {
        // Once, when the segment is first asked for: a hold the buffer cannot afford is scaled.
        holdMs = fitHoldToSlack(holdMs, input);
        holdFitted = true;
      }
      input.holdLeftMs = holdMs - heldMs;
      const decision = afterHttpFailure ? decideAfterHttpFailure(input) : decide(input);
      this.deps.log(
        "%s %s: %s (%s) deadline %d ms, %d peers connected, %d candidates%s",
        request.swarmKey,
        request.id,
        decision.kind,
        decision.reason,
        input.deadlineMs,
        swarm.peers.size,
        input.candidates.length,
        afterHttpFailure ? ", after an HTTP failure" : "",
      );
      if (decision.kind === "http") return;
      if (decision.kind === "wait") {
        const waitStart = Date.now();
        await swarm.waitForChange(decision.maxWaitMs, options.signal);
        if (decision.reason === "new-segment-hold") heldMs += Date.now() - waitStart;
        if (options.signal?.aborted) throw new AbortError("aborted");
        continue;
      }
      const peer = network.getPeer(request.swarmKey, decision.peerId);
      if (!peer) {
        failedPeers.add(decision.peerId);
        continue;
      }
      // Gossip one hop: tell our own neighbours now that we are getting this segment, not only
      // when its first bytes land. They may ask us (we stream it on as it arrives), and news of
      // a new live segment reaches the neighbours of the viewers taking it from the CDN's first
      // fetcher before their holds run out: at 300+ viewers this halves CDN fetches per segment.
      if (assembly.length === 0) attempt.announceFetching();
      try {
        await this.transfers.fromPeer(peer, request, assembly, decision.budgetMs, options);
      } catch (error) {
        if (options.signal?.aborted) throw new AbortError("aborted");
        this.deps.log("segment %s from %s failed: %s", request.id, peer.id, (error as Error).message);
        failedPeers.add(peer.id);
      }
    }
  }

  /** Remember a failed HTTP fetch of `segmentId` (bounded: the oldest is forgotten first). */
  private noteHttpFailure(segmentId: string): void {
    this.recentHttpFailures.delete(segmentId);
    this.recentHttpFailures.add(segmentId);
    if (this.recentHttpFailures.size > RECENT_FAILURES) {
      const oldest = this.recentHttpFailures.values().next().value;
      if (oldest !== undefined) this.recentHttpFailures.delete(oldest);
    }
  }

  /**
   * Bytes from peers failed verification: never hand them to the player. Ban every peer that sent
   * any of them, count it, and fetch the whole segment over HTTP (the origin's bytes are the truth).
   */
  private async afterFailedVerification(
    request: SegmentRequest,
    rejected: SegmentAssembly,
    problem: string,
    options: LoadOptions,
    started: number,
  ): Promise<SegmentResult> {
    const peerIds = [...rejected.peerIds];
    this.deps.log(
      "%s %s failed verification (%s): banning %o",
      request.swarmKey,
      request.id,
      problem,
      peerIds,
    );
    this.deps.stats.addIntegrityFailure(request.swarmKey, rejected.p2pBytes);
    for (const peerId of peerIds) this.deps.network?.ban(peerId, `sent bytes that failed verification`);
    this.deps.emit("integrity-failure", {
      segmentId: request.id,
      swarmKey: request.swarmKey,
      url: request.url,
      peerIds,
      discardedBytes: rejected.p2pBytes,
      reason: problem,
    });
    // Trusted bytes only from here: HTTP chunks are mirrored to the store as they arrive.
    const fresh = new SegmentAssembly(request, this.deps.store);
    try {
      this.deps.network?.announceFetching(request.swarmKey, request.id);
      const retries = await this.transfers.fromHttp(request, fresh, options);
      return {
        data: fresh.bytes(),
        source: "http",
        timing: fresh.timing(started),
        httpBytes: rejected.httpBytes + fresh.httpBytes,
        p2pBytes: 0,
        httpRetries: retries,
      };
    } catch (error) {
      fresh.discardPartial();
      if (fresh.length === 0) this.deps.network?.cancelFetching(request.swarmKey, request.id);
      throw error;
    }
  }
}
