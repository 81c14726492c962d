import type { PeerCandidate } from "../core/policy/decide.js";
import type { PeerView } from "../core/policy/load-context.js";
import { awaitingFirstPeer } from "../core/policy/waits.js";
import { offersWanted, peerLimit, retryOffersWanted } from "./connect-rules.js";
import type { Peer } from "./peer.js";
import type { PeerMessage } from "./protocol-types.js";

/** The peers of one swarm (one rendition of one stream) and what they can give us. */
export class Swarm implements PeerView {
  readonly peers = new Map<string, Peer>();
  lastUsedMs = Date.now();
  readonly joinedMs = Date.now();
  /** The player track whose rendition this swarm is, once a use named one (see SwarmMembership). */
  track: string | undefined;
  /** Since when this swarm is being left (announced `stopped`, uploads draining); undefined if not. */
  leavingSinceMs: number | undefined;
  /**
   * Other viewers the tracker last counted in this swarm; undefined until a tracker answered, or when
   * its answer carried no counts (some trackers send none).
   */
  othersReported: number | undefined;
  /** A tracker has answered our announce (until then, others may well be there). */
  trackerAnswered = false;
  /**
   * Make no offers before a tracker has counted this swarm, for at most this many ms after joining
   * (0: offer at once). Set for a rendition switch, where the viewer still has peers in the swarm it
   * switches from: see {@link offersWanted}.
   */
  offersAwaitCountMs = 0;
  private waiters = new Set<() => void>();
  /** A peer has come and gone: we are past start-up, never wait for a "first" peer again. */
  private peerLeft = false;

  constructor(
    readonly key: string,
    private readonly selfPeerId: string,
    private readonly maxPeers: number,
  ) {}

  /**
   * Just joined, the tracker says others are here (or has not answered yet), but no peer has told
   * us what it holds yet: connections and availability maps are on their way.
   */
  get awaitingFirstPeer(): boolean {
    let availabilityReceived = false;
    for (const peer of this.peers.values()) availabilityReceived ||= peer.availabilityReceived;
    return awaitingFirstPeer({
      sinceJoinMs: Date.now() - this.joinedMs,
      peerLeft: this.peerLeft,
      trackerAnswered: this.trackerAnswered,
      othersReported: this.othersReported,
      availabilityReceived,
    });
  }

  get connectedPeers(): number {
    return this.peers.size;
  }

  /**
   * A tracker answered our announce: `others` = its complete + incomplete minus us, undefined when it
   * sent no counts (then others are assumed to be there).
   */
  trackerReported(others: number | undefined): void {
    this.trackerAnswered = true;
    this.othersReported = others;
    this.notifyChange();
  }

  /**
   * Calls `wake` once, when a peer joins, any peer's availability changes or the tracker reports, or
   * after `ms`, unless cancelled first.
   */
  waitForChange(ms: number, wake: () => void): { cancel(): void } {
    const cancel = () => {
      clearTimeout(timer);
      this.waiters.delete(fire);
    };
    const fire = () => {
      cancel();
      wake();
    };
    const timer = setTimeout(fire, ms);
    this.waiters.add(fire);
    return { cancel };
  }

  notifyChange(): void {
    for (const wake of [...this.waiters]) wake();
  }

  get wantedPeers(): number {
    return Math.max(0, this.maxPeers - this.peers.size);
  }

  /**
   * How many more connections we accept by answering offers: {@link wantedPeers}, and in a large
   * swarm a little headroom past it for viewers that lack peers (`peerLimit` in connect-rules.ts).
   */
  get answerRoom(): number {
    return Math.max(0, peerLimit(this.maxPeers, this.othersReported) - this.peers.size);
  }

  /**
   * How many new connections an offer of ours could still make (see `offersWanted` in connect-rules.ts).
   * None while the swarm awaits a tracker's count ({@link offersAwaitCountMs}): before a count, every
   * wanted peer gets an offer (up to MAX_OFFERS_PER_ANNOUNCE RTCPeerConnections), and in the swarm
   * of a brief ABR dip nobody answers them — they are closed unanswered when the dip's swarm is left.
   */
  get offersWanted(): number {
    if (this.awaitingCount) return 0;
    return offersWanted(this.wantedPeers, this.othersReported, this.peers.size);
  }

  /** Offers wait for a tracker's count (see {@link offersAwaitCountMs}). */
  get awaitingCount(): boolean {
    return !this.trackerAnswered && Date.now() - this.joinedMs < this.offersAwaitCountMs;
  }

  /** Offers for a retry after a failed attempt (see `retryOffersWanted` in connect-rules.ts). */
  get retryOffersWanted(): number {
    return retryOffersWanted(this.wantedPeers, this.othersReported, this.peers.size);
  }

  /**
   * Add a newly connected peer. Two viewers that offered to each other end up with two
   * connections; both sides keep the one offered by the smaller peer id, so they agree without
   * talking. Returns the peer to close, if any (the new one, or the one it replaces).
   */
  add(peer: Peer): Peer | undefined {
    const existing = this.peers.get(peer.id);
    if (!existing) {
      if (this.peers.size >= peerLimit(this.maxPeers, this.othersReported)) return peer;
      this.peers.set(peer.id, peer);
      this.notifyChange();
      return undefined;
    }
    const offerer = (p: Peer) => (p.initiator ? this.selfPeerId : p.id);
    if (offerer(peer) < offerer(existing)) {
      this.peers.set(peer.id, peer);
      return existing;
    }
    return peer;
  }

  remove(peer: Peer): boolean {
    if (this.peers.get(peer.id) !== peer) return false;
    this.peers.delete(peer.id);
    this.peerLeft = true;
    return true;
  }

  candidates(segmentId: string): PeerCandidate[] {
    const now = Date.now();
    const list: PeerCandidate[] = [];
    for (const peer of this.peers.values()) {
      const state = peer.canServe(segmentId, now);
      if (!state) continue;
      list.push({
        peerId: peer.id,
        complete: state === "complete",
        fetching: state === "fetching",
        throughputBytesPerSec: peer.throughputBytesPerSec,
        pendingRequests: peer.pendingRequests,
        tieBreak: Math.random(),
        ...(state === "fetching" ? { fetchingSinceMs: peer.fetching.get(segmentId) } : {}),
      });
    }
    return list;
  }

  /** The size a peer announced for this segment, if any did. */
  announcedLength(segmentId: string): number | undefined {
    for (const peer of this.peers.values()) {
      const length = peer.availability.get(segmentId)?.totalLength;
      if (length) return length;
    }
    return undefined;
  }

  broadcast(message: PeerMessage): void {
    for (const peer of this.peers.values()) peer.send(message);
  }

  closeAll(reason: string): void {
    for (const peer of [...this.peers.values()]) peer.close(reason);
    this.peers.clear();
    this.notifyChange();
  }
}
