// The downloads we asked one peer for (sdk/src/p2p/peer.ts): request ids, chunks checked to arrive
// in order and within the range asked, and the peer's delivery throughput.
import { PeerThroughput } from "../core/policy/peer-throughput.js";
import { PeerError } from "./peer-error.js";
import type { PeerMessage } from "./protocol.js";

/** A download we asked this peer for. */
export interface Download {
  segmentId: string;
  nextOffset: number;
  rangeEnd: number | undefined;
  onChunk: (offset: number, chunk: Uint8Array, totalLength: number) => void;
  resolve: () => void;
  reject: (error: Error) => void;
  startedMs: number;
  bytes: number;
}

/** One peer's downloads in flight, by request id. */
export class PeerDownloads {
  /** Delivery throughput from this peer in bytes/s, weighted by transfer seconds. */
  private readonly throughput = new PeerThroughput();
  private readonly downloads = new Map<number, Download>();
  private nextRequestId = 1;

  constructor(
    /** Sends a message to the peer. */
    private readonly send: (message: PeerMessage) => void,
    /** The peer is closed: new downloads fail at once. */
    private readonly isClosed: () => boolean,
  ) {}

  get size(): number {
    return this.downloads.size;
  }

  get throughputBytesPerSec(): number {
    return this.throughput.bytesPerSec;
  }

  /**
   * Ask for bytes [rangeStart, rangeEnd) of a segment. Chunks arrive in order through `onChunk`;
   * resolves when the range (or the segment) is complete. Cancel with the returned function.
   */
  request(
    segmentId: string,
    rangeStart: number,
    rangeEnd: number | undefined,
    onChunk: Download["onChunk"],
  ): { done: Promise<void>; cancel: (reason: string) => void } {
    const requestId = this.nextRequestId;
    this.nextRequestId = (this.nextRequestId % 0xffff_ffff) + 1;
    let download!: Download;
    const done = new Promise<void>((resolve, reject) => {
      download = {
        segmentId,
        nextOffset: rangeStart,
        rangeEnd,
        onChunk,
        resolve,
        reject,
        startedMs: Date.now(),
        bytes: 0,
      };
    });
    if (this.isClosed()) {
      download.reject(new PeerError("peer closed", "closed"));
      return { done, cancel: () => {} };
    }
    this.downloads.set(requestId, download);
    this.send({
      type: "request",
      requestId,
      segmentId,
      rangeStart,
      ...(rangeEnd !== undefined ? { rangeEnd } : {}),
    });
    const cancel = (reason: string) => {
      if (!this.downloads.delete(requestId)) return;
      this.send({ type: "cancel", requestId });
      download.reject(new PeerError(reason, "cancelled"));
    };
    return { done, cancel };
  }

  /** Stop tracking a download (the peer answered that it lacks the segment); undefined if unknown. */
  take(requestId: number): Download | undefined {
    const download = this.downloads.get(requestId);
    if (download) this.downloads.delete(requestId);
    return download;
  }

  /** A data frame: hands the chunk on, in order; throws PeerError "protocol" on a misplaced one. */
  receive(requestId: number, offset: number, totalLength: number, payload: Uint8Array): void {
    const download = this.downloads.get(requestId);
    // Data for a request we just cancelled may still be in flight: ignore it.
    if (!download) return;
    if (offset !== download.nextOffset)
      throw new PeerError(`chunk at ${offset}, expected ${download.nextOffset}`, "protocol");
    const end = offset + payload.byteLength;
    if (
      (download.rangeEnd !== undefined && end > download.rangeEnd) ||
      (totalLength > 0 && end > totalLength)
    ) {
      throw new PeerError("chunk past the end of the request", "protocol");
    }
    download.nextOffset = end;
    download.bytes += payload.byteLength;
    download.onChunk(offset, payload, totalLength);
    const finished =
      download.rangeEnd !== undefined ? end === download.rangeEnd : totalLength > 0 && end === totalLength;
    if (finished) {
      this.downloads.delete(requestId);
      this.throughput.sample(download.bytes, download.startedMs, Date.now());
      download.resolve();
    }
  }

  /** The peer closed: every download fails. */
  closeAll(reason: string): void {
    for (const download of this.downloads.values())
      download.reject(new PeerError(`peer closed: ${reason}`, "closed"));
    this.downloads.clear();
  }
}
