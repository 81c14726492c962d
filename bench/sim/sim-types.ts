// Shapes shared by the simulator's parts: a scenario's options and a viewer's network profile.
import type { PolicyVariant } from "../../sdk/src/core/policy/load-context.js";
import type { TrustMode } from "./sim-trust.js";

/** One kind of viewer: its access link and whether/how much it uploads. */
export interface ViewerProfile {
  /** Share of the audience with this profile (profiles' shares are normalised). */
  share: number;
  /** Access latency, ms one way (a message between two viewers takes the sum of theirs). */
  latencyMs: number;
  /** Upload rate of the access link, bytes/s (Infinity: not a bottleneck). */
  uploadBytesPerSec: number;
  /** Download rate of the access link, bytes/s. */
  downloadBytesPerSec: number;
  /** SDK `uploadEnabled`. */
  uploadEnabled: boolean;
  /** SDK `maxUploadBytesPerSec` (0 = no cap: one upload per segment only applies with a cap). */
  maxUploadBytesPerSec: number;
  /** Rendition this viewer's ABR settles on (a swarm per rendition). */
  rendition: string;
}

export interface SimOptions {
  /** Label in tables and JSON. */
  name: string;
  /** Viewers at once (churn replaces leavers, so the audience stays at this size). */
  viewers: number;
  /** Viewers join evenly over this window, seconds. */
  joinSpreadSec: number;
  /** Everyone watches this long after the last join, seconds (the run's length is spread + this). */
  durationSec: number;
  /** Share of the audience that leaves (and is replaced by newcomers) per minute, 0–1. */
  churnPerMin: number;
  /** Share of viewer pairs whose WebRTC connection cannot be established (NAT), 0–1. */
  blockedPairShare: number;
  profiles: ViewerProfile[];
  /**
   * Viewer k gets `profiles[k % profiles.length]` (join order, as the browser bench's per-viewer
   * profiles) instead of a spread by share. Lets a small scenario mirror the browser bench viewer
   * for viewer.
   */
  profilesInJoinOrder?: boolean;
  /** SDK knobs the run uses (defaults from sdk/src/core/config.ts). */
  maxPeers: number;
  httpSafetyMarginMs: number;
  p2pStallTimeoutMs: number;
  /** Player: start this many segments behind the live edge; buffer goal. */
  liveSyncSegments: number;
  maxBufferSec: number;
  /** CDN: first-byte delay added by the origin, ms, and per-request rate, bytes/s (Infinity = none). */
  cdnLatencyMs: number;
  cdnBytesPerSec: number;
  /** Tracker: one-way delay to it, ms. */
  trackerLatencyMs: number;
  /** WebRTC set-up times (non-trickle ICE gathering of an offer / answer, channel open after the answer). */
  offerGatherMs: number;
  answerGatherMs: number;
  channelOpenMs: number;
  /** Steady window starts this long after the last join (as the Node bench), ms. */
  steadySettleMs: number;
  /**
   * Earlier versions of the SDK's rules (undefined = the SDK as it is): the new-segment hold's range,
   * whether a viewer announces `fetching` when it starts a peer download ({@link BEFORE_GOSSIP} is the
   * rule set before it did), whether weak uplinks hold longer and announce nothing.
   */
  variant?: PolicyVariant;
  /**
   * Experiment, not an SDK rule: in a large swarm, an idle viewer that hears a neighbour announce
   * the segment after the last one its player asked for starts getting it at once (into its store,
   * by the SDK's policy), before its own playlist lists it (bench:sim `--prefetch-on-news`): on
   * any news that the neighbour is getting it (`fetching`), or only once it holds it whole (`complete`).
   */
  prefetchOnNews?: "fetching" | "complete";
  /** How peer bytes are verified (see sim-trust.ts); undefined = the SDK's default, the ladder. */
  trust?: TrustMode;
  /** Seed of every random choice (joins, tracker picks, tie-breaks): one seed, one outcome. */
  seed: number;
}

/** The scheduler's rules before the simulator's findings: 200–1000 ms holds, `fetching` only before HTTP. */
export const BEFORE_GOSSIP: PolicyVariant = {
  holdMinMs: 200,
  holdSpreadMs: 800,
  gossipFetching: false,
};
