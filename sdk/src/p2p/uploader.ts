import type { Logger } from "../core/logger.js";
import type { SegmentStore } from "../core/segment-store.js";
import type { TokenBucket } from "../core/token-bucket.js";
import { FETCHING_TTL_MS, MAX_INBOUND_REQUESTS_PER_PEER } from "./constants.js";
import type { Peer } from "./peer.js";
import { encodeDataFrame } from "./protocol.js";
import type { RequestMessage } from "./protocol-types.js";
import { nextUploadStep, servesSegment } from "./upload-rules.js";

interface UploadJob {
  peer: Peer;
  requestId: number;
  segmentId: string;
  offset: number;
  rangeEnd: number | undefined;
  cancelled: boolean;
  sentAny: boolean;
  /** The copy being served (its store generation), from its first byte sent. */
  generation: number | undefined;
}

export interface UploaderOptions {
  store: SegmentStore;
  limiter: TokenBucket | undefined;
  /**
   * Uploads of one segment served at once; a further request gets `absent` ("busy") and the
   * requester turns to a peer still receiving it, so under an upload cap a segment spreads down a
   * chain of viewers instead of every viewer queuing on the one that fetched it.
   */
  maxConcurrentPerSegment: number;
  enabled: () => boolean;
  /**
   * This viewer's measured uplink rate, bytes/s (undefined: no estimate yet): a request for a
   * segment the uplink cannot pass on in real time gets `absent` (upload-rules.ts `servesSegment`).
   */
  measuredUplinkBytesPerSec?: () => number | undefined;
  /** True while this viewer is downloading the segment: a request for it waits for the bytes. */
  isLoading: (swarmKey: string, segmentId: string) => boolean;
  onUploaded: (peer: Peer, bytes: number) => void;
  log: Logger;
}

const key = (swarmKey: string, segmentId: string) => `${swarmKey}\n${segmentId}`;

/**
 * Answers peers' requests from the segment store, one request at a time per peer, chunk by chunk,
 * paced by the channel's buffer and the upload cap. A segment still arriving is streamed as its
 * bytes land, so a viewer that waits for the one fetching from the CDN loses almost no time.
 *
 * What receivers hold senders to (sdk/src/p2p/peer-downloads.ts), this keeps: every data frame
 * declares the segment's size (a segment whose size nobody stated is not sent until it is confirmed); a
 * request that expects another size gets `absent`; the last byte of a copy not yet confirmed (see
 * `SegmentStore.confirm`) is held back, so no receiver completes a copy that may yet be refuted; and
 * when the copy an upload streams from is dropped or replaced, the upload ends with `absent`.
 */
export class Uploader {
  private readonly queues = new Map<Peer, UploadJob[]>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly activeBySegment = new Map<string, number>();
  private destroyed = false;

  constructor(private readonly options: UploaderOptions) {}

  handleRequest(peer: Peer, request: RequestMessage): void {
    let queue = this.queues.get(peer);
    if (!queue) this.queues.set(peer, (queue = []));
    if (queue.length >= MAX_INBOUND_REQUESTS_PER_PEER) return peer.close("too many open requests");
    const segmentKey = key(peer.swarmKey, request.segmentId);
    if ((this.activeBySegment.get(segmentKey) ?? 0) >= this.options.maxConcurrentPerSegment) {
      return peer.send({ type: "absent", requestId: request.requestId });
    }
    const job: UploadJob = {
      peer,
      requestId: request.requestId,
      segmentId: request.segmentId,
      offset: request.rangeStart,
      rangeEnd: request.rangeEnd,
      cancelled: false,
      sentAny: false,
      generation: undefined,
    };
    queue.push(job);
    if (queue.length === 1) void this.drain(peer, queue);
  }

  handleCancel(peer: Peer, requestId: number): void {
    for (const job of this.queues.get(peer) ?? []) if (job.requestId === requestId) job.cancelled = true;
  }

  /** The store changed this segment: wake uploads waiting for its bytes. */
  notify(swarmKey: string, segmentId: string): void {
    // Called for every chunk stored: most calls find no upload waiting, and need no key built.
    if (this.waiters.size === 0) return;
    const k = key(swarmKey, segmentId);
    const set = this.waiters.get(k);
    if (!set) return;
    this.waiters.delete(k);
    for (const wake of set) wake();
  }

  /** Whether requests of this peer are queued or being served. */
  hasOpenUploads(peer: Peer): boolean {
    return (this.queues.get(peer)?.length ?? 0) > 0;
  }

  peerClosed(peer: Peer): void {
    for (const job of this.queues.get(peer) ?? []) job.cancelled = true;
    this.queues.delete(peer);
  }

  destroy(): void {
    this.destroyed = true;
    for (const queue of this.queues.values()) for (const job of queue) job.cancelled = true;
    this.queues.clear();
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
  }

  private async drain(peer: Peer, queue: UploadJob[]): Promise<void> {
    while (queue.length > 0 && !this.destroyed) {
      const job = queue[0]!;
      const segmentKey = key(peer.swarmKey, job.segmentId);
      this.activeBySegment.set(segmentKey, (this.activeBySegment.get(segmentKey) ?? 0) + 1);
      try {
        await this.serve(job);
      } catch (error) {
        this.options.log("upload to %s failed: %o", peer.id, error);
      } finally {
        const left = (this.activeBySegment.get(segmentKey) ?? 1) - 1;
        if (left > 0) this.activeBySegment.set(segmentKey, left);
        else this.activeBySegment.delete(segmentKey);
      }
      queue.shift();
    }
  }

  private async serve(job: UploadJob): Promise<void> {
    const { store, limiter } = this.options;
    const { peer, segmentId } = job;
    const swarmKey = peer.swarmKey;
    const absent = () => peer.send({ type: "absent", requestId: job.requestId });
    if (!this.options.enabled()) return absent();
    for (;;) {
      if (job.cancelled || peer.isClosed || this.destroyed) return;
      const entry = store.get(swarmKey, segmentId);
      const step = nextUploadStep(job, entry, this.options.isLoading(swarmKey, segmentId));
      if (step.kind === "done") return;
      if (step.kind === "wait" && (await this.waitForBytes(swarmKey, segmentId))) continue;
      if (step.kind !== "send" || !entry) return absent();
      if (
        !job.sentAny &&
        !servesSegment(
          this.options.measuredUplinkBytesPerSec?.(),
          entry.totalLength,
          entry.timing?.durationSec,
        )
      )
        return absent();
      const total = entry.totalLength;
      const chunk = entry.data.subarray(job.offset, job.offset + step.bytes);
      if (!peer.canSendData) await peer.waitForDrain();
      if (limiter) await limiter.take(chunk.byteLength);
      if (job.cancelled || peer.isClosed) return;
      peer.sendFrame(encodeDataFrame(job.requestId, job.offset, total, chunk));
      job.sentAny = true;
      job.generation = entry.generation;
      job.offset += chunk.byteLength;
      this.options.onUploaded(peer, chunk.byteLength);
    }
  }

  /** Wait until the segment changes; false if nothing happened for FETCHING_TTL_MS. */
  private waitForBytes(swarmKey: string, segmentId: string): Promise<boolean> {
    return new Promise((resolve) => {
      const k = key(swarmKey, segmentId);
      let set = this.waiters.get(k);
      if (!set) this.waiters.set(k, (set = new Set()));
      const timer = setTimeout(() => {
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(k) === set) this.waiters.delete(k);
        resolve(false);
      }, FETCHING_TTL_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve(!this.destroyed);
      };
      set.add(wake);
    });
  }
}
