/**
 * What a viewer holds of one segment, as announced to peers. Shared by the segment store (which
 * produces it) and the peer wire protocol (which carries it), so both agree on one invariant.
 */
export interface SegmentAvailability {
  /** Segment id, unique within its swarm (live: media sequence number; VOD: index + byte range). */
  readonly segmentId: string;
  /** Size of the whole segment in bytes; {@link UNKNOWN_LENGTH} while still arriving without a known size. */
  readonly totalLength: number;
  /** Contiguous bytes held from the start of the segment; equals `totalLength` when complete. */
  readonly bytesAvailable: number;
  /** Every byte is held. */
  readonly complete: boolean;
}

/**
 * `totalLength` of a partial segment whose size is not known yet (an HTTP response without
 * Content-Length). A complete segment always has its real length, so 0 is free to mean "unknown".
 */
export const UNKNOWN_LENGTH = 0;

/**
 * Why `a` cannot be announced, or undefined when it can. A segment is worth announcing only once it
 * has at least one byte; a partial one must not claim all of its bytes (it would be complete).
 */
export function availabilityProblem(a: SegmentAvailability): string | undefined {
  const { totalLength, bytesAvailable } = a;
  if (!isUint32(totalLength)) return `totalLength ${totalLength} is not a 32-bit unsigned integer`;
  if (!isUint32(bytesAvailable)) return `bytesAvailable ${bytesAvailable} is not a 32-bit unsigned integer`;
  if (a.complete) {
    if (totalLength === UNKNOWN_LENGTH) return "a complete segment must have a length";
    if (bytesAvailable !== totalLength) return "a complete segment must have all of its bytes available";
    return undefined;
  }
  if (bytesAvailable === 0) return "a partial segment with no bytes is not available";
  if (totalLength !== UNKNOWN_LENGTH && bytesAvailable >= totalLength) {
    return `partial segment claims ${bytesAvailable} of ${totalLength} bytes`;
  }
  return undefined;
}

/** Integer in [0, 2^32 - 1]: every byte count and offset on the wire is a u32. */
export function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
}
