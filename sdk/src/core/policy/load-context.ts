/**
 * What one load's policy reads of the world, through small interfaces the engine and the simulator
 * each implement: the swarm as a {@link PeerView}, the segment's bytes, the playback deadline, the
 * HTTP estimates, a clock, and what the loads of one viewer share ({@link ViewerState}).
 */
import type { NearcastConfig } from "../config.js";
import type { Decision, PeerCandidate, ScheduleInput } from "./decide.js";
import type { ThroughputProbe } from "./throughput-probe.js";
import type { TransferEstimates } from "./transfer-estimates.js";

/** What the policy reads about the swarm a load belongs to. `Swarm` (p2p/swarm.ts) is one. */
export interface PeerView {
  /** Peers that hold or are fetching the segment; read once per decision. */
  candidates(segmentId: string): readonly PeerCandidate[];
  /** The size a peer announced for the segment, if any did, bytes. */
  announcedLength(segmentId: string): number | undefined;
  /** See `awaitingFirstPeer` in waits.ts. */
  readonly awaitingFirstPeer: boolean;
  readonly connectedPeers: number;
  /**
   * Other viewers the tracker last counted in this swarm (its complete + incomplete minus us);
   * undefined until a tracker answered with counts.
   */
  readonly othersReported: number | undefined;
}

/** The segment's bytes held so far (from any source). */
export interface LoadBytes {
  readonly length: number;
  readonly complete: boolean;
}

/** The config keys the policy reads. */
export type PolicyConfig = Pick<
  NearcastConfig,
  "httpSafetyMarginMs" | "p2pStallTimeoutMs" | "maxUploadBytesPerSec"
>;

/**
 * Earlier versions of the rules, for the simulator to compare against (bench/sim `--before`); the
 * SDK runs the defaults.
 */
export interface PolicyVariant {
  /** The new-segment hold's range. @default 500 and 1000 (constants.ts) */
  holdMinMs?: number;
  holdSpreadMs?: number;
  /** An elected first fetcher's hold range (waits.ts roleHoldMs). @default 0 and ELECTED_HOLD_SPREAD_MS */
  electedHoldMinMs?: number;
  electedHoldSpreadMs?: number;
  /**
   * Announce `fetching` when a peer download starts from byte 0, not only before HTTP: true everywhere,
   * false nowhere, `"small-swarms"` in swarms of at most 100 viewers only (mesh-rules.ts
   * announcesPeerDownload). @default true
   */
  gossipFetching?: boolean | "small-swarms";
  /** Viewers that cannot relay in real time hold longer and announce nothing. @default true */
  weakUplinkRules?: boolean;
  /**
   * Whether a viewer relays in real time is judged by its measured uplink too (uplink-estimate.ts),
   * not only by its configured cap. @default true
   */
  measuredUplink?: boolean;
  /**
   * Viewers elected, in expectation, to fetch a new live segment first (waits.ts `firstFetchRole`);
   * Infinity: everyone may, as before the election. @default FIRST_FETCHER_SHARE of the swarm, at least
   * FIRST_FETCHERS_PER_SWARM (mesh-rules.ts electedFirstFetchers)
   */
  firstFetchers?: number;
  /**
   * In a large swarm, a streaming peer transfer may run until half the safety margin is left beyond
   * the fallback's time (transfer-limits.ts). @default true
   */
  streamingBudget?: boolean;
  /**
   * In a large swarm, a peer transfer with no byte this long after its start is cut (ms; Infinity:
   * never, the rule before it). @default RELAY_FIRST_BYTE_MS (constants.ts)
   */
  relayFirstByteMs?: number;
  /**
   * A viewer whose measured uplink cannot pass a segment on in real time answers requests for it
   * with `absent` (p2p/upload-rules.ts `servesSegment`; the SDK's Uploader always does). @default true
   */
  servesByUplink?: boolean;
}

/** What one load reads, for its whole life. */
export interface LoadContext {
  segment: { id: string; live: boolean; durationSec: number; canSwitchUp?: boolean };
  /** The swarm and this viewer in it; undefined when P2P is off. */
  p2p: { peers: PeerView; peerId: string; uploading: boolean } | undefined;
  bytes: LoadBytes;
  /** Milliseconds until the player needs the segment (see `playbackDeadlineMs`). */
  deadlineMs(): number;
  estimates: TransferEstimates;
  /** The policy's clock, ms; the one the estimates' samples are timed with. */
  clock: { now(): number };
  /**
   * Only the origin's bytes will do: peers' bytes of this segment just failed verification. HTTP at
   * once, announced as any HTTP fetch is; a failure ends the load.
   */
  httpOnly?: boolean;
  /** Sees every decision and its input (logs, the simulator's counts and trace). */
  observe?(decision: Decision, input: ScheduleInput, afterHttpFailure: boolean): void;
}

/** What a load shares with the other loads of its viewer (see delivery-policy.ts). */
export interface ViewerState {
  readonly config: PolicyConfig;
  readonly variant: PolicyVariant;
  readonly probe: ThroughputProbe;
  failedRecently(segmentId: string): boolean;
  noteHttpFailure(segmentId: string): void;
  noteHttpSuccess(segmentId: string): void;
}
