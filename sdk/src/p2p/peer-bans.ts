// Peers this viewer refuses for the rest of the session (sdk/src/p2p/p2p-network.ts).
import { MAX_BANNED_PEERS } from "./constants.js";
import type { PeerRemote } from "./peer.js";

/**
 * Banned peers, by the peer_id each chose and by the tracker's fingerprint of its address where the
 * tracker sends one (`nearcast_from`): a peer that comes back under a new id through the same
 * tracker is still refused. Without fingerprints only the id is known: the remote address of the
 * ICE candidate pair is deliberately not used, as viewers behind one NAT or carrier-grade NAT share
 * it, and every viewer relayed by one TURN server shares the server's.
 *
 * Each set keeps the MAX_BANNED_PEERS most recent entries (oldest forgotten first).
 */
export class PeerBans {
  private readonly ids = new Set<string>();
  private readonly fingerprints = new Set<string>();

  /** Refuse this peer from now on; true when it was not banned before (by id or fingerprint). */
  ban(remote: PeerRemote): boolean {
    const fresh = !this.isBanned(remote);
    remember(this.ids, remote.id);
    if (remote.fingerprint !== undefined) remember(this.fingerprints, remote.fingerprint);
    return fresh;
  }

  isBanned(remote: PeerRemote): boolean {
    return (
      this.ids.has(remote.id) ||
      (remote.fingerprint !== undefined && this.fingerprints.has(remote.fingerprint))
    );
  }
}

function remember(set: Set<string>, key: string): void {
  set.delete(key);
  set.add(key);
  if (set.size > MAX_BANNED_PEERS) set.delete(set.values().next().value!);
}
