// Why a download from a peer failed, or how a peer broke a rule (sdk/src/p2p/peer.ts).
import { NearcastError } from "../core/errors.js";
import type { PeerRejectionReason } from "../core/types.js";

/**
 * - `absent`: the peer does not have what was asked for.
 * - `closed`: the connection closed.
 * - `protocol`: a frame out of order or against the protocol's rules.
 * - `size`: a data frame declared a segment size other than the one asked for or announced, or 0.
 * - `unrequested`: data for a request never made, or more after a cancel than the request had left.
 * - `stalled`: a peer that announced the whole segment delivered (almost) nothing.
 * - `cancelled`: we no longer wanted the bytes.
 * - `refused`: we did not take the bytes, through no fault of the peer (over our caps on buffered
 *   peer bytes, or at odds with bytes of the segment from another source).
 */
export type PeerErrorCode =
  "absent" | "closed" | "protocol" | "size" | "unrequested" | "stalled" | "cancelled" | "refused";

export class PeerError extends NearcastError {
  override name = "PeerError";
  constructor(
    message: string,
    readonly code: PeerErrorCode,
  ) {
    super(message);
  }
}

/** The rejection a peer earns for an error it caused, or undefined when the error is no offence. */
export function rejectionFor(code: PeerErrorCode): PeerRejectionReason | undefined {
  switch (code) {
    case "protocol":
      return "protocol-violation";
    case "size":
      return "size-violation";
    case "unrequested":
      return "unrequested-data";
    case "stalled":
      return "stall";
    default:
      return undefined;
  }
}
