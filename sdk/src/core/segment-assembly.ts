import { UNKNOWN_LENGTH } from "./availability.js";
import { concat } from "./bytes.js";
import {
  confirmCopy,
  type CopyVerdict,
  type LengthEvidence,
  type SegmentConfirmer,
} from "./copy-confirmation.js";
import { AbortError, HttpBodyError } from "./errors.js";
import type { SegmentStore } from "./segment-store.js";
import type { LoadOptions, SegmentRequest, SegmentSource, TransferTiming } from "./types.js";

/**
 * The bytes of one segment as they arrive, from HTTP and peers in any mix, always in order.
 * Mirrored into the segment store while they arrive so peers can be served from the first chunk
 * (the store may refuse, e.g. over budget: then the segment is simply not shared).
 *
 * With `holdUnverifiedP2p`, bytes from peers are not mirrored as they arrive: nobody is served them
 * until the whole segment has passed verification and {@link publish} stores it, or a prefix of it
 * passed its chunk digests and {@link release} mirrors that prefix (verified cut-through,
 * verify/chunk-verifier.ts).
 *
 * A mirrored copy is shared whole only once {@link confirm}ed (its length or bytes checked, see
 * copy-confirmation.ts); a copy that fails is dropped and the assembly starts over.
 */
export class SegmentAssembly {
  private readonly chunks: Uint8Array[] = [];
  length = 0;
  totalLength = UNKNOWN_LENGTH;
  httpBytes = 0;
  p2pBytes = 0;
  firstByteMs = 0;
  lastByteMs = 0;
  /**
   * When the HTTP request that is delivering the rest of the segment was started (0 = none yet),
   * and its first byte; see {@link timing}.
   */
  private httpRequestStartMs = 0;
  private httpFirstByteMs = 0;
  /** Every peer that sent bytes of this segment (all are banned if the segment fails verification). */
  readonly peerIds = new Set<string>();
  /** Who sent each run of bytes, in order: `end` of the run, the peer (undefined: HTTP). */
  private readonly senders: { end: number; peerId: string | undefined }[] = [];
  /** Held bytes `[0, releasedEnd)` were mirrored for peers after passing their chunk digests. */
  private releasedEnd = 0;
  private mirrored: boolean | undefined;
  private held = false;
  /** The size is a peer's claim, not an authority's: an HTTP response may correct it. */
  private totalFromPeer = false;
  /** What vouches for the copy's length (see LengthEvidence). */
  private lengthEvidence: LengthEvidence;
  /** Status of the last HTTP response that delivered bytes (0: none did). */
  httpStatus = 0;
  /** The check the whole copy passed, once it has. */
  private confirmedBy: string | undefined;

  constructor(
    readonly request: SegmentRequest,
    private readonly store: SegmentStore | undefined,
    private readonly holdUnverifiedP2p = false,
  ) {
    this.lengthEvidence = initialEvidence(request);
    this.totalLength = rangeLength(request);
  }

  /**
   * The segment's size as an authority stated it (the playlist's byte range, an HTTP response, or
   * another `setTotal(…, "authority")` such as a verified digest record): what a peer must be asked
   * for. Undefined while nothing but a peer's claim, or nothing at all, gives it.
   */
  get statedLength(): number | undefined {
    return this.totalLength !== UNKNOWN_LENGTH && !this.totalFromPeer ? this.totalLength : undefined;
  }

  get complete(): boolean {
    return this.totalLength !== UNKNOWN_LENGTH && this.length === this.totalLength;
  }

  /**
   * Learn the size: from an authority (`authority`: an HTTP response's Content-Length or
   * Content-Range, the byte range) or from a peer's data frames (`peer`: the size it announced). An
   * authority's size replaces a peer's that disagrees (the stored copy, sized for the peer's, is then
   * dropped); other conflicts throw.
   */
  setTotal(total: number, from: "authority" | "peer" = "authority"): void {
    if (total === UNKNOWN_LENGTH) return;
    if (total === this.totalLength) {
      if (from === "authority") this.totalFromPeer = false;
      return;
    }
    if (this.totalLength !== UNKNOWN_LENGTH && !(this.totalFromPeer && from === "authority"))
      throw new Error(`segment size changed from ${this.totalLength} to ${total}`);
    if (total < this.length) throw new Error(`segment size ${total} below the ${this.length} bytes received`);
    if (this.totalLength !== UNKNOWN_LENGTH) this.unshare();
    this.totalLength = total;
    this.totalFromPeer = from === "peer";
  }

  /** The next bytes, at `offset` (= {@link length}); `peerId`: the peer that sent them, for p2p. */
  append(offset: number, chunk: Uint8Array, source: "http" | "p2p", nowMs: number, peerId?: string): void {
    if (offset !== this.length) throw new Error(`chunk at ${offset}, expected ${this.length}`);
    if (this.totalLength !== UNKNOWN_LENGTH && offset + chunk.byteLength > this.totalLength) {
      throw new Error("chunk past the end of the segment");
    }
    // Neither source reuses its buffers (fetch reader chunks and data-channel messages are fresh),
    // so the chunk is kept as it is; the store makes its own copy when mirroring.
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
    const sender = source === "p2p" ? peerId : undefined;
    const last = this.senders.at(-1);
    if (last && last.peerId === sender) last.end = this.length;
    else this.senders.push({ end: this.length, peerId: sender });
    if (source === "http") this.httpBytes += chunk.byteLength;
    else this.p2pBytes += chunk.byteLength;
    if (this.firstByteMs === 0) this.firstByteMs = nowMs;
    if (source === "http" && this.httpFirstByteMs === 0) this.httpFirstByteMs = nowMs;
    this.lastByteMs = nowMs;
    if (source === "p2p" && this.lengthEvidence === "none") this.lengthEvidence = "peer";
    if (source === "p2p" && this.holdUnverifiedP2p && !this.mirrored) this.held = true;
    if (!this.held) this.mirror(offset, chunk);
  }

  /**
   * Held bytes `[0, end)` passed their chunk digests: mirror those not yet mirrored, so peers are
   * served from them while the rest arrives (the store serves an unconfirmed copy's bytes but its
   * last until {@link publish} confirms it).
   */
  release(end: number): void {
    if (!this.held || end <= this.releasedEnd || end > this.length) return;
    for (const [offset, part] of this.parts(this.releasedEnd, end)) this.mirror(offset, part);
    this.releasedEnd = end;
  }

  /** Bytes `[start, end)` held (`end ≤ length`), a copy when they span chunks. */
  slice(start: number, end: number): Uint8Array {
    const parts = [...this.parts(start, end)].map(([, part]) => part);
    return parts.length === 1 ? parts[0]! : concat(parts, end - start);
  }

  /** The held chunks' views of `[start, end)`, in order, each with its offset in the segment. */
  private *parts(start: number, end: number): Generator<[number, Uint8Array]> {
    let at = 0;
    for (const chunk of this.chunks) {
      const from = Math.max(start, at);
      const to = Math.min(end, at + chunk.byteLength);
      if (to > from) yield [from, chunk.subarray(from - at, to - at)];
      at += chunk.byteLength;
      if (at >= end) return;
    }
  }

  /** The peers that sent any byte of `[start, end)`. */
  peersIn(start: number, end: number): string[] {
    const peers = new Set<string>();
    let runStart = 0;
    for (const { end: runEnd, peerId } of this.senders) {
      if (runEnd > start && runStart < end && peerId !== undefined) peers.add(peerId);
      runStart = runEnd;
    }
    return [...peers];
  }

  /**
   * The segment passed verification: store the bytes held back from peers, confirmed, to be shared
   * (after a {@link release}d prefix: the rest of them, into the copy already mirrored).
   */
  publish(data: Uint8Array): void {
    if (!this.held || !this.complete) return;
    this.confirmedBy = "verification";
    const { swarmKey, id, startTimeSec, durationSec } = this.request;
    if (this.releasedEnd === 0) {
      this.held = false;
      this.store?.put(swarmKey, id, data, { startTimeSec, durationSec }, { confirmed: true });
      return;
    }
    this.release(this.length);
    this.held = false;
    if (!this.mirrored) return;
    this.store?.finish(swarmKey, id);
    this.store?.confirm(swarmKey, id);
  }

  /**
   * The HTTP response that delivered the rest of the segment ended cleanly; `length` is what vouched
   * for its size, `status` its status. A segment of unknown size is now complete at the bytes held.
   * @throws HttpBodyError (`length-mismatch`) when the body ended short of a size already known.
   */
  httpEnded(length: LengthEvidence, status: number): void {
    this.httpStatus = status;
    this.lengthEvidence = length;
    if (this.totalLength === UNKNOWN_LENGTH) this.totalLength = this.length;
    else if (this.length !== this.totalLength) {
      throw new HttpBodyError(
        `body ended after ${this.length} of ${this.totalLength} bytes`,
        status,
        "length-mismatch",
      );
    }
    if (this.mirrored) this.store?.finish(this.request.swarmKey, this.request.id);
  }

  /**
   * Confirm the complete copy before it is shared whole: the first confirmer with a verdict decides
   * (copy-confirmation.ts). Confirmed: the stored copy is confirmed, peers may have it all. Refuted:
   * the copy is dropped from the store (uploads streaming it end with `absent`) and from this
   * assembly, which starts over empty. No verdict: the copy is kept for the player, never shared.
   * A copy held for verification is confirmed by {@link publish} instead. Resolves to the verdict.
   */
  async confirm(
    confirmers: readonly SegmentConfirmer[],
    options: LoadOptions,
  ): Promise<CopyVerdict | undefined> {
    if (this.confirmedBy !== undefined) return { confirmed: true, by: this.confirmedBy };
    if (!this.complete || this.held) return undefined;
    const verdict = await confirmCopy(
      confirmers,
      {
        request: this.request,
        data: this.bytes(),
        httpBytes: this.httpBytes,
        p2pBytes: this.p2pBytes,
        length: this.lengthEvidence,
        httpStatus: this.httpStatus,
      },
      options,
    );
    if (options.signal?.aborted) throw new AbortError("aborted");
    if (verdict?.confirmed) {
      this.confirmedBy = verdict.by;
      if (this.mirrored) this.store?.confirm(this.request.swarmKey, this.request.id);
    } else if (verdict) this.discardCopy();
    else this.unshare();
    return verdict;
  }

  /** Give up: drop a copy not confirmed from the store, so nobody is served half or a doubtful whole. */
  discardPartial(): void {
    if (this.confirmedBy === undefined) this.unshare();
    this.mirrored = false;
  }

  /** The copy is refused: drop it from the store and start over, empty, as if no byte had come. */
  discardCopy(): void {
    this.unshare();
    this.mirrored = undefined;
    this.chunks.length = 0;
    this.senders.length = 0;
    this.releasedEnd = 0;
    this.length = 0;
    this.totalLength = rangeLength(this.request);
    this.totalFromPeer = false;
    this.lengthEvidence = initialEvidence(this.request);
    this.held = false;
    this.confirmedBy = undefined;
  }

  /**
   * The whole segment in a buffer of its own (never a view into a larger one), safe to transfer. The
   * chunks are joined once: the buffer then stands for them, so the copy's confirmation and the
   * delivery to the player (two calls per segment) share it, as they already did a one-chunk copy.
   */
  bytes(): Uint8Array {
    const data = concat(this.chunks, this.length);
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
    if (this.length > 0 && (this.chunks.length !== 1 || this.chunks[0] !== whole))
      this.chunks.splice(0, this.chunks.length, whole);
    return whole;
  }

  source(): SegmentSource {
    return this.p2pBytes > this.httpBytes ? "p2p" : "http";
  }

  /** An HTTP request for the rest of the segment starts now (`nowMs`, performance.now()). */
  httpRequestStarted(nowMs: number): void {
    this.httpRequestStartMs = nowMs;
    this.httpFirstByteMs = 0;
  }

  /**
   * The transfer's timings for hls.js's ABR. A segment that came mostly over HTTP is timed from its
   * HTTP request, not from `requestStartMs` (the load call): time spent waiting for peers first —
   * the new-segment hold, a peer that stalled — is not network time, and counted as such it would
   * read as a slow connection and switch the viewer down.
   */
  timing(requestStartMs: number): TransferTiming {
    if (this.source() === "http" && this.httpRequestStartMs > 0) {
      return {
        requestStartMs: this.httpRequestStartMs,
        firstByteMs: this.httpFirstByteMs || this.httpRequestStartMs,
        endMs: this.lastByteMs || this.httpRequestStartMs,
      };
    }
    return {
      requestStartMs,
      firstByteMs: this.firstByteMs || requestStartMs,
      endMs: this.lastByteMs || requestStartMs,
    };
  }

  /** Stop sharing this copy: drop it from the store, never mirror more of it. */
  private unshare(): void {
    if (this.mirrored) this.store?.delete(this.request.swarmKey, this.request.id);
    this.mirrored = false;
  }

  private mirror(offset: number, chunk: Uint8Array): void {
    const store = this.store;
    if (!store || this.mirrored === false) return;
    const { swarmKey, id, startTimeSec, durationSec } = this.request;
    if (this.mirrored === undefined) {
      this.mirrored =
        offset === 0 && store.begin(swarmKey, id, this.totalLength, { startTimeSec, durationSec });
      if (!this.mirrored) return;
    }
    const result = store.append(swarmKey, id, offset, chunk);
    if (result === "appended" || result === "completed") return;
    // Another load completed the same segment meanwhile: its copy is good, keep it.
    if (result !== "already-complete" && result !== "not-found") store.delete(swarmKey, id);
    this.mirrored = false;
  }
}

/** A byte range in the playlist states the size from the start; otherwise nothing does yet. */
function initialEvidence(request: SegmentRequest): LengthEvidence {
  return request.byteRange?.end !== undefined ? "byte-range" : "none";
}

function rangeLength(request: SegmentRequest): number {
  const range = request.byteRange;
  return range?.end !== undefined ? range.end - range.start : UNKNOWN_LENGTH;
}
