// What a viewer does with a peer's request, step by step: pure rules that the Uploader
// (uploader.ts) follows with real bytes and channels, and the simulator (bench/sim) with modelled ones.
import { UNKNOWN_LENGTH } from "../core/availability.js";
import { MAX_CHUNK_BYTES } from "./protocol-constants.js";

/**
 * Uploads of one segment served at once. Under an upload cap (`maxUploadBytesPerSec` > 0), one: a
 * further request gets `absent` ("busy") and the requester turns to a peer still receiving the
 * segment, so it spreads down a chain of viewers instead of every viewer queuing on the one that
 * fetched it. Uncapped (LAN, loopback) a viewer serves everyone at once.
 */
export function uploadsPerSegment(maxUploadBytesPerSec: number): number {
  return maxUploadBytesPerSec > 0 ? 1 : Number.POSITIVE_INFINITY;
}

/** What this viewer holds of the segment asked for (a store entry). */
export interface HeldSegment {
  /** The segment's size, or {@link UNKNOWN_LENGTH} while it arrives without one. */
  totalLength: number;
  /** Contiguous bytes held from its start. */
  bytesAvailable: number;
}

/** The next step of an upload. */
export type UploadStep =
  /** Send the next `bytes` from the upload's offset. */
  | { kind: "send"; bytes: number }
  /** This viewer is still receiving the segment: wait for more of it. */
  | { kind: "wait" }
  /** Nothing (more) to give: answer `absent`, the requester turns elsewhere. */
  | { kind: "absent" }
  /** The range asked for has been sent. */
  | { kind: "done" };

/**
 * The next step of an upload at `offset` of a request for [.., `rangeEnd`) (undefined: to the end),
 * given what is held of the segment (undefined: nothing) and whether this viewer is loading it now.
 * Of a segment whose size is still unknown the last byte is held back: the frame that carries it
 * must also carry the final size, or the receiver could not tell the segment is done.
 */
export function nextUploadStep(
  upload: { offset: number; rangeEnd: number | undefined; sentAny: boolean },
  held: HeldSegment | undefined,
  loading: boolean,
): UploadStep {
  if (!held) return loading ? { kind: "wait" } : { kind: "absent" };
  const known = held.totalLength !== UNKNOWN_LENGTH;
  const end = Math.min(
    upload.rangeEnd ?? Number.MAX_SAFE_INTEGER,
    known ? held.totalLength : Number.MAX_SAFE_INTEGER,
  );
  // A request that starts past the end gets `absent`; a finished one needs no reply.
  if (upload.offset >= end) return upload.sentAny ? { kind: "done" } : { kind: "absent" };
  const stop = Math.min(end, known ? held.bytesAvailable : held.bytesAvailable - 1);
  // Past what is held: the download feeding this upload goes on, or stopped (the requester falls back).
  if (upload.offset >= stop) return loading ? { kind: "wait" } : { kind: "absent" };
  return { kind: "send", bytes: Math.min(MAX_CHUNK_BYTES, stop - upload.offset) };
}
