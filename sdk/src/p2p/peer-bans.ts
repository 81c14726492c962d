// Peers this viewer refuses for the rest of the session (sdk/src/p2p/p2p-network.ts).
import { MAX_BANNED_PEERS } from "./constants.js";
import { addRecent, setRecent } from "../core/bounded-recent.js";
import type { PeerRemote } from "./peer.js";

/** Why a peer's offer, answer or connection is refused (see {@link PeerBans.refusal}). */
export type BanRefusal = "banned-id" | "banned-address";

/**
 * Banned peers: by the peer_id each chose, and by the tracker's fingerprint of its address
 * (`nearcast_from`, docs/tracker-protocol.md) once `strikesToBanAddress` distinct ids of that address
 * were banned.
 *
 * Why not every fingerprint at the first ban: one fingerprint stands for one IPv4 address or IPv6
 * /64, and behind one NAT, a carrier-grade NAT or a campus network many honest viewers share it; on
 * loopback every viewer does. Banning the address for one liar refuses all its honest neighbours
 * too. Why a threshold is enough where every peer byte is verified (the trust ladder's default,
 * `allowUnverifiedPeers` off): a liar that comes back under a new peer_id is admitted "on probation"
 * (see {@link onProbation}), but its bytes go through the same ladder as anyone's, so its next lie
 * costs the viewer one failed verification and an HTTP re-fetch within the playback deadline —
 * never a wrong byte in the player — and its new id is banned: the address's second strike. With
 * 2 strikes (the default) a liar cycling peer_ids gets one more lie past its first; a wave of new
 * ids opened at once is bounded by the viewer's own `maxPeers`, each admitted id lying at most once.
 *
 * With `allowUnverifiedPeers` nothing checks peer bytes, so a returning liar's next lie would reach
 * the player: there the address is banned at the first strike (`strikesToBanAddress` = 1), as strict
 * as before, neighbours included.
 *
 * Without fingerprints (a plain WebTorrent tracker) only the id is known: the remote address of the
 * ICE candidate pair is deliberately not used, as viewers behind one NAT or carrier-grade NAT share
 * it, and every viewer relayed by one TURN server shares the server's.
 *
 * Ids and addresses are each remembered for the MAX_BANNED_PEERS most recent (oldest forgotten first).
 */
export class PeerBans {
  private readonly ids = new Set<string>();
  /** Per fingerprint, the distinct banned ids seen from it (at most `strikesToBanAddress` kept). */
  private readonly strikes = new Map<string, Set<string>>();

  /** @param strikesToBanAddress distinct banned ids of one fingerprint that ban it (≥ 1). */
  constructor(private readonly strikesToBanAddress: number) {
    if (!Number.isInteger(strikesToBanAddress) || strikesToBanAddress < 1)
      throw new RangeError(`strikesToBanAddress must be an integer ≥ 1, got ${strikesToBanAddress}`);
  }

  /** Refuse this peer_id from now on, and count a strike on its address; true when the id is new here. */
  ban(remote: PeerRemote): boolean {
    const fresh = !this.ids.has(remote.id);
    addRecent(this.ids, remote.id, MAX_BANNED_PEERS);
    if (remote.fingerprint !== undefined) {
      const ids = this.strikes.get(remote.fingerprint) ?? new Set<string>();
      if (ids.size < this.strikesToBanAddress) ids.add(remote.id);
      setRecent(this.strikes, remote.fingerprint, ids, MAX_BANNED_PEERS);
    }
    return fresh;
  }

  /** Why to refuse this peer, or undefined to admit it: its id is banned, or its address is. */
  refusal(remote: PeerRemote): BanRefusal | undefined {
    if (this.ids.has(remote.id)) return "banned-id";
    if (this.strikesOf(remote) >= this.strikesToBanAddress) return "banned-address";
    return undefined;
  }

  isBanned(remote: PeerRemote): boolean {
    return this.refusal(remote) !== undefined;
  }

  /**
   * Admitted although an id of its address was banned: a neighbour of a liar, or the liar under a new
   * id. Its bytes are verified like anyone's; a lie bans it and strikes its address again.
   */
  onProbation(remote: PeerRemote): boolean {
    return !this.isBanned(remote) && this.strikesOf(remote) > 0;
  }

  private strikesOf(remote: PeerRemote): number {
    return remote.fingerprint === undefined ? 0 : (this.strikes.get(remote.fingerprint)?.size ?? 0);
  }
}
