// What a viewer does with a peer's request, step by step: pure rules that the Uploader
// (uploader.ts) follows with real bytes and channels, and the simulator (bench/sim) with modelled ones.
import { UNKNOWN_LENGTH } from "../core/availability.js";
import { relaysInRealTime } from "../core/policy/waits.js";
import { MAX_CHUNK_BYTES } from "./protocol-constants.js";

/**
 * Whether this viewer serves a peer's request for a segment of `segmentBytes` lasting
 * `durationSec`: not when its uplink was *measured* (`measuredUplinkBytesPerSec`, bytes/s; undefined
 * = no estimate, see core/policy/uplink-estimate.ts) too slow to pass the segment on in real time
 * (core/policy/waits.ts `relaysInRealTime`). Such an upload cannot reach the requester before its
 * player needs the segment (the rest comes over HTTP anyway), and a slow link filled with it delays
 * the acknowledgements of this viewer's own downloads: on a 20000/500 kbit/s link under tc, a viewer
 * that served peers measured its own HTTP at 2–4 Mbit/s instead of 12–20 and fell seconds behind
 * the swarm (BENCHMARKS.md, real shaping, weak uplinks). A configured cap (`maxUploadBytesPerSec`)
 * leaves the link's spare capacity to the acknowledgements and is not a reason to refuse.
 * An unknown duration or size never refuses.
 */
export function servesSegment(
  measuredUplinkBytesPerSec: number | undefined,
  segmentBytes: number,
  durationSec: number | undefined,
): boolean {
  if (measuredUplinkBytesPerSec === undefined || !(segmentBytes > 0)) return true;
  return relaysInRealTime(true, measuredUplinkBytesPerSec, segmentBytes, durationSec ?? 0);
}

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
  /** Tells copies of one segment apart (a segment dropped and stored again gets a new one). */
  generation?: number;
  /**
   * The holder has confirmed its copy (its length and, where one is known, its digest): only then
   * may its last byte go out, so no receiver completes a copy its holder may still refute.
   * @default true
   */
  confirmed?: boolean;
  /** A response or the playlist stated the size (not only where the bytes ended). @default true */
  lengthStated?: boolean;
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
 *
 * Every data frame declares the segment's size, so nothing is sent of a copy whose size is unknown,
 * or known only from where its bytes ended and not confirmed yet. A request for another size than
 * the copy's gets `absent`. Until the copy is confirmed its last byte is held back. An upload that
 * started on one copy (`generation`) ends with `absent` when that copy is dropped or replaced: the
 * new copy's bytes need not continue the old one's.
 */
export function nextUploadStep(
  upload: { offset: number; rangeEnd: number | undefined; sentAny: boolean; generation?: number },
  held: HeldSegment | undefined,
  loading: boolean,
): UploadStep {
  if (upload.generation !== undefined && held?.generation !== upload.generation) return { kind: "absent" };
  const confirmed = held?.confirmed ?? true;
  if (!held || held.totalLength === UNKNOWN_LENGTH || (!confirmed && !(held.lengthStated ?? true)))
    return loading ? { kind: "wait" } : { kind: "absent" };
  const total = held.totalLength;
  if (upload.rangeEnd !== undefined && upload.rangeEnd !== total) return { kind: "absent" };
  // A request that starts past the end gets `absent`; a finished one needs no reply.
  if (upload.offset >= total) return upload.sentAny ? { kind: "done" } : { kind: "absent" };
  const sendable = confirmed ? held.bytesAvailable : Math.min(held.bytesAvailable, total - 1);
  // Past what is held: the download feeding this upload goes on, or stopped (the requester falls back).
  if (upload.offset >= sendable) return loading ? { kind: "wait" } : { kind: "absent" };
  return { kind: "send", bytes: Math.min(MAX_CHUNK_BYTES, sendable - upload.offset) };
}
