// Stats reports as the SDK sends them, for tests and benches that post by hand: one stream, one
// rendition, optional bytes traded with one peer.
import type { StatsReport } from "../../sdk/src/core/report-types.js";

export interface ReportBytes {
  http?: number;
  p2p?: number;
  /** Uploaded. */
  up?: number;
  /** The other peer (40 hex): the report then lists p2p as received from it and `up` as sent to it. */
  peer?: string;
}

/** One report of `clientId` (seq `seq`) for `streamId`'s `rendition`. */
export function statsReport(
  clientId: string,
  seq: number,
  streamId: string,
  rendition: string,
  bytes: ReportBytes,
): StatsReport {
  const deltas = { httpBytes: bytes.http ?? 0, p2pBytes: bytes.p2p ?? 0, uploadedBytes: bytes.up ?? 0 };
  const transfers =
    bytes.peer === undefined
      ? undefined
      : [{ peer: bytes.peer, receivedBytes: deltas.p2pBytes, sentBytes: deltas.uploadedBytes }];
  return {
    clientId,
    seq,
    streamId,
    sentAtMs: Date.now(),
    deltas,
    renditions: [{ rendition, ...deltas, ...(transfers ? { transfers } : {}) }],
    peers: 1,
    final: false,
  };
}
