// One transfer of a segment load's missing bytes into its assembly: from one peer, watched for
// stalls and its time budget, or over HTTP, a Range from the bytes already held. The delivery loop
// (segment-delivery.ts) decides which source, and when.
import type { NearcastConfig } from "../core/config.js";
import { CopyConfirmation, publishedDigest, statedLength } from "../core/copy-confirmation.js";
import type { NearcastEvents } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { SegmentAssembly } from "../core/segment-assembly.js";
import type { StatsCollector } from "../core/stats.js";
import type { LoadOptions, SegmentRequest } from "../core/types.js";
import { httpFetch } from "../http/http-fetcher.js";
import { requestPreparer } from "../http/request-setup.js";
import { tailCheck } from "../http/tail-check.js";
import { peerStatsKey } from "../p2p/p2p-network.js";
import type { Peer } from "../p2p/peer.js";
import { peerTransferLimits } from "./peer-budget.js";
import type { Platform } from "./platform.js";
import type { TransferEstimates } from "./transfer-estimates.js";

/** What a transfer needs from its engine (a part of the delivery loop's DeliveryDeps). */
export interface TransferDeps {
  config: NearcastConfig;
  platform: Platform;
  stats: StatsCollector;
  log: Logger;
  emit<K extends keyof NearcastEvents>(event: K, arg: NearcastEvents[K]): void;
}

/** Moves bytes of a segment into its assembly from one source, counting them in stats and events. */
export class SegmentTransfers {
  /** The checks a copy passes before it is shared whole (copy-confirmation.ts), strongest first. */
  readonly confirmation: CopyConfirmation;

  constructor(
    private readonly deps: TransferDeps,
    private readonly estimates: TransferEstimates,
  ) {
    const { config, platform, stats } = deps;
    this.confirmation = new CopyConfirmation({
      confirmers: [publishedDigest, statedLength, tailCheck({ config, fetchImpl: platform.fetch, stats })],
      stats,
      emit: (event, arg) => deps.emit(event, arg),
      log: deps.log,
    });
  }

  /**
   * Receive the rest of the segment from one peer; throws when it stalls, runs out of time or fails.
   * The budget grows with the bytes received (see peer-budget.ts).
   */
  fromPeer(
    peer: Peer,
    request: SegmentRequest,
    assembly: SegmentAssembly,
    budgetMs: number,
    options: LoadOptions,
  ): Promise<void> {
    const startedMs = Date.now();
    let lastProgressMs = startedMs;
    let receivedBytes = 0;
    const statsKey = peerStatsKey(peer);
    assembly.peerIds.add(peer.id);
    const { done, cancel } = peer.request(
      request.id,
      assembly.length,
      assembly.statedLength,
      (offset, chunk, total) => {
        assembly.setTotal(total, "peer");
        assembly.append(offset, chunk, "p2p", performance.now());
        lastProgressMs = Date.now();
        receivedBytes += chunk.byteLength;
        this.deps.stats.addP2pBytes(request.swarmKey, statsKey, chunk.byteLength);
        this.deps.emit("bytes-downloaded", { source: "p2p", bytes: chunk.byteLength, peerId: peer.id });
        options.onProgress?.(assembly.length, assembly.totalLength || assembly.length);
      },
    );
    const watchdog = setInterval(() => {
      const now = Date.now();
      const limits = peerTransferLimits(
        budgetMs,
        receivedBytes,
        this.estimates.httpBandwidthBps,
        this.deps.config.p2pStallTimeoutMs,
      );
      if (now - lastProgressMs > limits.stallMs) cancel(`no data for ${Math.round(limits.stallMs)} ms`);
      else if (now - startedMs > limits.budgetMs) cancel(`over the ${Math.round(limits.budgetMs)} ms budget`);
    }, 50);
    const onAbort = () => cancel("aborted");
    options.signal?.addEventListener("abort", onAbort);
    return done.finally(() => {
      clearInterval(watchdog);
      options.signal?.removeEventListener("abort", onAbort);
    });
  }

  /** Fetch the rest of the segment over HTTP (a Range from the bytes peers already gave). */
  async fromHttp(request: SegmentRequest, assembly: SegmentAssembly, options: LoadOptions): Promise<number> {
    const base = request.byteRange?.start ?? 0;
    const fromOffset = assembly.length;
    this.deps.stats.httpRequests++;
    assembly.httpRequestStarted(performance.now());
    const result = await httpFetch(request.url, {
      range: { start: base + fromOffset, end: request.byteRange?.end },
      signal: options.signal,
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
    await this.confirmation.httpEnded(assembly, result, options);
    this.deps.stats.httpRetries += result.retries;
    this.estimates.sampleHttp(result.timing, result.length);
    return result.retries;
  }
}
