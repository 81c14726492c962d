// decide(): one decision from a snapshot, rule by rule (see sdk/src/core/policy/decide.ts).
import { describe, expect, it } from "vitest";
import { AFTER_HTTP_FAILURE_PEER_BUDGET_MS } from "../../../../sdk/src/core/policy/constants.js";
import { decide, decideAfterHttpFailure, expectedHttpMs } from "../../../../sdk/src/core/policy/decide.js";
import { input, peer } from "./fixtures.js";

describe("decide", () => {
  it("estimates HTTP time from first byte and throughput, with a default before any measurement", () => {
    expect(expectedHttpMs(250_000, 8_000_000, 100)).toBeCloseTo(350);
    expect(expectedHttpMs(250_000, 0, 0)).toBeCloseTo(1000); // 2 Mbps default
  });

  it("goes to HTTP at once when no peer has or is fetching the segment (live edge, first viewer)", () => {
    expect(decide(input({ candidates: [] }))).toEqual({ kind: "http", reason: "no-peer-has-it" });
  });

  it("asks a peer that holds the segment when the buffer leaves room for a fallback", () => {
    const d = decide(input({ candidates: [peer("a", { complete: true })] }));
    expect(d).toMatchObject({ kind: "p2p", peerId: "a", reason: "complete" });
    // budget = deadline − HTTP time − margin = 6000 − 350 − 2500
    expect(d.kind === "p2p" && d.budgetMs).toBeCloseTo(3150);
  });

  it("waits for a peer that is fetching the segment from the CDN (one CDN fetch per swarm)", () => {
    const d = decide(input({ candidates: [peer("f", { fetching: true })] }));
    expect(d).toMatchObject({ kind: "p2p", peerId: "f", reason: "fetching" });
  });

  it("asks first the holders and fetchers measured fast enough for the try, then the others", () => {
    // The try: 3150 ms for 250 kB, so a peer must deliver ≥ ~79 kB/s.
    const slowHolder = peer("slow", { complete: true, throughputBytesPerSec: 60_000 });
    const unmeasured = peer("new", { complete: true });
    expect(decide(input({ candidates: [slowHolder, unmeasured] }))).toMatchObject({ peerId: "new" });
    // Only a slow holder: it is still asked (part of the segment from it is bytes the CDN does not send).
    expect(decide(input({ candidates: [slowHolder] }))).toMatchObject({ kind: "p2p", peerId: "slow" });
    // A slow fetcher heard from first yields to one not measured too slow.
    const slowFirst = peer("slow", { fetching: true, fetchingSinceMs: 1_000, throughputBytesPerSec: 60_000 });
    const later = peer("later", { fetching: true, fetchingSinceMs: 1_200, throughputBytesPerSec: 170_000 });
    expect(decide(input({ candidates: [slowFirst, later] }))).toMatchObject({ peerId: "later" });
  });

  it("of several fetchers asks the one that announced first (likelier the CDN's fetcher than a relay)", () => {
    const relay = peer("relay", { fetching: true, fetchingSinceMs: 1_200, throughputBytesPerSec: 5e6 });
    const origin = peer("origin", { fetching: true, fetchingSinceMs: 1_000 });
    const unknown = peer("unknown", { fetching: true, throughputBytesPerSec: 9e6 });
    expect(decide(input({ candidates: [relay, unknown, origin] }))).toMatchObject({ peerId: "origin" });
    // Without announcement times, the faster one as before.
    expect(
      decide(
        input({ candidates: [peer("a", { fetching: true }), { ...unknown, fetchingSinceMs: undefined }] }),
      ),
    ).toMatchObject({ peerId: "unknown" });
  });

  it("prefers a complete holder over a peer still fetching", () => {
    const d = decide(input({ candidates: [peer("f", { fetching: true }), peer("c", { complete: true })] }));
    expect(d).toMatchObject({ peerId: "c" });
  });

  it("with a short buffer waits on a fetching peer within the hedged budget, else HTTP", () => {
    // 2000 − 350 − 1250 = 400 ms: the fetcher streams what it has, HTTP resumes after it with a Range
    const d = decide(input({ deadlineMs: 2000, candidates: [peer("f", { fetching: true })] }));
    expect(d).toMatchObject({ kind: "p2p", peerId: "f", reason: "fetching" });
    expect(d.kind === "p2p" && d.budgetMs).toBeCloseTo(400);
    // 1800 − 350 − 1250 = 200 ms: too short for a first chunk
    expect(decide(input({ deadlineMs: 1800, candidates: [peer("f", { fetching: true })] }))).toEqual({
      kind: "http",
      reason: "no-time",
    });
  });

  it("a longer buffer never gives a peer a shorter try, and half the margin is always kept", () => {
    // slack 2900 − 350 − 2500 = 50 ms: half the margin (1250 ms), not 50
    const d = decide(input({ deadlineMs: 2900, candidates: [peer("f", { fetching: true })] }));
    expect(d.kind === "p2p" && d.budgetMs).toBeCloseTo(1250);
    for (const candidate of [peer("c", { complete: true }), peer("f", { fetching: true })]) {
      let previous = 0;
      for (let deadlineMs = 1000; deadlineMs <= 9000; deadlineMs += 10) {
        const decision = decide(input({ deadlineMs, candidates: [candidate] }));
        const budget = decision.kind === "p2p" ? decision.budgetMs : 0;
        expect(budget).toBeGreaterThanOrEqual(previous);
        if (decision.kind === "p2p") expect(deadlineMs - 350 - budget).toBeGreaterThanOrEqual(1250 - 1e-9);
        previous = budget;
      }
    }
  });

  it("with an empty buffer asks a connected holder for at most the time HTTP would take", () => {
    // The player waits now (start-up, seek, stall): HTTP is expected to take 100 + 250 ms for 250 kB.
    const fast = peer("a", { complete: true, throughputBytesPerSec: 1e9 });
    expect(decide(input({ deadlineMs: 0, candidates: [fast] }))).toEqual({
      kind: "p2p",
      peerId: "a",
      budgetMs: 350,
      reason: "complete",
    });
    // Not measured yet: asked too, within the same HTTP time.
    const fresh = peer("b", { complete: true });
    expect(decide(input({ deadlineMs: 0, candidates: [fresh] }))).toMatchObject({
      kind: "p2p",
      budgetMs: 350,
    });
    // Measured slower than HTTP (250 kB at 500 kB/s = 500 ms > 350 ms): HTTP at once.
    const slow = peer("c", { complete: true, throughputBytesPerSec: 500_000 });
    expect(decide(input({ deadlineMs: 0, candidates: [slow] }))).toEqual({ kind: "http", reason: "no-time" });
    // A peer still fetching it is no faster than the CDN it waits on: HTTP.
    expect(decide(input({ deadlineMs: 0, candidates: [peer("f", { fetching: true })] }))).toEqual({
      kind: "http",
      reason: "no-time",
    });
    // HTTP itself nearly instant (a near CDN, a tiny segment): no peer try.
    const near = input({
      deadlineMs: 0,
      candidates: [fast],
      httpFirstByteMs: 10,
      segmentBytesEstimate: 10_000,
    });
    expect(decide(near)).toEqual({ kind: "http", reason: "no-time" });
  });

  it("with a short buffer tries a holder within a budget that keeps half the margin", () => {
    // deadline 2000 − HTTP 350 − margin/2 1250 = 400 ms for the peer
    const d = decide(input({ deadlineMs: 2000, candidates: [peer("a", { complete: true })] }));
    expect(d).toMatchObject({ kind: "p2p", peerId: "a" });
    expect(d.kind === "p2p" && d.budgetMs).toBeCloseTo(400);
  });

  it("with a short buffer skips a holder measured too slow for the budget", () => {
    const slow = peer("a", { complete: true, throughputBytesPerSec: 500_000 }); // 500 ms for 250 kB
    expect(decide(input({ deadlineMs: 2000, candidates: [slow] }))).toEqual({
      kind: "http",
      reason: "no-time",
    });
  });

  it("waits for the first peer connection at start-up while the buffer allows", () => {
    expect(decide(input({ awaitingFirstPeer: true }))).toMatchObject({
      kind: "wait",
      reason: "awaiting-first-peer",
    });
    // 2000 − 350 − 1250 = 400 ms: still worth waiting for the connection
    expect(decide(input({ awaitingFirstPeer: true, deadlineMs: 2000 }))).toMatchObject({
      kind: "wait",
      maxWaitMs: 400,
    });
    expect(decide(input({ awaitingFirstPeer: true, deadlineMs: 1500 }))).toEqual({
      kind: "http",
      reason: "no-peer-has-it",
    });
  });

  it("never asks a peer that already failed for this segment", () => {
    const d = decide(input({ candidates: [peer("a", { complete: true })], failedPeers: new Set(["a"]) }));
    expect(d).toEqual({ kind: "http", reason: "no-peer-has-it" });
  });

  it("picks the fastest, least busy holder", () => {
    const d = decide(
      input({
        candidates: [
          peer("slow", { complete: true, throughputBytesPerSec: 1_000_000 }),
          peer("fast-busy", { complete: true, throughputBytesPerSec: 4_000_000, pendingRequests: 3 }),
          peer("fast", { complete: true, throughputBytesPerSec: 3_000_000 }),
        ],
      }),
    );
    expect(d).toMatchObject({ peerId: "fast" });
  });

  it("VOD far ahead of the playhead: waits on peers with a large budget", () => {
    const d = decide(input({ deadlineMs: 28_000, candidates: [peer("a", { complete: true })] }));
    expect(d.kind === "p2p" && d.budgetMs).toBeGreaterThan(25_000);
  });

  it("holds a new live segment nobody announced while peers are connected and time allows", () => {
    const live = { live: true, connectedPeers: 3, holdLeftMs: 600 };
    expect(decide(input(live))).toEqual({ kind: "wait", maxWaitMs: 600, reason: "new-segment-hold" });
    // hold capped by the slack: 4000 − 350 − 2500 = 1150
    expect(decide(input({ ...live, holdLeftMs: 5000, deadlineMs: 4000 }))).toMatchObject({ maxWaitMs: 1150 });
    // no hold for VOD, alone, once spent, or without slack
    expect(decide(input({ ...live, live: false }))).toMatchObject({ kind: "http" });
    expect(decide(input({ ...live, connectedPeers: 0 }))).toMatchObject({ kind: "http" });
    expect(decide(input({ ...live, holdLeftMs: 0 }))).toMatchObject({ kind: "http" });
    expect(decide(input({ ...live, deadlineMs: 3000 }))).toMatchObject({ kind: "http" });
  });
});

describe("decideAfterHttpFailure: the origin just failed this segment", () => {
  it("tries a holder even with no buffer left, for at least the back-off it replaces", () => {
    const d = decideAfterHttpFailure(input({ deadlineMs: 0, candidates: [peer("a", { complete: true })] }));
    expect(d).toEqual({
      kind: "p2p",
      peerId: "a",
      budgetMs: AFTER_HTTP_FAILURE_PEER_BUDGET_MS,
      reason: "complete",
    });
  });

  it("keeps a longer budget when the buffer allows one", () => {
    const d = decideAfterHttpFailure(
      input({ deadlineMs: 10_000, candidates: [peer("a", { fetching: true })] }),
    );
    expect(d.kind === "p2p" && d.budgetMs).toBeGreaterThan(AFTER_HTTP_FAILURE_PEER_BUDGET_MS);
  });

  it("never waits (no hold, no first-peer wait): without a peer that has it, HTTP", () => {
    const d = decideAfterHttpFailure(
      input({ live: true, connectedPeers: 2, holdLeftMs: 1000, awaitingFirstPeer: true, candidates: [] }),
    );
    expect(d).toEqual({ kind: "http", reason: "no-peer-has-it" });
  });
});
