// The trust ladder in the simulator: what verifying a segment's peer bytes costs in time and origin
// bytes, with the SDK's own rules and constants (verify/trust-ladder.ts, verify/spot-check.ts,
// engine/segment-delivery.ts) and the digest service's (demo-server/src/digests/). Bytes are counted,
// never compared: simulated peers are honest, so a check that answers in time always vouches.
//
// The SDK, per load with peer bytes: the first peer frame states the size; the digest service is asked
// then (one round trip to the server). In a swarm below the service's `minSwarmSize` it answers
// "small_swarm" and the spot checks start (SPOT_CHECK_SAMPLES ranges + the tail, one CDN round trip,
// in parallel); with no answer within SPOT_CHECK_DIGEST_GRACE_MS they start anyway. Once the bytes are
// all in, the verdict waits at most `verificationWaitMs` for whichever answer it needs. Peer bytes are
// never passed on unverified (SegmentAssembly's holdUnverifiedP2p, always on): with the service's
// chunk digests (an `ok` answer, so a swarm it serves) each verified DIGEST_CHUNK_BYTES prefix is
// passed on as soon as the answer is in (verified cut-through, SegmentTrust.cutThrough); without them
// (spot checks, below the min swarm) a relay serves a segment only once it has the whole of it and it
// was verified.
import { DEFAULT_DIGEST_OPTIONS } from "../../demo-server/src/digests/digest-options.js";
import { pollDelayMs } from "../../demo-server/src/digests/entry-table.js";
import { DIGEST_CHUNK_BYTES } from "../../sdk/src/http/digest-wire.js";
import { planSpotSamples } from "../../sdk/src/verify/spot-check.js";
import { SPOT_CHECK_DIGEST_GRACE_MS } from "../../sdk/src/verify/trust-ladder.js";

/**
 * `ladder`: the SDK's default (verified cut-through where the digest service answers with chunk
 * digests). `ladder-hold`: the ladder as before 2a54950, every segment's peer bytes held until the
 * whole-segment verdict (a comparison; no SDK setting does this now). `allow-unverified`: the SDK with `allowUnverifiedPeers` — the ladder
 * still runs (segment-delivery.ts begins it whenever a rung may vouch), but a segment it could not
 * vouch for in time reaches the player instead of being fetched again (still never passed on).
 * `off`: no ladder at all, peer bytes relayed as they arrive (what the simulator modelled before;
 * no SDK setting does this).
 */
export type TrustMode = "ladder" | "ladder-hold" | "allow-unverified" | "off";
export const TRUST_MODES: readonly TrustMode[] = ["ladder", "ladder-hold", "allow-unverified", "off"];

/** What one load's verification needs to know, times in ms on the virtual clock. */
export interface VerifyInput {
  /** Viewers in the swarm (the tracker's count, as the digest service reads it). */
  swarmSize: number;
  /** The first peer bytes arrived (a peer stated the size): the digest ask goes out. */
  lengthKnownMs: number;
  /** The segment's bytes are all in: the verdict is asked for. */
  completeMs: number;
  /** How long the verdict may wait (segment-delivery.ts verificationWaitMs). */
  waitMs: number;
  segmentBytes: number;
  /** Round trip to the digest service (the tracker's server). */
  serverRttMs: number;
  /** A Range request's round trip to the CDN, to its (small) answer. */
  cdnRttMs: number;
  /** When the service holds the segment's digest (see {@link digestReadyMs}). */
  digestReadyMs: number;
  /** The service's `minSwarmSize` (default DEFAULT_DIGEST_OPTIONS.minSwarmSize). */
  minSwarmSize?: number;
}

export interface VerifyOutcome {
  /** `unverifiable`: neither answer came within the wait. */
  verdict: "verified" | "unverifiable";
  by: "server-digest" | "spot-check" | undefined;
  /** When the verdict is known (the load may deliver and, verified, pass the segment on). */
  atMs: number;
  /** Spot-check Range requests sent to the origin, and the bytes they cost. */
  spotRequests: number;
  spotBytes: number;
}

/** Origin bytes of one round of spot checks on a segment of `length` bytes (sizes do not depend on the draw). */
export function spotCheckCost(length: number): { requests: number; bytes: number } {
  const plan = planSpotSamples(length, () => 0);
  return { requests: plan.length, bytes: plan.reduce((s, p) => s + (p.end - p.start), 0) };
}

/**
 * The digest service's answer to the ask sent at `lengthKnownMs`: when it reaches the viewer, and
 * whether it is `ok` (the segment's digest and its chunk digests) — only in a swarm it serves, and
 * only if it had the digest within its own wait (else `pending`). A small swarm is answered at once.
 */
export function digestAnswer(
  input: Pick<VerifyInput, "swarmSize" | "lengthKnownMs" | "serverRttMs" | "digestReadyMs" | "minSwarmSize">,
): { ok: boolean; answerMs: number } {
  const min = input.minSwarmSize ?? DEFAULT_DIGEST_OPTIONS.minSwarmSize;
  const served = input.swarmSize >= min;
  const askArrivesMs = input.lengthKnownMs + input.serverRttMs / 2;
  const maxWait = DEFAULT_DIGEST_OPTIONS.maxWaitMs;
  const ok = served && input.digestReadyMs <= askArrivesMs + maxWait;
  const answeredAtServer = !served
    ? askArrivesMs
    : Math.max(askArrivesMs, Math.min(input.digestReadyMs, askArrivesMs + maxWait));
  return { ok, answerMs: answeredAtServer + input.serverRttMs / 2 };
}

/**
 * Bytes `[0, end)` of a copy holding `length` of `total` bytes that verified cut-through may pass on
 * once the chunk digests are in: the whole DIGEST_CHUNK_BYTES chunks held, or all of a complete copy
 * (its last chunk may be short). ChunkVerifier checks exactly these; no hash time is modelled.
 */
export function cutThroughEnd(length: number, total: number): number {
  if (length >= total) return total;
  return Math.floor(length / DIGEST_CHUNK_BYTES) * DIGEST_CHUNK_BYTES;
}

/** The trust ladder's timeline for one load with peer bytes (trust-ladder.ts SegmentTrust, step by step). */
export function verifyLoad(input: VerifyInput): VerifyOutcome {
  const { ok, answerMs } = digestAnswer(input);
  // Spot checks start on a "not ok" answer, or after the grace without one.
  const graceMs = input.lengthKnownMs + SPOT_CHECK_DIGEST_GRACE_MS;
  let samplesFromMs = ok && answerMs <= graceMs ? undefined : Math.min(ok ? graceMs : answerMs, graceMs);
  // The verdict: the digest's answer, waited for within the deadline…
  const untilMs = input.completeMs + input.waitMs;
  const decidedMs = Math.max(input.completeMs, Math.min(answerMs, untilMs));
  const cost = () =>
    samplesFromMs === undefined ? { requests: 0, bytes: 0 } : spotCheckCost(input.segmentBytes);
  if (ok && answerMs <= untilMs) {
    const c = cost();
    return {
      verdict: "verified",
      by: "server-digest",
      atMs: decidedMs,
      spotRequests: c.requests,
      spotBytes: c.bytes,
    };
  }
  // …else the spot checks (started now if they had not), also within the deadline.
  samplesFromMs ??= decidedMs;
  const samplesDoneMs = samplesFromMs + input.cdnRttMs;
  const c = cost();
  if (samplesDoneMs <= untilMs)
    return {
      verdict: "verified",
      by: "spot-check",
      atMs: Math.max(decidedMs, samplesDoneMs),
      spotRequests: c.requests,
      spotBytes: c.bytes,
    };
  return {
    verdict: "unverifiable",
    by: undefined,
    atMs: untilMs,
    spotRequests: c.requests,
    spotBytes: c.bytes,
  };
}

/**
 * When the digest service holds segment `msn`'s digest: it follows the live playlist (a poll every
 * `pollDelayMs`, phase 0 on the virtual clock) and an ask about a segment it has not listed refreshes
 * it at once; either way it then fetches the segment from the origin (`fetchMs`).
 */
export function digestReadyMs(
  listedAtMs: number,
  firstAskMs: number,
  targetDurationSec: number,
  fetchMs: number,
): number {
  const poll = pollDelayMs(targetDurationSec);
  const nextPoll = Math.ceil(listedAtMs / poll) * poll;
  return Math.min(nextPoll, Math.max(listedAtMs, firstAskMs)) + fetchMs;
}

/** The origin bytes and requests the protection cost in one run (per world). */
export class TrustCounters {
  /** The digest service's smallest swarm served (nearcast-server's `--digests-min-swarm`). */
  readonly minSwarmSize: number = DEFAULT_DIGEST_OPTIONS.minSwarmSize;
  spotRequests = 0;
  spotBytes = 0;
  /** The digest service's own origin fetches: each segment once per rendition it serves digests for. */
  digestFetches = 0;
  digestBytes = 0;
  verified = { "server-digest": 0, "spot-check": 0 };
  unverifiable = 0;
  /** Peer bytes thrown away (unverifiable, fetched again over HTTP). */
  discardedP2pBytes = 0;
  /** Bytes passed on by verified cut-through while their segment was still arriving. */
  cutThroughBytes = 0;
  /** rendition/msn → when the service first heard of it (its digest fetch is counted then). */
  private readonly firstAsk = new Map<string, number>();

  /**
   * An ask for this segment reaching the service at `atMs`: the earliest ask so far. The first one
   * counts the service's origin fetch of the segment.
   */
  ask(rendition: string, msn: number, atMs: number, bytes: number): number {
    const key = `${rendition}/${msn}`;
    const seen = this.firstAsk.get(key);
    if (seen === undefined) {
      this.digestFetches++;
      this.digestBytes += bytes;
    }
    const first = Math.min(seen ?? atMs, atMs);
    this.firstAsk.set(key, first);
    return first;
  }

  get protectionBytes(): number {
    return this.spotBytes + this.digestBytes;
  }
}
