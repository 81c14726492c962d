// The downloads we asked one peer for (sdk/src/p2p/peer.ts). Each asks for exactly the rest of a
// segment of a size known before the first byte is taken, and every data frame is held to it: in
// order, declaring that size, for a request still open. A peer that breaks one of these rules is
// refused at its first offending frame (the frame handler closes it), so what it can make us hold
// is bounded by what we asked for, not by what it sends.
import type { SegmentAvailability } from "../core/availability.js";
import { PeerThroughput } from "../core/policy/peer-throughput.js";
import {
  LATE_DATA_ALLOWANCE_BYTES,
  MAX_CANCELLED_REQUESTS_REMEMBERED,
  MAX_CONSECUTIVE_PEER_STALLS,
  MAX_PEER_SEGMENT_BYTES,
  MIN_COMPLETE_HOLDER_BYTES_PER_SEC,
  STALL_JUDGE_AFTER_MS,
} from "./constants.js";
import { PeerError } from "./peer-error.js";
import type { PeerMessage } from "./protocol.js";

/** A download we asked this peer for: the rest of one segment, from `nextOffset` to its end. */
export interface Download {
  segmentId: string;
  nextOffset: number;
  /** The segment's size, which every data frame must declare; undefined until known (see request). */
  expectedLength: number | undefined;
  /** The peer announced the whole segment when asked: it is judged for stalling. */
  claimedComplete: boolean;
  onChunk: (offset: number, chunk: Uint8Array, totalLength: number) => void;
  resolve: () => void;
  reject: (error: Error) => void;
  startedMs: number;
  bytes: number;
}

/** What one peer's downloads need from the peer and the viewer. */
export interface PeerDownloadsDeps {
  send(message: PeerMessage): void;
  isClosed(): boolean;
  /** What the peer announced of a segment: the holder's own claim of its size. */
  announced(segmentId: string): SegmentAvailability | undefined;
  /** Room for a segment of `bytes` among the viewer's buffered peer bytes (see PeerByteBudget). */
  reserve(segmentId: string, bytes: number): boolean;
  /** Bytes of a segment taken from this peer. */
  accepted(segmentId: string, bytes: number): void;
  /** The peer broke a rule outside a frame of its own (a size contradicting ours, repeated stalls). */
  violated(error: PeerError): void;
  now?(): number;
}

/** What `request` returns: the download's end, and how to stop it. */
export interface DownloadHandle {
  /** Resolves when the last byte of the segment arrived; rejects with a PeerError otherwise. */
  done: Promise<void>;
  /** Stop the download (the peer is told); a slow peer that announced the whole segment gets a strike. */
  cancel(reason: string): void;
}

/** One peer's downloads in flight, by request id. */
export class PeerDownloads {
  /** Delivery throughput from this peer in bytes/s, weighted by transfer seconds. */
  private readonly throughput = new PeerThroughput();
  private readonly downloads = new Map<number, Download>();
  /** Requests we stopped, with the bytes of data still accepted (and dropped) for each. */
  private readonly cancelled = new Map<number, number>();
  private nextRequestId = 1;
  /** Stalls in a row; a completed download resets it. */
  private stalls = 0;
  private readonly now: () => number;

  constructor(private readonly deps: PeerDownloadsDeps) {
    this.now = deps.now ?? Date.now;
  }

  get size(): number {
    return this.downloads.size;
  }

  get throughputBytesPerSec(): number {
    return this.throughput.bytesPerSec;
  }

  /**
   * Ask for bytes [rangeStart, end) of a segment. `expectedLength` is the segment's size from an
   * authority (the playlist's byte range, a verified digest record); without one, the holder's own
   * announcement is the size, and it must come before the holder's first data frame. The request
   * asks for exactly that many bytes; chunks arrive in order through `onChunk`.
   *
   * Refused at once (PeerError `refused`) when the size is over MAX_PEER_SEGMENT_BYTES or the
   * viewer's buffered peer bytes have no room for it; a peer whose announced size contradicts
   * `expectedLength` is closed for a size violation.
   */
  request(
    segmentId: string,
    rangeStart: number,
    expectedLength: number | undefined,
    onChunk: Download["onChunk"],
  ): DownloadHandle {
    let download!: Download;
    const done = new Promise<void>((resolve, reject) => {
      download = {
        segmentId,
        nextOffset: rangeStart,
        expectedLength: undefined,
        claimedComplete: false,
        onChunk,
        resolve,
        reject,
        startedMs: this.now(),
        bytes: 0,
      };
    });
    const refuse = (error: PeerError): DownloadHandle => {
      download.reject(error);
      return { done, cancel: () => {} };
    };
    if (this.deps.isClosed()) return refuse(new PeerError("peer closed", "closed"));
    const announced = this.deps.announced(segmentId);
    download.claimedComplete = announced?.complete === true;
    const announcedLength = announced?.totalLength || undefined;
    if (expectedLength !== undefined && announcedLength !== undefined && announcedLength !== expectedLength) {
      const error = new PeerError(
        `announced ${segmentId} as ${announcedLength} bytes, the segment has ${expectedLength}`,
        "size",
      );
      this.deps.violated(error);
      return refuse(error);
    }
    const length = expectedLength ?? announcedLength;
    if (length !== undefined) {
      const problem = this.admit(segmentId, rangeStart, length);
      if (problem) return refuse(problem);
      download.expectedLength = length;
    }
    const requestId = this.nextRequestId;
    this.nextRequestId = (this.nextRequestId % 0xffff_ffff) + 1;
    this.downloads.set(requestId, download);
    this.deps.send({
      type: "request",
      requestId,
      segmentId,
      rangeStart,
      ...(length !== undefined ? { rangeEnd: length } : {}),
    });
    const cancel = (reason: string) => {
      if (!this.downloads.has(requestId)) return;
      this.stop(requestId, download, new PeerError(reason, "cancelled"));
      if (this.isStalling(download)) this.strike(download);
    };
    return { done, cancel };
  }

  /** Stop tracking a download (the peer answered that it lacks the segment); undefined if unknown. */
  take(requestId: number): Download | undefined {
    const download = this.downloads.get(requestId);
    if (download) this.downloads.delete(requestId);
    return download;
  }

  /**
   * A data frame. Hands the chunk on in order; throws PeerError `unrequested` (no such request, or
   * more after our cancel than it had left), `size` (a size other than the expected one, or 0) or
   * `protocol` (out of order): the caller closes the peer.
   */
  receive(requestId: number, offset: number, totalLength: number, payload: Uint8Array): void {
    const download = this.downloads.get(requestId);
    if (!download) return this.lateData(requestId, payload.byteLength);
    if (totalLength === 0) {
      throw new PeerError(`data for ${download.segmentId} declares an unknown size (0)`, "size");
    }
    if (download.expectedLength === undefined && !this.learnLength(requestId, download))
      return this.lateData(requestId, payload.byteLength);
    if (totalLength !== download.expectedLength) {
      throw new PeerError(
        `data for ${download.segmentId} declares ${totalLength} bytes, expected ${download.expectedLength}`,
        "size",
      );
    }
    if (offset !== download.nextOffset)
      throw new PeerError(`chunk at ${offset}, expected ${download.nextOffset}`, "protocol");
    const end = offset + payload.byteLength;
    download.nextOffset = end;
    download.bytes += payload.byteLength;
    this.deps.accepted(download.segmentId, payload.byteLength);
    try {
      download.onChunk(offset, payload, totalLength);
    } catch (error) {
      // The bytes disagree with what the load already holds from another source: not this peer's doing.
      return this.stop(requestId, download, new PeerError((error as Error).message, "refused"));
    }
    if (end === totalLength) {
      this.downloads.delete(requestId);
      this.stalls = 0;
      this.throughput.sample(download.bytes, download.startedMs, this.now());
      return download.resolve();
    }
    if (this.isStalling(download)) {
      this.stop(requestId, download, new PeerError(`trickling: ${download.bytes} bytes so far`, "stalled"));
      this.strike(download);
    }
  }

  /** The peer closed: every download fails. */
  closeAll(reason: string): void {
    for (const download of this.downloads.values())
      download.reject(new PeerError(`peer closed: ${reason}`, "closed"));
    this.downloads.clear();
    this.cancelled.clear();
  }

  /** Why a request for a segment of `length` bytes cannot be made, or undefined when it can. */
  private admit(segmentId: string, rangeStart: number, length: number): PeerError | undefined {
    if (length > MAX_PEER_SEGMENT_BYTES)
      return new PeerError(`${segmentId} is ${length} bytes, over the cap for peers`, "refused");
    if (rangeStart >= length) return new PeerError(`nothing of ${segmentId} left to ask for`, "refused");
    if (!this.deps.reserve(segmentId, length))
      return new PeerError(`no room for ${segmentId} among buffered peer bytes`, "refused");
    return undefined;
  }

  /**
   * The first data frame of a request sent before its size was known: the holder must have announced
   * the size by now. False when the download was refused here (the frame is then dropped).
   */
  private learnLength(requestId: number, download: Download): boolean {
    const length = this.deps.announced(download.segmentId)?.totalLength;
    if (!length) {
      throw new PeerError(`sent data for ${download.segmentId} before announcing its size`, "size");
    }
    const problem = this.admit(download.segmentId, download.nextOffset, length);
    download.expectedLength = length;
    if (!problem) return true;
    this.stop(requestId, download, problem);
    return false;
  }

  /** End a download we no longer want: the peer is told, and data already on its way is tolerated. */
  private stop(requestId: number, download: Download, error: PeerError): void {
    this.downloads.delete(requestId);
    this.deps.send({ type: "cancel", requestId });
    const left = (download.expectedLength ?? MAX_PEER_SEGMENT_BYTES) - download.nextOffset;
    this.cancelled.set(requestId, Math.min(LATE_DATA_ALLOWANCE_BYTES, Math.max(0, left)));
    if (this.cancelled.size > MAX_CANCELLED_REQUESTS_REMEMBERED) {
      this.cancelled.delete(this.cancelled.keys().next().value!);
    }
    download.reject(error);
  }

  /** Data for a request that is not open: dropped within a cancel's allowance, refused beyond it. */
  private lateData(requestId: number, bytes: number): void {
    const allowed = this.cancelled.get(requestId);
    if (allowed === undefined)
      throw new PeerError(`data for request ${requestId}, which is not open`, "unrequested");
    if (bytes > allowed) {
      throw new PeerError(`more data for cancelled request ${requestId} than it had left`, "unrequested");
    }
    this.cancelled.set(requestId, allowed - bytes);
  }

  /** A peer that announced the whole segment delivers it slower than any honest uplink would. */
  private isStalling(download: Download): boolean {
    if (!download.claimedComplete) return false;
    const elapsedMs = this.now() - download.startedMs;
    return (
      elapsedMs >= STALL_JUDGE_AFTER_MS &&
      download.bytes * 1000 < MIN_COMPLETE_HOLDER_BYTES_PER_SEC * elapsedMs
    );
  }

  private strike(download: Download): void {
    if (++this.stalls < MAX_CONSECUTIVE_PEER_STALLS) return;
    this.deps.violated(
      new PeerError(
        `${this.stalls} stalls in a row, the last on ${download.segmentId} (${download.bytes} bytes in ` +
          `${this.now() - download.startedMs} ms)`,
        "stalled",
      ),
    );
  }
}
