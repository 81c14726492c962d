import {
  HTTP_REJECTION_REASONS,
  PEER_REJECTION_REASONS,
  TRUST_RUNGS,
  type HttpRejectionReason,
  type TrustRung,
  type PeerRejectionReason,
  type SegmentSource,
} from "./types.js";

export interface PeerStats {
  peerId: string;
  swarmKey: string;
  downloadedBytes: number;
  uploadedBytes: number;
  connectedAtMs: number;
}

/** A snapshot returned by `getStats()`. Byte counts are since the engine was created. */
export interface NearcastStats {
  /** Bytes of segment data received over HTTP (including retried and resumed attempts). */
  httpDownloadedBytes: number;
  /** Bytes of segment data received from peers. */
  p2pDownloadedBytes: number;
  /** Bytes of segment data sent to peers. */
  p2pUploadedBytes: number;
  httpRequests: number;
  httpRetries: number;
  httpFailures: number;
  /**
   * Segments whose bytes from peers failed verification (published SHA-256 or `validateSegment`):
   * each was discarded and fetched over HTTP instead.
   */
  integrityFailures: number;
  /** Bytes from peers thrown away by those failures (included in `p2pDownloadedBytes`, not in the ratios). */
  discardedP2pBytes: number;
  /**
   * Peers banned for the session, by id: for bytes that failed verification or any other reason in
   * `peerRejections`. The tracker's fingerprint of their address (when it sends one) is banned once
   * 2 ids of it were (1 with `allowUnverifiedPeers`): docs/trust.md, "Bans".
   */
  bannedPeers: number;
  /** Peer connections cut off for breaking a rule, by reason (see `PeerRejectionReason`). */
  peerRejections: Record<PeerRejectionReason, number>;
  /** Offers, answers and connections refused because their peer is banned (by id or tracker fingerprint). */
  bannedPeerRefusals: number;
  /** Of `bannedPeerRefusals`, those refused for their address alone (a new id of a banned address). */
  bannedAddressRefusals: number;
  /**
   * Peer connections opened on probation: from an address one of whose ids was banned, below the
   * address ban (a liar's neighbour, or the liar under a new id; its bytes are verified as anyone's).
   */
  probationPeers: number;
  /** HTTP bodies refused (never stored or shared; the load failed and was retried), by reason. */
  httpBodyRejections: Record<HttpRejectionReason, number>;
  /** Segments handed to the player, by where their bytes came from. */
  segments: Record<SegmentSource, number>;
  /** The trust ladder's work on segments with bytes from peers (docs/trust.md). */
  trust: TrustStats;
  /** p2p / (p2p + http) over the whole session, discarded P2P bytes left out; 0 before any byte. */
  offloadRatio: number;
  /** The same over the last `recentWindowSec` seconds. */
  recentOffloadRatio: number;
  recentWindowSec: number;
  /** The HTTP throughput estimate used to pace P2P deliveries for ABR, bits/s (0 = none yet). */
  httpBandwidthEstimateBps: number;
  /** Distinct viewers connected (one viewer in two rendition swarms counts once). */
  connectedPeers: number;
  /** One entry per connection: a viewer connected in two swarms appears twice. */
  peers: PeerStats[];
  /** The swarm of the rendition being loaded now, if any. */
  swarmKey: string | undefined;
}

/** `getStats().trust`. */
export interface TrustStats {
  /** Segments whose peer bytes a rung verified, by rung. */
  verifiedBy: Record<TrustRung, number>;
  /** Segments no rung could vouch for: peer bytes thrown away (in `discardedP2pBytes`), fetched over HTTP. */
  unverifiedRefetched: number;
  /** Segments no rung could vouch for, handed over anyway (`allowUnverifiedPeers`). */
  unverifiedDelivered: number;
  /** Spot checks' Range requests to the origin and the bytes they brought (also in the HTTP counters). */
  spotCheckRequests: number;
  spotCheckBytes: number;
}

const BUCKET_MS = 1000;
/** Swarms whose byte counters are kept for reports; a viewer rarely touches more than a few. */
const MAX_SWARM_COUNTERS = 64;

/** Cumulative bytes traded with one peer in one swarm. */
export interface PeerTransferCounters {
  receivedBytes: number;
  sentBytes: number;
}

/** Cumulative bytes of one swarm (stream + rendition), for stats reports. */
export interface SwarmCounters {
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  /** Segments of this swarm whose bytes from peers failed verification. */
  integrityFailures: number;
  /**
   * Per peer id (the tracker's peer_id), kept after the peer disconnects so its last bytes are
   * reported; insertion-ordered and bounded.
   */
  transfers: Map<string, PeerTransferCounters>;
  /** Peer connections of this swarm cut off, by reason. */
  peerRejections: Partial<Record<PeerRejectionReason, number>>;
  /** HTTP bodies of this swarm refused, by reason. */
  httpBodyRejections: Partial<Record<HttpRejectionReason, number>>;
}

/** Counters of a swarm that has seen nothing yet. */
export function emptySwarmCounters(): SwarmCounters {
  return {
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    integrityFailures: 0,
    transfers: new Map(),
    peerRejections: {},
    httpBodyRejections: {},
  };
}

/** A copy that later counting does not change (the reason maps are copied too). */
export function copySwarmCounters(counters: SwarmCounters): SwarmCounters {
  return {
    ...counters,
    transfers: new Map([...counters.transfers].map(([peerId, bytes]) => [peerId, { ...bytes }])),
    peerRejections: { ...counters.peerRejections },
    httpBodyRejections: { ...counters.httpBodyRejections },
  };
}

/** `after − before` per reason, without the reasons that did not change; undefined when none did. */
export function countDeltas<K extends string>(
  after: Partial<Record<K, number>>,
  before: Partial<Record<K, number>>,
): Partial<Record<K, number>> | undefined {
  const out: Partial<Record<K, number>> = {};
  let any = false;
  for (const key of Object.keys(after) as K[]) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0);
    if (delta > 0) {
      out[key] = delta;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Peers whose transfer counters a swarm keeps; a viewer holds far fewer connections per swarm. */
const MAX_TRANSFER_COUNTERS_PER_SWARM = 64;

/** Counters and a ring of one-second buckets for the recent-window offload ratio. */
export class StatsCollector {
  httpDownloadedBytes = 0;
  p2pDownloadedBytes = 0;
  p2pUploadedBytes = 0;
  httpRequests = 0;
  httpRetries = 0;
  httpFailures = 0;
  integrityFailures = 0;
  discardedP2pBytes = 0;
  bannedPeers = 0;
  bannedPeerRefusals = 0;
  bannedAddressRefusals = 0;
  probationPeers = 0;
  readonly peerRejections = zeroCounts(PEER_REJECTION_REASONS);
  readonly httpBodyRejections = zeroCounts(HTTP_REJECTION_REASONS);
  readonly trust: TrustStats = {
    verifiedBy: zeroCounts(TRUST_RUNGS),
    unverifiedRefetched: 0,
    unverifiedDelivered: 0,
    spotCheckRequests: 0,
    spotCheckBytes: 0,
  };
  readonly segments: Record<SegmentSource, number> = { http: 0, p2p: 0, cache: 0 };
  readonly peers = new Map<string, PeerStats>();
  /** Cumulative bytes per swarm key, insertion-ordered (oldest first) and bounded. */
  readonly bySwarm = new Map<string, SwarmCounters>();
  swarmKey: string | undefined;
  private readonly buckets: { http: number; p2p: number; slot: number }[];

  constructor(
    readonly recentWindowSec = 60,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.buckets = Array.from({ length: recentWindowSec }, () => ({ http: 0, p2p: 0, slot: -1 }));
  }

  addHttpBytes(swarmKey: string, bytes: number): void {
    this.httpDownloadedBytes += bytes;
    this.bucket().http += bytes;
    this.swarm(swarmKey).httpBytes += bytes;
  }

  addP2pBytes(swarmKey: string, peerKey: string, bytes: number): void {
    this.p2pDownloadedBytes += bytes;
    this.bucket().p2p += bytes;
    const swarm = this.swarm(swarmKey);
    swarm.p2pBytes += bytes;
    const peer = this.peers.get(peerKey);
    if (peer) {
      peer.downloadedBytes += bytes;
      transferCounters(swarm, peer.peerId).receivedBytes += bytes;
    }
  }

  /** Bytes from peers failed verification and were thrown away: they no longer count as offload. */
  addIntegrityFailure(swarmKey: string, discardedBytes: number): void {
    this.integrityFailures++;
    this.discardedP2pBytes += discardedBytes;
    const b = this.bucket();
    b.p2p = Math.max(0, b.p2p - discardedBytes);
    this.swarm(swarmKey).integrityFailures++;
  }

  /**
   * Peer bytes thrown away because no rung of the trust ladder could vouch for them (no peer is at
   * fault): like a failed verification, they no longer count as offload.
   */
  addUnverifiedDiscard(discardedBytes: number): void {
    this.trust.unverifiedRefetched++;
    this.discardedP2pBytes += discardedBytes;
    const b = this.bucket();
    b.p2p = Math.max(0, b.p2p - discardedBytes);
  }

  /** A spot check's request to the origin brought `bytes`. */
  addSpotCheck(swarmKey: string, bytes: number): void {
    this.trust.spotCheckRequests++;
    this.trust.spotCheckBytes += bytes;
    this.httpRequests++;
    this.addHttpBytes(swarmKey, bytes);
  }

  /** A peer connection was cut off for breaking a rule. */
  addPeerRejection(swarmKey: string, reason: PeerRejectionReason): void {
    this.peerRejections[reason]++;
    const counts = this.swarm(swarmKey).peerRejections;
    counts[reason] = (counts[reason] ?? 0) + 1;
  }

  /** An HTTP body was refused. */
  addHttpBodyRejection(swarmKey: string, reason: HttpRejectionReason): void {
    this.httpBodyRejections[reason]++;
    const counts = this.swarm(swarmKey).httpBodyRejections;
    counts[reason] = (counts[reason] ?? 0) + 1;
  }

  addUploadedBytes(swarmKey: string, peerKey: string, bytes: number): void {
    this.p2pUploadedBytes += bytes;
    const swarm = this.swarm(swarmKey);
    swarm.uploadedBytes += bytes;
    const peer = this.peers.get(peerKey);
    if (peer) {
      peer.uploadedBytes += bytes;
      transferCounters(swarm, peer.peerId).sentBytes += bytes;
    }
  }

  private swarm(key: string): SwarmCounters {
    let counters = this.bySwarm.get(key);
    if (!counters) {
      if (this.bySwarm.size >= MAX_SWARM_COUNTERS) {
        const oldest = this.bySwarm.keys().next().value;
        if (oldest !== undefined) this.bySwarm.delete(oldest);
      }
      counters = emptySwarmCounters();
      this.bySwarm.set(key, counters);
    }
    return counters;
  }

  snapshot(httpBandwidthEstimateBps: number): NearcastStats {
    let recentHttp = 0;
    let recentP2p = 0;
    const current = this.slot();
    for (const b of this.buckets) {
      if (b.slot > current - this.recentWindowSec) {
        recentHttp += b.http;
        recentP2p += b.p2p;
      }
    }
    return {
      httpDownloadedBytes: this.httpDownloadedBytes,
      p2pDownloadedBytes: this.p2pDownloadedBytes,
      p2pUploadedBytes: this.p2pUploadedBytes,
      httpRequests: this.httpRequests,
      httpRetries: this.httpRetries,
      httpFailures: this.httpFailures,
      integrityFailures: this.integrityFailures,
      discardedP2pBytes: this.discardedP2pBytes,
      bannedPeers: this.bannedPeers,
      peerRejections: { ...this.peerRejections },
      bannedPeerRefusals: this.bannedPeerRefusals,
      bannedAddressRefusals: this.bannedAddressRefusals,
      probationPeers: this.probationPeers,
      httpBodyRejections: { ...this.httpBodyRejections },
      segments: { ...this.segments },
      trust: { ...this.trust, verifiedBy: { ...this.trust.verifiedBy } },
      offloadRatio: ratio(this.p2pDownloadedBytes - this.discardedP2pBytes, this.httpDownloadedBytes),
      recentOffloadRatio: ratio(recentP2p, recentHttp),
      recentWindowSec: this.recentWindowSec,
      httpBandwidthEstimateBps,
      connectedPeers: new Set([...this.peers.values()].map((p) => p.peerId)).size,
      peers: [...this.peers.values()].map((p) => ({ ...p })),
      swarmKey: this.swarmKey,
    };
  }

  private slot(): number {
    return Math.floor(this.now() / BUCKET_MS);
  }

  private bucket() {
    const slot = this.slot();
    const b = this.buckets[slot % this.buckets.length]!;
    if (b.slot !== slot) {
      b.slot = slot;
      b.http = 0;
      b.p2p = 0;
    }
    return b;
  }
}

function transferCounters(swarm: SwarmCounters, peerId: string): PeerTransferCounters {
  let counters = swarm.transfers.get(peerId);
  if (!counters) {
    if (swarm.transfers.size >= MAX_TRANSFER_COUNTERS_PER_SWARM) {
      const oldest = swarm.transfers.keys().next().value;
      if (oldest !== undefined) swarm.transfers.delete(oldest);
    }
    counters = { receivedBytes: 0, sentBytes: 0 };
    swarm.transfers.set(peerId, counters);
  }
  return counters;
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

function ratio(p2p: number, http: number): number {
  const total = p2p + http;
  return total > 0 ? p2p / total : 0;
}
