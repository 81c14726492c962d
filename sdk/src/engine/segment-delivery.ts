// Delivers a segment the store does not hold: runs a SegmentLoad (segment-load.ts) on the engine's
// transports and clock, then has the trust ladder (verify/trust-ladder.ts) judge what peers gave
// before the player gets it. The engine owns one.
import type { NearcastConfig } from "../core/config.js";
import { AbortError } from "../core/errors.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import { playbackDeadlineMs, slackOf } from "../core/policy/decide.js";
import { DeliveryPolicy } from "../core/policy/delivery-policy.js";
import type { TransferEstimates } from "../core/policy/transfer-estimates.js";
import { SegmentAssembly } from "../core/segment-assembly.js";
import type { SegmentStore } from "../core/segment-store.js";
import type { StatsCollector } from "../core/stats.js";
import type { LoadOptions, PlaybackState, SegmentRequest, SegmentResult } from "../core/types.js";
import type { DigestClient } from "../http/digest-client.js";
import type { P2PNetwork } from "../p2p/p2p-network.js";
import { TrustLadder } from "../verify/trust-ladder.js";
import type { Platform } from "./platform.js";
import { SegmentLoad, type LoadClock, type LoadPorts } from "./segment-load.js";
import { SegmentTransfers, type LoadTarget } from "./segment-transfers.js";
import { TrustVerdicts } from "./trust-verdicts.js";

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
  /** The digest service's client (from the first tracker URL); undefined without one. */
  digests: DigestClient | undefined;
  /** The tracker's session for digest asks, once it issued one. */
  session(): string | undefined;
}

/** The longest a load waits for the digest service and spot checks once its bytes are in, ms. */
const MAX_VERIFICATION_WAIT_MS = 3000;
/** …and at least this long, even with the playback deadline passed (they usually answered already). */
const MIN_VERIFICATION_WAIT_MS = 400;

/**
 * How long the trust ladder may wait for its answers once a load's bytes are in, ms: the playback
 * deadline (`deadlineMs`, media buffered ahead) less the HTTP safety margin, within
 * [MIN_VERIFICATION_WAIT_MS, MAX_VERIFICATION_WAIT_MS]. Exported for the swarm simulator.
 */
export function verificationWaitMs(deadlineMs: number, httpSafetyMarginMs: number): number {
  const slack = deadlineMs - httpSafetyMarginMs;
  return Math.min(MAX_VERIFICATION_WAIT_MS, Math.max(MIN_VERIFICATION_WAIT_MS, slack));
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
  private readonly trust: TrustLadder;
  private readonly verdicts: TrustVerdicts;

  constructor(
    private readonly deps: DeliveryDeps,
    private readonly estimates: TransferEstimates,
  ) {
    this.transfers = new SegmentTransfers(deps);
    this.policy = new DeliveryPolicy(deps.config);
    this.verdicts = new TrustVerdicts(deps);
    this.trust = new TrustLadder({
      config: deps.config,
      fetchImpl: deps.platform.fetch,
      get digests() {
        return deps.digests;
      },
      viewer: () => {
        const peerId = deps.network?.peerId;
        const session = deps.session();
        return peerId === undefined ? undefined : { peerId, ...(session !== undefined ? { session } : {}) };
      },
      spotCheckBytes: (swarmKey, bytes) => {
        deps.stats.addSpotCheck(swarmKey, bytes);
        deps.emit("bytes-downloaded", { source: "http", bytes });
      },
    });
  }

  /** Deliver a segment that is not complete in the store; throws HttpError/AbortError as httpFetch does. */
  async deliver(request: SegmentRequest, options: LoadOptions, started: number): Promise<SegmentResult> {
    const playback = this.deps.playback();
    if (playback) this.deps.store?.setPlayhead(playback.positionSec);
    const { config } = this.deps;
    // Peers only where some rung may vouch for their bytes, or the page accepts unverified ones.
    const peersWorthIt = this.trust.mayVerify(request) || config.allowUnverifiedPeers;
    const trust =
      this.deps.network && peersWorthIt ? this.trust.begin(request, options.playerRequestSetup) : undefined;
    // Bytes from peers are never mirrored for others before the ladder vouched for them (all of them,
    // or chunk by chunk when the digest service sent chunk digests).
    const target: LoadTarget = {
      request,
      assembly: new SegmentAssembly(request, this.deps.store, true),
      options,
      ...(trust ? { trust } : {}),
    };
    const { assembly } = target;
    // Verified cut-through: with chunk digests, each verified chunk of peer bytes is shared at once;
    // a chunk that fails bans its senders now, so the load goes on without them.
    let chunkFailed = false;
    trust?.cutThrough(assembly, (verdict) => {
      chunkFailed = true;
      this.verdicts.judged(request, assembly, verdict);
    });
    try {
      const retries = await this.run(target, !peersWorthIt);
      const data = assembly.bytes();
      if (trust && assembly.p2pBytes > 0) {
        const verdict = await trust.verdict(data, this.verificationWaitMs());
        if (options.signal?.aborted) throw new AbortError("aborted");
        // A chunk failure was judged when it was found; the verdict is that failure.
        const refused = chunkFailed || this.verdicts.judged(request, assembly, verdict);
        if (refused) {
          // A prefix released before the failure is dropped: the copy from HTTP takes its place.
          assembly.discardPartial();
          return await this.overHttp(request, assembly, options, started);
        }
        if (verdict.kind === "verified") assembly.publish(data);
      }
      return this.result(assembly, data, started, retries);
    } finally {
      trust?.dispose();
    }
  }

  private result(
    assembly: SegmentAssembly,
    data: Uint8Array,
    started: number,
    retries: number,
  ): SegmentResult {
    return {
      data,
      source: assembly.source(),
      timing: assembly.timing(started),
      httpBytes: assembly.httpBytes,
      p2pBytes: assembly.p2pBytes,
      httpRetries: retries,
    };
  }

  /** How long the ladder may wait for its answers: within the playback deadline where it can. */
  private verificationWaitMs(): number {
    return verificationWaitMs(playbackDeadlineMs(this.deps.playback()), this.deps.config.httpSafetyMarginMs);
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
    const swarm = network?.swarm(request.swarmKey, request.track);
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
          "%s %s: %s (%s) deadline %d ms, slack %d ms, hold left %d ms, %d peers connected, %d candidates%s",
          request.swarmKey,
          request.id,
          decision.kind,
          decision.reason,
          input.deadlineMs,
          slackOf(input),
          input.holdLeftMs,
          input.connectedPeers,
          input.candidates.length,
          afterHttpFailure ? ", after an HTTP failure" : "",
        ),
      log: (format, ...args) => log(`%s ${format}`, request.swarmKey, ...args),
    };
  }

  /** Fetch the whole segment over HTTP (the origin's bytes are the truth), after refused peer bytes. */
  private async overHttp(
    request: SegmentRequest,
    rejected: SegmentAssembly,
    options: LoadOptions,
    started: number,
  ): Promise<SegmentResult> {
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
