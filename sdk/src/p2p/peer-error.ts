// Why a download from a peer failed, or how a peer broke a rule (sdk/src/p2p/peer.ts).
import type { PeerErrorCode } from "../core/errors.js";
import type { PeerRejectionReason } from "../core/types.js";

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
