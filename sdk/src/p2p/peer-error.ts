// Why a download from a peer failed, or how a peer broke the protocol (sdk/src/p2p/peer.ts).
import { NearcastError } from "../core/errors.js";

export class PeerError extends NearcastError {
  override name = "PeerError";
  constructor(
    message: string,
    readonly code: "absent" | "closed" | "protocol" | "stalled" | "cancelled",
  ) {
    super(message);
  }
}
