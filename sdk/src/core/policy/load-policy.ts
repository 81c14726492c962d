/**
 * One segment load's delivery policy: a state machine that owns every peer-vs-HTTP rule for the
 * life of one load — the new-segment hold and its fitting, peer budgets and the transfer limits, the
 * first-peer wait, the ABR probe, the path after an HTTP failure, and the one rule for announcing
 * `fetching` and `fetch-cancelled`. Pure: it reads the world through small interfaces
 * (load-context.ts: the swarm as a PeerView, the HTTP estimates, a clock) and answers with {@link LoadAction}s that a driver
 * (engine/segment-load.ts) carries out, in the real engine and in the simulator alike.
 */
import { decide, decideAfterHttpFailure, type ScheduleInput } from "./decide.js";
import { NEW_SEGMENT_HOLD_MIN_MS, NEW_SEGMENT_HOLD_SPREAD_MS, RELAY_FIRST_BYTE_MS } from "./constants.js";
import type { LoadContext, ViewerState } from "./load-context.js";
import { announcesPeerDownload, electedFirstFetchers, isLargeSwarm } from "./mesh-rules.js";
import {
  nextTransferCheckMs,
  peerTransferLimits,
  transferOverLimit,
  type PeerTransfer,
} from "./transfer-limits.js";
import { effectiveUploadBytesPerSec } from "./uplink-estimate.js";
import {
  firstFetchRole,
  fitHoldToSlack,
  relaysInRealTime,
  roleHoldMs,
  type FirstFetchRole,
} from "./waits.js";

/** What the driver does next for a load. */
export type LoadAction =
  | { kind: "complete" }
  /** Wait until the swarm changes (a peer joins, news of the segment) or `maxWaitMs` passed. */
  | { kind: "wait"; maxWaitMs: number; reason: "awaiting-first-peer" | "new-segment-hold" }
  /** Ask a peer for the rest of the segment; then check the transfer at `checkAtMs`. */
  | { kind: "ask-peer"; peerId: string; budgetMs: number; announceFetching: boolean; checkAtMs: number }
  /** Fetch the rest of the segment over HTTP (a Range from the bytes held). */
  | { kind: "http"; announceFetching: boolean }
  /** Give up: the load fails with the error that ended it. */
  | { kind: "fail"; announceCancelled: boolean };

/** What the driver does about the peer transfer in flight at a check. */
export type TransferAction = { kind: "check-at"; atMs: number } | { kind: "cut"; reason: string };

type Phase = "peers" | "transfer" | "http" | "after-http-failure" | "done";

export class LoadPolicy {
  /** Peers that failed for this segment: never asked again for it. */
  private readonly failedPeers = new Set<string>();
  /** The viewer's new-segment hold for this segment (ms), fitted once, and how much of it was spent. */
  private holdMs: number;
  private holdFitted = false;
  private spentHoldMs = 0;
  /** This viewer can pass the segment on in real time (else: longer hold, no `fetching`). */
  readonly relays: boolean;
  /** This viewer's part in fetching the segment first (waits.ts `firstFetchRole`). */
  readonly role: FirstFetchRole;
  /** The tracker counts more than FIRST_FETCHER_ELECTION_MIN_SWARM viewers: streaming budgets apply. */
  private readonly largeSwarm: boolean;
  /** The HTTP throughput before this load's ABR probe, bits/s; undefined when it is not one. */
  readonly probeFromBps: number | undefined;
  private phase: Phase = "peers";
  private waitReason: string | undefined;
  private transfer: PeerTransfer | undefined;
  private announced = false;
  /** The last decision, "kind:reason" (the simulator's records and its breakdown of HTTP loads). */
  lastDecision: string | undefined;

  constructor(
    private readonly ctx: LoadContext,
    private readonly viewer: ViewerState,
  ) {
    const { segment, p2p, estimates } = ctx;
    const variant = viewer.variant;
    // A viewer that cannot relay this rendition in real time leaves the first fetch to others:
    // by its configured cap, or by what its uplink was measured to carry (a slow link, no cap).
    const measuredUplink =
      variant.measuredUplink === false ? undefined : estimates.uplink.bytesPerSec(ctx.clock.now());
    this.relays =
      variant.weakUplinkRules === false
        ? p2p !== undefined
        : relaysInRealTime(
            p2p?.uploading ?? false,
            effectiveUploadBytesPerSec(viewer.config.maxUploadBytesPerSec, measuredUplink),
            p2p?.peers.announcedLength(segment.id) ?? estimates.segmentBytes,
            segment.durationSec,
          );
    this.probeFromBps =
      !ctx.httpOnly && viewer.probe.due(estimates, ctx.clock.now(), segment.canSwitchUp === true)
        ? estimates.httpBandwidthBps
        : undefined;
    // In a large swarm, only a few viewers (elected by hash) hold briefly for a new live segment; the
    // rest hold as long as the buffer allows and take it from the mesh once one of those fetched it.
    const others = p2p?.peers.othersReported;
    this.largeSwarm = isLargeSwarm(others);
    this.role = p2p
      ? firstFetchRole(
          segment.id,
          p2p.peerId,
          others === undefined ? undefined : others + 1,
          this.relays,
          electedFirstFetchers(others === undefined ? undefined : others + 1, variant.firstFetchers),
        )
      : "everyone";
    // A retry after an HTTP failure skips the hold: it was spent on the first try, and the back-off
    // already shortened the buffer. A probe skips it to be the first fetcher.
    this.holdMs =
      p2p && segment.live && !viewer.failedRecently(segment.id) && this.probeFromBps === undefined
        ? roleHoldMs(
            this.role,
            segment.id,
            p2p.peerId,
            this.relays,
            variant.holdMinMs,
            variant.holdSpreadMs,
            variant.electedHoldMinMs,
            variant.electedHoldSpreadMs,
          )
        : 0;
  }

  /** The time spent in new-segment holds so far, ms. */
  get heldMs(): number {
    return this.spentHoldMs;
  }

  /** The peer of the transfer in flight, if one is. */
  get transferPeerId(): string | undefined {
    return this.transfer?.peerId;
  }

  /** The origin failed this load once; peers are tried before the error goes back to the player. */
  get afterHttpFailure(): boolean {
    return this.phase === "after-http-failure";
  }

  /** Decide what to do now (at the start, after a wait, after a peer transfer ended). */
  next(): LoadAction {
    const { ctx } = this;
    if (ctx.bytes.complete) return this.end({ kind: "complete" });
    const p2p = ctx.p2p;
    const afterFailure = this.phase === "after-http-failure";
    if (!p2p || ctx.httpOnly) return afterFailure ? this.fail() : this.http();
    const id = ctx.segment.id;
    const input: ScheduleInput = {
      segmentBytesEstimate: p2p.peers.announcedLength(id) ?? ctx.estimates.segmentBytes,
      deadlineMs: ctx.deadlineMs(),
      httpBandwidthBps: ctx.estimates.httpBandwidthBps,
      httpFirstByteMs: ctx.estimates.httpFirstByteMs,
      safetyMarginMs: this.viewer.config.httpSafetyMarginMs,
      candidates: p2p.peers.candidates(id),
      failedPeers: this.failedPeers,
      awaitingFirstPeer: p2p.peers.awaitingFirstPeer,
      live: ctx.segment.live,
      connectedPeers: p2p.peers.connectedPeers,
      holdLeftMs: 0,
    };
    if (!this.holdFitted) {
      // Once, when the segment is first asked for: a hold the buffer cannot afford is scaled.
      const { holdMinMs = NEW_SEGMENT_HOLD_MIN_MS, holdSpreadMs = NEW_SEGMENT_HOLD_SPREAD_MS } =
        this.viewer.variant;
      this.holdMs = fitHoldToSlack(this.holdMs, input, holdMinMs + holdSpreadMs);
      this.holdFitted = true;
    }
    input.holdLeftMs = this.holdMs - this.spentHoldMs;
    const decision = afterFailure ? decideAfterHttpFailure(input) : decide(input);
    this.lastDecision = `${decision.kind}:${decision.reason}`;
    ctx.observe?.(decision, input, afterFailure);
    if (decision.kind === "wait") {
      this.waitReason = decision.reason;
      return { kind: "wait", maxWaitMs: decision.maxWaitMs, reason: decision.reason };
    }
    if (decision.kind === "http") return afterFailure ? this.fail() : this.http();
    const now = ctx.clock.now();
    const transfer: PeerTransfer = {
      peerId: decision.peerId,
      startedMs: now,
      grantedMs: decision.budgetMs,
      deadlineMs: input.deadlineMs,
      expectedBytes: input.segmentBytesEstimate - ctx.bytes.length,
      lastProgressMs: now,
      receivedBytes: 0,
    };
    this.transfer = transfer;
    this.phase = afterFailure ? this.phase : "transfer";
    // Gossip one hop (small swarms, mesh-rules.ts): tell our neighbours as a peer download starts, so
    // news of a new live segment reaches the neighbours of the viewers taking it from the CDN's first
    // fetcher before their holds end.
    const announce =
      announcesPeerDownload(this.largeSwarm, this.viewer.variant.gossipFetching) &&
      ctx.bytes.length === 0 &&
      this.relays;
    return {
      kind: "ask-peer",
      peerId: decision.peerId,
      budgetMs: decision.budgetMs,
      announceFetching: this.announce(announce),
      checkAtMs: nextTransferCheckMs(transfer, now, this.limits(transfer)),
    };
  }

  /** A wait ended after `elapsedMs` (its time or a change in the swarm); call {@link next} then. */
  waitEnded(elapsedMs: number): void {
    if (this.waitReason === "new-segment-hold") this.spentHoldMs += elapsedMs;
    this.waitReason = undefined;
  }

  /** The peer `decide` chose is gone (it left meanwhile): never asked again for this segment. */
  peerUnavailable(peerId: string): void {
    this.failedPeers.add(peerId);
    this.endTransfer();
  }

  /** `bytes` more arrived from the peer in flight at `nowMs`. */
  peerProgress(bytes: number, nowMs: number): void {
    const t = this.transfer;
    if (!t) return;
    t.lastProgressMs = nowMs;
    t.firstByteMs ??= nowMs;
    t.receivedBytes += bytes;
  }

  /** The watchdog of the peer transfer in flight, at `nowMs`: go on (check again at …) or cut it. */
  checkTransfer(nowMs: number): TransferAction {
    const t = this.transfer;
    if (!t) return { kind: "cut", reason: "no transfer" };
    const limits = this.limits(t);
    const reason = transferOverLimit(t, nowMs, limits);
    if (reason) return { kind: "cut", reason };
    return { kind: "check-at", atMs: nextTransferCheckMs(t, nowMs, limits) };
  }

  /** The peer transfer ended: complete, or failed (stalled, cut, refused, closed). */
  peerEnded(ok: boolean): void {
    const t = this.transfer;
    if (!t) return;
    if (!ok) this.failedPeers.add(t.peerId);
    this.endTransfer();
  }

  /** The HTTP fetch delivered the rest of the segment (the estimates already hold its sample). */
  httpDone(): LoadAction {
    this.viewer.noteHttpSuccess(this.ctx.segment.id);
    if (this.probeFromBps !== undefined)
      this.viewer.probe.done(this.probeFromBps, this.ctx.estimates.httpBandwidthBps);
    this.phase = "peers";
    return this.next();
  }

  /**
   * The HTTP fetch failed. One that may succeed elsewhere (`retryable`: a 5xx, a timeout, a network
   * error) sends the load to peers once more before the error goes back to the player, which would
   * only retry after its back-off: origin errors are often per request, and a peer may hold the
   * segment by now. Otherwise the load fails.
   */
  httpFailed(retryable: boolean): LoadAction {
    if (!retryable || this.ctx.httpOnly || this.phase === "after-http-failure") return this.fail();
    this.viewer.noteHttpFailure(this.ctx.segment.id);
    this.phase = "after-http-failure";
    this.holdMs = 0;
    this.holdFitted = false;
    this.spentHoldMs = 0;
    return this.next();
  }

  /** The load was aborted (the player moved on): what to tell the neighbours. */
  aborted(): LoadAction {
    return this.fail();
  }

  private http(): LoadAction {
    this.phase = "http";
    return { kind: "http", announceFetching: this.announce(this.relays) };
  }

  /** Tell the neighbours we are getting this segment (never when we cannot relay it). */
  private announce(wanted: boolean): boolean {
    if (wanted) this.announced = true;
    return wanted;
  }

  /** A load that announced `fetching` and got no byte takes the note back, so nobody waits on it. */
  private fail(): LoadAction {
    return this.end({ kind: "fail", announceCancelled: this.announced && this.ctx.bytes.length === 0 });
  }

  private end(action: LoadAction): LoadAction {
    this.phase = "done";
    this.endTransfer();
    return action;
  }

  private endTransfer(): void {
    this.transfer = undefined;
    if (this.phase === "transfer") this.phase = "peers";
  }

  private limits(t: PeerTransfer) {
    // Only in a large swarm, where segments cross several relays: in a small one a slow peer is
    // more often a capped uplink than a relay, and waiting on it longer cost offload (bench:sim weak-8).
    const reserveMs =
      this.largeSwarm && this.viewer.variant.streamingBudget !== false
        ? this.viewer.config.httpSafetyMarginMs / 2
        : undefined;
    const limits = peerTransferLimits(t, this.ctx.estimates, this.viewer.config.p2pStallTimeoutMs, reserveMs);
    // Large swarms only: there `fetching` gossip builds relay chains deeper than their bytes can
    // cross in a budget (constants.ts RELAY_FIRST_BYTE_MS); in a small one every relay is a hop or
    // two from the CDN and a late first byte is a slow link, not a queue.
    const firstByteMs = this.viewer.variant.relayFirstByteMs ?? RELAY_FIRST_BYTE_MS;
    return this.largeSwarm && Number.isFinite(firstByteMs) ? { ...limits, firstByteMs } : limits;
  }
}
