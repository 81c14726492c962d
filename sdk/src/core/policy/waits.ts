/**
 * How long a load may wait for peers before it becomes one more CDN fetch: the new-segment hold
 * (rule 4 of decide.ts) and the first-peer wait (rule 3). Pure functions of their inputs.
 */
import { slackOf, type ScheduleInput } from "./decide.js";
import type { PolicyVariant } from "./load-context.js";
import {
  ELECTED_HOLD_SPREAD_MS,
  FIRST_FETCHER_ELECTION_MIN_SWARM,
  FIRST_FETCHERS_PER_SWARM,
  FIRST_PEER_WAIT_WINDOW_MS,
  MIN_HEDGE_BUDGET_MS,
  NEW_SEGMENT_HOLD_MIN_MS,
  NEW_SEGMENT_HOLD_SPREAD_MS,
  NON_RELAY_HOLD_EXTRA_MS,
  NOT_ELECTED_HOLD_EXTRA_MS,
} from "./constants.js";

/**
 * How long this viewer holds a new live segment before fetching it from the CDN: `minMs` to
 * `minMs + spreadMs` (default 500–1500 ms), by an FNV-1a hash of (segment id, peer id). Viewers that
 * see a segment at nearly the same time would otherwise all fetch it (each is "first" among its own
 * neighbours); with holds different for every viewer and segment, one viewer goes first and
 * announces `fetching`, the others take the segment from it, and the job of fetching rotates.
 */
export function newSegmentHoldMs(
  segmentId: string,
  peerId: string,
  minMs = NEW_SEGMENT_HOLD_MIN_MS,
  spreadMs = NEW_SEGMENT_HOLD_SPREAD_MS,
): number {
  return minMs + spreadMs * hash01(`${segmentId}\n${peerId}`);
}

/**
 * A viewer's part in fetching a new live segment first: in a swarm of at most
 * {@link FIRST_FETCHER_ELECTION_MIN_SWARM} viewers (or when the tracker sent no count), `everyone` may
 * be first. In a larger one a viewer is `elected` with probability `firstFetchers` / `swarmSize`, by
 * a hash of (segment id, peer id) independent of the one that orders holds, and
 * never when it cannot relay in real time (`relays` false); the rest are `not-elected`. Every viewer
 * draws on its own, with no message: about that many are elected for each segment, others each
 * time. `swarmSize` counts every viewer the tracker reported, us included; `firstFetchers` is the
 * count expected (mesh-rules.ts electedFirstFetchers; Infinity: everyone, always).
 */
export type FirstFetchRole = "everyone" | "elected" | "not-elected";

export function firstFetchRole(
  segmentId: string,
  peerId: string,
  swarmSize: number | undefined,
  relays = true,
  firstFetchers = FIRST_FETCHERS_PER_SWARM,
): FirstFetchRole {
  if (swarmSize === undefined || !(swarmSize > Math.max(firstFetchers, FIRST_FETCHER_ELECTION_MIN_SWARM)))
    return "everyone";
  const elected = relays && hash01(`${segmentId}\n${peerId}\nfirst`) < firstFetchers / swarmSize;
  return elected ? "elected" : "not-elected";
}

/**
 * The hold ranges {@link roleHoldMs} draws from, ms (the simulator's comparisons override them; the
 * SDK runs the defaults): `holdMinMs`..`holdMinMs + holdSpreadMs` (default
 * {@link NEW_SEGMENT_HOLD_MIN_MS}..+{@link NEW_SEGMENT_HOLD_SPREAD_MS}) for `everyone` and `not-elected`,
 * `electedHoldMinMs`..`electedHoldMinMs + electedHoldSpreadMs` (default 0..{@link ELECTED_HOLD_SPREAD_MS})
 * for `elected`. A PolicyVariant (load-context.ts) is one.
 */
export type HoldRanges = Pick<
  PolicyVariant,
  "holdMinMs" | "holdSpreadMs" | "electedHoldMinMs" | "electedHoldSpreadMs"
>;

/**
 * This viewer's new-segment hold before it is fitted to the slack, ms, by its {@link FirstFetchRole}
 * (`ranges`: see {@link HoldRanges}):
 * - `everyone` (a small swarm): {@link newSegmentHoldMs} over the hold range, one spread
 *   more ({@link NON_RELAY_HOLD_EXTRA_MS}) for a viewer that cannot relay;
 * - `elected`: the elected range, hashed. Fetching early leaves the rest of the window for the news
 *   to cross the swarm; the spread lets the first elected fetches reach the later elected ones'
 *   neighbourhoods before their holds end;
 * - `not-elected`: as `everyone`, plus {@link NOT_ELECTED_HOLD_EXTRA_MS}: in practice the whole
 *   window the buffer allows (fitHoldToSlack ends holds past the range with the window).
 */
export function roleHoldMs(
  role: FirstFetchRole,
  segmentId: string,
  peerId: string,
  relays: boolean,
  ranges: HoldRanges = {},
): number {
  const {
    holdMinMs = NEW_SEGMENT_HOLD_MIN_MS,
    holdSpreadMs = NEW_SEGMENT_HOLD_SPREAD_MS,
    electedHoldMinMs = 0,
    electedHoldSpreadMs = ELECTED_HOLD_SPREAD_MS,
  } = ranges;
  if (role === "elected") return newSegmentHoldMs(segmentId, peerId, electedHoldMinMs, electedHoldSpreadMs);
  const holdMs =
    newSegmentHoldMs(segmentId, peerId, holdMinMs, holdSpreadMs) + (relays ? 0 : NON_RELAY_HOLD_EXTRA_MS);
  return role === "not-elected" ? holdMs + NOT_ELECTED_HOLD_EXTRA_MS : holdMs;
}

/** FNV-1a of `text`, as a fraction in [0, 1). */
function hash01(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

/**
 * This viewer's new-segment hold for one segment, fitted to the time the buffer leaves, ms (0 when
 * no hold fits). A hold may use the slack down to {@link MIN_HEDGE_BUDGET_MS}: the window, at whose
 * end `decide` ends every hold. Viewers with equally short buffers (the same downlink and latency)
 * would then all end their holds together and all fetch from the CDN; so when the window is shorter
 * than `spanMs` (the end of the hold range), every hold is scaled by window / `spanMs`: they keep the
 * hashed order, and those after the first take the segment from it. Holds past the range (a
 * non-relaying viewer's) end with the window.
 */
export function fitHoldToSlack(
  holdMs: number,
  input: ScheduleInput,
  spanMs = NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS,
): number {
  const windowMs = slackOf(input) - MIN_HEDGE_BUDGET_MS;
  if (!(windowMs > 0) || !(holdMs > 0)) return 0;
  return Math.min(windowMs, holdMs * Math.min(1, windowMs / spanMs));
}

/**
 * Whether this viewer can pass a segment on as fast as it plays: uploads are on and the upload rate
 * (bytes/s, 0 = no limit known: the configured cap or the measured uplink, whichever is lower, see
 * `effectiveUploadBytesPerSec`) carries `segmentBytes` within `segmentDurationSec`. One that cannot
 * must not be a segment's first fetcher (its neighbours would wait on it in vain): it holds longer and
 * announces no `fetching`.
 */
export function relaysInRealTime(
  uploading: boolean,
  maxUploadBytesPerSec: number,
  segmentBytes: number,
  segmentDurationSec: number,
): boolean {
  if (!uploading) return false;
  if (maxUploadBytesPerSec <= 0 || !(segmentDurationSec > 0)) return true;
  return maxUploadBytesPerSec * segmentDurationSec >= segmentBytes;
}

/** What {@link awaitingFirstPeer} needs to know of a swarm. */
export interface SwarmStartState {
  /** Milliseconds since this viewer joined the swarm. */
  sinceJoinMs: number;
  /** A peer has come and gone: past start-up. */
  peerLeft: boolean;
  /** A tracker answered our announce, and how many others it counted (undefined: it sent no counts). */
  trackerAnswered: boolean;
  othersReported: number | undefined;
  /** Some connected peer has sent its availability map. */
  availabilityReceived: boolean;
}

/**
 * Whether a load may wait for this viewer's first peer (rule 3 of decide.ts): it joined within
 * {@link FIRST_PEER_WAIT_WINDOW_MS}, no peer has come and gone, the tracker says others are here (or
 * has not answered yet), and no peer has told us what it holds yet.
 */
export function awaitingFirstPeer(state: SwarmStartState): boolean {
  if (state.peerLeft || state.sinceJoinMs > FIRST_PEER_WAIT_WINDOW_MS) return false;
  if (state.trackerAnswered && state.othersReported === 0) return false;
  return !state.availabilityReceived;
}
