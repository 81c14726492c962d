// The per-load state machine, rule by rule: what it is told → the action it answers with.
import { describe, expect, it } from "vitest";
import {
  ABR_PROBE_MIN_INTERVAL_MS,
  AFTER_HTTP_FAILURE_PEER_BUDGET_MS,
  ELECTED_HOLD_SPREAD_MS,
  FIRST_FETCHER_SHARE,
  NEW_SEGMENT_HOLD_MIN_MS,
  NOT_ELECTED_HOLD_EXTRA_MS,
  NON_RELAY_HOLD_EXTRA_MS,
  TRANSFER_CHECK_INTERVAL_MS,
} from "../../../../sdk/src/core/policy/constants.js";
import type { PeerCandidate } from "../../../../sdk/src/core/policy/decide.js";
import { DeliveryPolicy } from "../../../../sdk/src/core/policy/delivery-policy.js";
import type { LoadContext, PolicyVariant } from "../../../../sdk/src/core/policy/load-context.js";
import { TransferEstimates } from "../../../../sdk/src/core/policy/transfer-estimates.js";
import { newSegmentHoldMs } from "../../../../sdk/src/core/policy/waits.js";
import { peer } from "./fixtures.js";

const SEGMENT_BYTES = 250_000;

/** A world to run one load's policy in: a swarm, the bytes held, a clock, 8 Mbit/s HTTP. */
function world(over: { variant?: PolicyVariant; maxUploadBytesPerSec?: number } = {}) {
  const estimates = new TransferEstimates();
  // One HTTP sample: 250 kB at 8 Mbit/s, 100 ms to the first byte, ending at t = 0.
  estimates.sampleHttp({ requestStartMs: -350, firstByteMs: -250, endMs: 0 }, SEGMENT_BYTES);
  const state = {
    nowMs: 0,
    deadlineMs: 6000,
    candidates: [] as PeerCandidate[],
    awaitingFirstPeer: false,
    connectedPeers: 3,
    othersReported: undefined as number | undefined,
    uploading: true,
    bytes: { length: 0, complete: false },
  };
  const policy = new DeliveryPolicy(
    {
      httpSafetyMarginMs: 2500,
      p2pStallTimeoutMs: 1500,
      maxUploadBytesPerSec: over.maxUploadBytesPerSec ?? 0,
    },
    over.variant,
  );
  const context = (
    segment: Partial<LoadContext["segment"]> = {},
    p2p = true,
    httpOnly = false,
  ): LoadContext => ({
    httpOnly,
    segment: { id: "40", live: true, durationSec: 2, ...segment },
    p2p: p2p
      ? {
          peerId: "me",
          uploading: state.uploading,
          peers: {
            candidates: () => state.candidates,
            announcedLength: () => SEGMENT_BYTES,
            get awaitingFirstPeer() {
              return state.awaitingFirstPeer;
            },
            get connectedPeers() {
              return state.connectedPeers;
            },
            get othersReported() {
              return state.othersReported;
            },
          },
        }
      : undefined,
    bytes: state.bytes,
    deadlineMs: () => state.deadlineMs,
    estimates,
    clock: { now: () => state.nowMs },
  });
  return {
    state,
    policy,
    estimates,
    begin: (...args: Parameters<typeof context>) => policy.begin(context(...args)),
  };
}

describe("LoadPolicy: which action for which situation", () => {
  it("P2P off: HTTP at once, nothing announced; a failed fetch fails the load", () => {
    const w = world();
    const load = w.begin({}, false);
    expect(load.next()).toEqual({ kind: "http", announceFetching: false });
    expect(load.httpFailed(true)).toEqual({ kind: "fail", announceCancelled: false });
  });

  it("after peers' bytes failed verification: HTTP at once, announced like any fetch; a failure ends it", () => {
    const w = world();
    w.state.candidates = [peer("a", { complete: true })];
    const refetch = w.begin({}, true, true);
    expect(refetch.next()).toEqual({ kind: "http", announceFetching: true });
    expect(refetch.httpFailed(true)).toEqual({ kind: "fail", announceCancelled: true });
    // A viewer that cannot relay the segment in real time announces it no more than elsewhere.
    const weak = world({ maxUploadBytesPerSec: 62_500 }).begin({}, true, true);
    expect(weak.next()).toEqual({ kind: "http", announceFetching: false });
  });

  it("the bytes are all there: complete", () => {
    const w = world();
    w.state.bytes.complete = true;
    expect(w.begin().next()).toEqual({ kind: "complete" });
  });

  it("a holder and room in the buffer: ask it, announcing `fetching` while no byte is held", () => {
    const w = world();
    w.state.candidates = [peer("a", { complete: true })];
    const action = w.begin().next();
    // budget = deadline − HTTP time − margin = 6000 − 350 − 2500
    expect(action).toMatchObject({ kind: "ask-peer", peerId: "a", announceFetching: true });
    expect(action.kind === "ask-peer" && action.budgetMs).toBeCloseTo(3150);
    // First check: the stall timeout (1500 ms) passes before the budget; the tick after it.
    expect(action.kind === "ask-peer" && action.checkAtMs).toBe(1500 + TRANSFER_CHECK_INTERVAL_MS);
  });

  it.each([
    ["bytes are held already", { length: 64 * 1024 }, {}, 0],
    ["the viewer cannot relay in real time", {}, {}, 62_500],
    ["the gossip rule is off (an earlier version)", {}, { gossipFetching: false }, 0],
  ])("asks a peer without announcing when %s", (_, bytes, variant, cap) => {
    const w = world({ variant, maxUploadBytesPerSec: cap });
    Object.assign(w.state.bytes, bytes);
    w.state.candidates = [peer("a", { fetching: true })];
    expect(w.begin().next()).toMatchObject({ kind: "ask-peer", announceFetching: false });
  });

  it("in a large swarm announces a peer download (verified chunks stream on), unless the variant is the hold-era rule", () => {
    const large = world();
    large.state.othersReported = 999;
    large.state.candidates = [peer("a", { complete: true })];
    expect(large.begin().next()).toMatchObject({ kind: "ask-peer", announceFetching: true });
    const before = world({ variant: { gossipFetching: "small-swarms" } });
    before.state.othersReported = 999;
    before.state.candidates = [peer("a", { complete: true })];
    expect(before.begin().next()).toMatchObject({ kind: "ask-peer", announceFetching: false });
  });

  it("a new live segment nobody has: hold (hashed, fitted once), then HTTP announcing `fetching`", () => {
    const w = world();
    const load = w.begin();
    const holdMs = newSegmentHoldMs("40", "me");
    expect(load.next()).toEqual({ kind: "wait", maxWaitMs: holdMs, reason: "new-segment-hold" });
    load.waitEnded(holdMs / 2);
    expect(load.next()).toMatchObject({ kind: "wait", maxWaitMs: holdMs / 2 });
    load.waitEnded(holdMs / 2);
    expect(load.heldMs).toBeCloseTo(holdMs);
    expect(load.next()).toEqual({ kind: "http", announceFetching: true });
  });

  it("a viewer that cannot relay holds one spread longer and announces nothing", () => {
    const w = world({ maxUploadBytesPerSec: 62_500 }); // 500 kbit/s for a 1 Mbit/s rendition
    w.state.deadlineMs = 20_000;
    const load = w.begin();
    expect(load.relays).toBe(false);
    const action = load.next();
    expect(action).toMatchObject({
      kind: "wait",
      maxWaitMs: newSegmentHoldMs("40", "me") + NON_RELAY_HOLD_EXTRA_MS,
    });
    load.waitEnded(action.kind === "wait" ? action.maxWaitMs : 0);
    expect(load.next()).toEqual({ kind: "http", announceFetching: false });
  });

  it("a viewer whose uplink was measured below the bitrate (no cap configured) does not relay either", () => {
    const w = world();
    w.state.deadlineMs = 20_000;
    expect(w.begin().relays).toBe(true); // no measurement: as before
    w.estimates.uplink.sample(187_500, 3_000, 0); // 500 kbit/s for a 1 Mbit/s rendition
    const load = w.begin();
    expect(load.relays).toBe(false);
    expect(load.next()).toMatchObject({
      kind: "wait",
      maxWaitMs: newSegmentHoldMs("40", "me") + NON_RELAY_HOLD_EXTRA_MS,
    });
    // One that carries the rendition relays; the measurement is not used where the variant says so.
    const fast = world();
    fast.estimates.uplink.sample(510_000, 3_000, 0);
    expect(fast.begin().relays).toBe(true);
    const before = world({ variant: { measuredUplink: false } });
    before.estimates.uplink.sample(187_500, 3_000, 0);
    expect(before.begin().relays).toBe(true);
  });

  it("in a large swarm: an elected viewer holds briefly, the others for the whole window", () => {
    const w = world();
    w.state.othersReported = 9999;
    w.state.deadlineMs = 20_000;
    const roles = Array.from({ length: 3000 }, (_, i) => {
      const load = w.begin({ id: String(i) });
      const action = load.next();
      return { role: load.role, waitMs: action.kind === "wait" ? action.maxWaitMs : -1 };
    });
    const elected = roles.filter((r) => r.role === "elected");
    // Elected with probability FIRST_FETCHER_SHARE (8 % of the swarm): about 240 segments of 3000.
    expect(elected.length).toBeGreaterThan(3000 * FIRST_FETCHER_SHARE * 0.75);
    expect(elected.length).toBeLessThan(3000 * FIRST_FETCHER_SHARE * 1.25);
    for (const r of elected) expect(r.waitMs).toBeLessThan(ELECTED_HOLD_SPREAD_MS);
    for (const r of roles.filter((x) => x.role === "not-elected"))
      expect(r.waitMs).toBeGreaterThanOrEqual(NEW_SEGMENT_HOLD_MIN_MS + NOT_ELECTED_HOLD_EXTRA_MS);
    // The simulator's "before" variant: everyone holds as in a small swarm.
    const before = world({ variant: { firstFetchers: Infinity } });
    before.state.othersReported = 9999;
    expect(before.begin().role).toBe("everyone");
  });

  it("spreads the elected holds over the whole ELECTED_HOLD_SPREAD_MS, or the range a variant gives", () => {
    const electedWaits = (variant: PolicyVariant) => {
      const w = world({ variant });
      w.state.othersReported = 9999;
      w.state.deadlineMs = 20_000;
      return Array.from({ length: 3000 }, (_, i) => w.begin({ id: String(i) }))
        .filter((load) => load.role === "elected")
        .map((load) => {
          const action = load.next();
          return action.kind === "wait" ? action.maxWaitMs : -1;
        });
    };
    // Elected viewers whose playlists showed the segment early must not all fetch within half a
    // second of each other: their holds use the whole spread, not only its first half.
    const waits = electedWaits({});
    expect(Math.max(...waits)).toBeGreaterThan(0.9 * ELECTED_HOLD_SPREAD_MS);
    expect(waits.filter((ms) => ms > 500).length).toBeGreaterThan(waits.length / 3);
    for (const ms of waits) expect(ms).toBeLessThan(ELECTED_HOLD_SPREAD_MS);
    // The simulator's earlier range (--elected-hold 0,500) and a later start.
    for (const ms of electedWaits({ electedHoldMinMs: 0, electedHoldSpreadMs: 500 }))
      expect(ms).toBeLessThan(500);
    for (const ms of electedWaits({ electedHoldMinMs: 300, electedHoldSpreadMs: 200 })) {
      expect(ms).toBeGreaterThanOrEqual(300);
      expect(ms).toBeLessThan(500);
    }
  });

  it("no hold for VOD, nor alone in the swarm", () => {
    expect(world().begin({ live: false }).next()).toEqual({ kind: "http", announceFetching: true });
    const alone = world();
    alone.state.connectedPeers = 0;
    expect(alone.begin().next()).toEqual({ kind: "http", announceFetching: true });
  });

  it("start-up: waits for the first peer, and that wait spends no hold", () => {
    const w = world();
    w.state.awaitingFirstPeer = true;
    const load = w.begin();
    expect(load.next()).toMatchObject({ kind: "wait", reason: "awaiting-first-peer" });
    load.waitEnded(400);
    expect(load.heldMs).toBe(0);
  });

  it("ABR probe: a viewer with a stale estimate skips the hold once, and the interval backs off", () => {
    const w = world();
    w.state.nowMs = ABR_PROBE_MIN_INTERVAL_MS;
    const load = w.begin({ canSwitchUp: true });
    expect(load.probeFromBps).toBeCloseTo(w.estimates.httpBandwidthBps);
    expect(load.next()).toEqual({ kind: "http", announceFetching: true });
    w.state.bytes.complete = true;
    expect(load.httpDone()).toEqual({ kind: "complete" });
    expect(w.policy.probe.currentIntervalMs).toBe(2 * ABR_PROBE_MIN_INTERVAL_MS);
    // The top rendition already: no probe.
    expect(w.begin({ canSwitchUp: false }).probeFromBps).toBeUndefined();
  });

  it("after a retryable HTTP failure: a holder is tried even with no buffer, for the back-off it replaces", () => {
    const w = world();
    const load = w.begin();
    load.next();
    w.state.deadlineMs = 0;
    w.state.candidates = [peer("a", { complete: true })];
    expect(load.httpFailed(true)).toMatchObject({
      kind: "ask-peer",
      peerId: "a",
      budgetMs: AFTER_HTTP_FAILURE_PEER_BUDGET_MS,
    });
    expect(load.afterHttpFailure).toBe(true);
    load.peerEnded(false);
    // No other peer: the load fails, and takes back its `fetching` note (no byte came).
    expect(load.next()).toEqual({ kind: "fail", announceCancelled: true });
  });

  it("the player's retry of a segment that failed over HTTP skips the hold", () => {
    const w = world();
    const first = w.begin();
    first.next();
    first.httpFailed(true);
    expect(w.begin().next()).toEqual({ kind: "http", announceFetching: true });
    // Fetched at last: the next load of it holds again.
    const retry = w.begin();
    retry.next();
    retry.httpDone();
    expect(w.begin().next()).toMatchObject({ kind: "wait", reason: "new-segment-hold" });
  });

  it("a non-retryable HTTP failure fails at once, without trying peers", () => {
    const w = world();
    w.state.candidates = [peer("a", { fetching: true })];
    w.state.deadlineMs = 1000;
    const load = w.begin();
    expect(load.next()).toMatchObject({ kind: "http" });
    expect(load.httpFailed(false)).toEqual({ kind: "fail", announceCancelled: true });
  });

  it("the watchdog: goes on while bytes arrive, cuts a stalled peer, and never asks it again", () => {
    const w = world();
    w.state.candidates = [
      peer("a", { complete: true }),
      peer("b", { complete: true, throughputBytesPerSec: 1_000_000 }),
    ];
    const load = w.begin();
    expect(load.next()).toMatchObject({ kind: "ask-peer", peerId: "b" });
    for (const t of [400, 800, 1200]) load.peerProgress(64 * 1024, t);
    w.state.bytes.length = 3 * 64 * 1024;
    expect(load.checkTransfer(1550)).toEqual({ kind: "check-at", atMs: 2750 });
    expect(load.checkTransfer(2750)).toEqual({ kind: "cut", reason: "no data for 1500 ms" });
    load.peerEnded(false);
    expect(load.next()).toMatchObject({ kind: "ask-peer", peerId: "a", announceFetching: false });
  });

  it("in a large swarm a streaming relay may run past its grant; in a small one it is cut there", () => {
    const run = (othersReported: number) => {
      const w = world();
      w.state.othersReported = othersReported;
      // 4100 − 350 (HTTP) − 2500 (margin) = 1250 ms of slack: the grant.
      w.state.deadlineMs = 4100;
      w.state.candidates = [peer("f", { fetching: true })];
      const load = w.begin();
      expect(load.next()).toMatchObject({ kind: "ask-peer", peerId: "f", budgetMs: 1250 });
      load.peerProgress(64 * 1024, 1000);
      w.state.bytes.length = 64 * 1024;
      return load.checkTransfer(1400);
    };
    expect(run(20)).toMatchObject({ kind: "cut", reason: expect.stringMatching(/budget/) });
    expect(run(9999)).toMatchObject({ kind: "check-at" });
  });

  it("a peer that keeps sending is cut at the playback deadline, less the HTTP time of what is left", () => {
    const w = world();
    w.state.candidates = [peer("a", { complete: true })];
    const load = w.begin();
    expect(load.next()).toMatchObject({ kind: "ask-peer", budgetMs: 3150 });
    // 8 MB "of a 250-kB segment": 8 s of HTTP time earned, but the deadline is 6 s away and a
    // fallback needs its first byte (100 ms): the budget ends at 5900 ms.
    for (let t = 100; t <= 5900; t += 100) load.peerProgress(140_000, t);
    expect(load.checkTransfer(5900)).toMatchObject({ kind: "check-at" });
    expect(load.checkTransfer(5950)).toEqual({ kind: "cut", reason: "over the 5900 ms budget" });
  });

  it("a chosen peer that is gone meanwhile is not asked again", () => {
    const w = world();
    w.state.candidates = [peer("a", { complete: true })];
    const load = w.begin();
    load.next();
    load.peerUnavailable("a");
    expect(load.next()).toMatchObject({ kind: "wait", reason: "new-segment-hold" });
  });

  it.each([
    ["with no byte held: takes the note back", 0, true],
    ["with bytes held: no note (dropping the partial copy tells them)", 1000, false],
  ])("aborted after announcing `fetching`, %s", (_, length, cancelled) => {
    const w = world();
    w.state.candidates = [peer("a", { complete: true })];
    const load = w.begin();
    load.next();
    w.state.bytes.length = length;
    expect(load.aborted()).toEqual({ kind: "fail", announceCancelled: cancelled });
  });

  it("aborted before announcing anything: nothing to take back", () => {
    const load = world().begin();
    expect(load.next()).toMatchObject({ kind: "wait" });
    expect(load.aborted()).toEqual({ kind: "fail", announceCancelled: false });
  });
});
