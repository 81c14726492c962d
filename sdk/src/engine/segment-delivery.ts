// Delivers a segment the store does not hold: runs a SegmentLoad (segment-load.ts) on the engine's
// transports and clock, then verifies what peers gave before the player gets it. The engine owns one.
import type { NearcastConfig } from "../core/config.js";
import { AbortError } from "../core/errors.js";
import { isVerifiable, verificationProblem } from "../core/integrity.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { playbackDeadlineMs } from "../core/policy/decide.js";
import { DeliveryPolicy } from "../core/policy/delivery-policy.js";
import type { TransferEstimates } from "../core/policy/transfer-estimates.js";
import { SegmentAssembly } from "../core/segment-assembly.js";
import type { SegmentStore } from "../core/segment-store.js";
import type { StatsCollector } from "../core/stats.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "../core/types.js";
import type { P2PNetwork } from "../p2p/p2p-network.js";
import type { Platform } from "./platform.js";
import { SegmentLoad, type LoadClock, type LoadPorts } from "./segment-load.js";
import { SegmentTransfers, type LoadTarget } from "./segment-transfers.js";

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

/** The engine's clock: performance.now(), the clock of the HTTP estimates' samples, and setTimeout. */
const realClock: LoadClock = {
  now: () => performance.now(),
  at(timeMs, fn) {
    const timer = setTimeout(fn, Math.max(0, timeMs - performance.now()));
    return { cancel: () => clearTimeout(timer) };
  },
};

export class SegmentDelivery {
  private readonly transfers: SegmentTransfers;
  private readonly policy: DeliveryPolicy;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly estimates: TransferEstimates,
  ) {
    this.transfers = new SegmentTransfers(deps);
    this.policy = new DeliveryPolicy(deps.config);
  }

  /** Deliver a segment that is not complete in the store; throws HttpError/AbortError as httpFetch does. */
  async deliver(request: SegmentRequest, options: LoadOptions, started: number): Promise<SegmentResult> {
    const playback = this.deps.playback();
    if (playback) this.deps.store?.setPlayhead(playback.positionSec);
    const verify = isVerifiable(request, this.deps.config.validateSegment);
    const target: LoadTarget = {
      request,
      assembly: new SegmentAssembly(request, this.deps.store, verify),
      options,
    };
    const { assembly } = target;
    const retries = await this.run(target, false);
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
   * Run one SegmentLoad on the engine's transports; resolves with the HTTP retries it took, or
   * rejects with what ended it (its partial copy is dropped from the store then).
   */
  private async run(target: LoadTarget, httpOnly: boolean): Promise<number> {
    let retries = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const signal = target.options.signal;
        if (signal?.aborted) return reject(new AbortError("aborted"));
        const onAbort = () => load.abort(new AbortError("aborted"));
        const settle =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            signal?.removeEventListener("abort", onAbort);
            fn(value);
          };
        const ports = this.ports(target, httpOnly, (result) => (retries = result.retries));
        const load = new SegmentLoad(this.policy, ports, { done: settle(resolve), failed: settle(reject) });
        signal?.addEventListener("abort", onAbort);
        load.start();
      });
      // Shared whole only once confirmed (a copy from HTTP was confirmed when its fetch ended).
      await this.transfers.confirmation.confirm(target.assembly, target.options);
    } catch (error) {
      target.assembly.discardPartial();
      throw error;
    }
    return retries;
  }

  /** The engine's transports, swarm and clock for one load. */
  private ports(
    target: LoadTarget,
    httpOnly: boolean,
    onFetched: (result: { retries: number }) => void,
  ): LoadPorts {
    const { request, assembly } = target;
    const network = this.deps.network;
    const swarm = network?.swarm(request.swarmKey);
    const log = this.deps.log;
    return {
      segment: request,
      bytes: assembly,
      httpOnly,
      deadlineMs: () => playbackDeadlineMs(this.deps.playback()),
      estimates: this.estimates,
      clock: realClock,
      p2p: network &&
        swarm && {
          peers: swarm,
          peerId: network.peerId,
          uploading: network.uploading,
          swarm: {
            waitForChange: (maxWaitMs, wake) => swarm.waitForChange(maxWaitMs, wake),
            peer: (peerId) => {
              const peer = network.getPeer(request.swarmKey, peerId);
              return peer && this.transfers.peerLink(peer, target);
            },
          },
        },
      http: this.transfers.http(target, onFetched),
      announce: {
        fetching: () => network?.announceFetching(request.swarmKey, request.id),
        fetchCancelled: () => network?.cancelFetching(request.swarmKey, request.id),
      },
      observe: (decision, input, afterHttpFailure) =>
        log(
          "%s %s: %s (%s) deadline %d ms, %d peers connected, %d candidates%s",
          request.swarmKey,
          request.id,
          decision.kind,
          decision.reason,
          input.deadlineMs,
          input.connectedPeers,
          input.candidates.length,
          afterHttpFailure ? ", after an HTTP failure" : "",
        ),
      log: (format, ...args) => log(`%s ${format}`, request.swarmKey, ...args),
    };
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
    const retries = await this.run({ request, assembly: fresh, options }, true);
    return {
      data: fresh.bytes(),
      source: "http",
      timing: fresh.timing(started),
      httpBytes: rejected.httpBytes + fresh.httpBytes,
      p2pBytes: 0,
      httpRetries: retries,
    };
  }
}
