// The engine's transports for a segment load (engine/segment-load.ts's PeerLink and HttpPort): bytes
// from one peer or over HTTP (a Range from the bytes already held) into the load's assembly, counted
// in stats and events. When to use which, and for how long, is the policy's (core/policy/).
import type { NearcastConfig } from "../core/config.js";
import { CopyConfirmation, publishedDigest, statedLength } from "../core/copy-confirmation.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { SegmentAssembly } from "../core/segment-assembly.js";
import type { StatsCollector } from "../core/stats.js";
import type { LoadOptions, SegmentRequest, TransferTiming } from "../core/types.js";
import { httpFetch, isRetryableHttpError } from "../http/http-fetcher.js";
import { requestPreparer } from "../http/request-setup.js";
import { tailCheck } from "../http/tail-check.js";
import { peerStatsKey } from "../p2p/p2p-network.js";
import type { Peer } from "../p2p/peer.js";
import type { SegmentTrust } from "../verify/trust-ladder.js";
import type { Platform } from "./platform.js";
import type { HttpPort, PeerLink } from "./segment-load.js";

/** What a transfer needs from its engine (a part of the delivery loop's DeliveryDeps). */
export interface TransferDeps {
  config: NearcastConfig;
  platform: Platform;
  stats: StatsCollector;
  log: Logger;
  emit<K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]): void;
}

/** One segment load's bytes and options, as every transfer of it needs them. */
export interface LoadTarget {
  request: SegmentRequest;
  assembly: SegmentAssembly;
  options: LoadOptions;
  /** The load's trust ladder, told what peers give as it arrives (it starts spot checks then). */
  trust?: SegmentTrust;
}

/** An HTTP fetch's outcome. */
export interface HttpFetched {
  retries: number;
  timing: TransferTiming;
  /** Bytes of the requested range delivered. */
  length: number;
}

/** Moves bytes of a segment into its assembly from one source, counting them in stats and events. */
export class SegmentTransfers {
  /** The checks a copy passes before it is shared whole (copy-confirmation.ts), strongest first. */
  readonly confirmation: CopyConfirmation;

  constructor(private readonly deps: TransferDeps) {
    const { config, platform, stats } = deps;
    this.confirmation = new CopyConfirmation({
      confirmers: [publishedDigest, statedLength, tailCheck({ config, fetchImpl: platform.fetch, stats })],
      stats,
      emit: (event, arg) => deps.emit(event, arg),
      log: deps.log,
    });
  }

  /** A peer as a load's transport: it streams the rest of the segment into the assembly. */
  peerLink(peer: Peer, { request, assembly, options, trust }: LoadTarget): PeerLink {
    return {
      request: (offset, events) => {
        const statsKey = peerStatsKey(peer);
        assembly.peerIds.add(peer.id);
        // Nothing is reported after a cancel (the peer's rejection of the request comes later).
        let cancelled = false;
        const { done, cancel } = peer.request(
          request.id,
          offset,
          assembly.statedLength,
          (at, chunk, total) => {
            assembly.setTotal(total, "peer");
            trust?.lengthKnown(assembly.totalLength);
            assembly.append(at, chunk, "p2p", performance.now(), peer.id);
            trust?.peerBytes(at, chunk.byteLength);
            this.deps.stats.addP2pBytes(request.swarmKey, statsKey, chunk.byteLength);
            this.deps.emit("bytes-downloaded", { source: "p2p", bytes: chunk.byteLength, peerId: peer.id });
            options.onProgress?.(assembly.length, assembly.totalLength || assembly.length);
            events.progress(chunk.byteLength);
          },
        );
        done.then(
          () => cancelled || events.done(),
          // A peer that broke the protocol has closed itself (peer.ts): nothing more to do here.
          (error: unknown) => {
            if (!cancelled) events.failed((error as Error).message);
          },
        );
        return {
          cancel: (reason) => {
            cancelled = true;
            cancel(reason);
          },
        };
      },
    };
  }

  /** HTTP as a load's transport; `onFetched` learns each successful fetch's retries. */
  http(target: LoadTarget, onFetched: (result: HttpFetched) => void): HttpPort {
    return {
      fetch: (offset, events) => {
        const stop = new AbortController();
        const outer = target.options.signal;
        const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
        this.fromHttp(target, offset, signal).then(
          (result) => {
            if (stop.signal.aborted) return;
            onFetched(result);
            events.fetched(result.timing, result.length);
          },
          (error: unknown) => {
            if (!stop.signal.aborted)
              events.fetchFailed(error, isRetryableHttpError(error) && !signal.aborted);
          },
        );
        return { abort: () => stop.abort() };
      },
    };
  }

  /** Fetch the segment from `fromOffset` over HTTP (a Range from the bytes peers already gave). */
  private async fromHttp(
    { request, assembly, options, trust }: LoadTarget,
    fromOffset: number,
    signal: AbortSignal | undefined,
  ): Promise<HttpFetched> {
    const base = request.byteRange?.start ?? 0;
    // HTTP resumes from the peers' bytes: their span is final, its spot check may start now.
    if (fromOffset > 0 && assembly.p2pBytes > 0) trust?.peersDone();
    this.deps.stats.httpRequests++;
    assembly.httpRequestStarted(performance.now());
    options.onHttpRequest?.();
    const result = await httpFetch(request.url, {
      range: { start: base + fromOffset, end: request.byteRange?.end },
      // A body of this URL was refused lately: the browser may have cached it; fetch and re-cache.
      ...(this.confirmation.wasRefused(request.url) ? { cache: "reload" as const } : {}),
      signal,
      policy: options.http,
      fetchImpl: this.deps.platform.fetch,
      prepare: requestPreparer(request, this.deps.config, options.playerRequestSetup),
      discardBody: true,
      onChunk: (chunk, loaded, total) => {
        if (total > 0) assembly.setTotal(fromOffset + total);
        assembly.append(fromOffset + loaded - chunk.byteLength, chunk, "http", performance.now());
        this.deps.stats.addHttpBytes(request.swarmKey, chunk.byteLength);
        this.deps.emit("bytes-downloaded", { source: "http", bytes: chunk.byteLength });
        options.onProgress?.(assembly.length, assembly.totalLength || assembly.length);
      },
    }).catch((error: unknown) => {
      this.confirmation.fetchFailed(assembly, error);
      throw error;
    });
    // Length checks and confirmation (a tail check for a body of unknown length) before the copy
    // counts as complete for peers; a refuted copy throws HttpBodyError like a failed fetch.
    await this.confirmation.httpEnded(assembly, result, { ...options, signal });
    this.deps.stats.httpRetries += result.retries;
    return { retries: result.retries, timing: result.timing, length: result.length };
  }
}
