import { describe, expect, it } from "vitest";
import {
  AFTER_HTTP_FAILURE_PEER_BUDGET_MS,
  decide,
  decideAfterHttpFailure,
  expectedHttpMs,
  fitHoldToSlack,
  MIN_HEDGE_BUDGET_MS,
  newSegmentHoldMs,
  NEW_SEGMENT_HOLD_MIN_MS,
  NEW_SEGMENT_HOLD_SPREAD_MS,
  NON_RELAY_HOLD_EXTRA_MS,
  relaysInRealTime,
  type PeerCandidate,
  type ScheduleInput,
} from "../../../sdk/src/core/scheduler.js";

const peer = (peerId: string, over: Partial<PeerCandidate> = {}): PeerCandidate => ({
  peerId,
  complete: false,
  fetching: false,
  throughputBytesPerSec: 0,
  pendingRequests: 0,
  ...over,
});

// A 2-second 540p segment (~250 kB) on a CDN measured at 8 Mbps with 100 ms first byte: ~350 ms by HTTP.
const input = (over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  segmentBytesEstimate: 250_000,
  deadlineMs: 6000,
  httpBandwidthBps: 8_000_000,
  httpFirstByteMs: 100,
  safetyMarginMs: 2500,
  candidates: [],
  failedPeers: new Set(),
  awaitingFirstPeer: false,
  live: false,
  connectedPeers: 0,
  holdLeftMs: 0,
  ...over,
});

describe("scheduler", () => {
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

  it("with an empty buffer goes to HTTP even when a peer holds the segment", () => {
    const d = decide(
      input({ deadlineMs: 0, candidates: [peer("a", { complete: true, throughputBytesPerSec: 1e9 })] }),
    );
    expect(d).toEqual({ kind: "http", reason: "no-time" });
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

  it("spreads new-segment holds over 500–1500 ms, differently per viewer and per segment", () => {
    expect([NEW_SEGMENT_HOLD_MIN_MS, NEW_SEGMENT_HOLD_SPREAD_MS]).toEqual([500, 1000]);
    const holds = Array.from({ length: 200 }, (_, i) =>
      newSegmentHoldMs(String(1000 + i), "-NC0100-viewerA00000"),
    );
    for (const h of holds) {
      expect(h).toBeGreaterThanOrEqual(NEW_SEGMENT_HOLD_MIN_MS);
      expect(h).toBeLessThan(NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS);
    }
    expect(Math.max(...holds) - Math.min(...holds)).toBeGreaterThan(600);
    expect(newSegmentHoldMs("1000", "a")).toBe(newSegmentHoldMs("1000", "a"));
    expect(newSegmentHoldMs("1000", "a")).not.toBe(newSegmentHoldMs("1000", "b"));
  });

  it("takes another hold range when asked (the simulator compares ranges with it)", () => {
    const holds = Array.from({ length: 100 }, (_, i) =>
      newSegmentHoldMs(String(i), "-NC0100-viewerA00000", 200, 800),
    );
    for (const h of holds) {
      expect(h).toBeGreaterThanOrEqual(200);
      expect(h).toBeLessThan(1000);
    }
    // The same hash position in either range.
    const a = (newSegmentHoldMs("7", "p") - NEW_SEGMENT_HOLD_MIN_MS) / NEW_SEGMENT_HOLD_SPREAD_MS;
    expect((newSegmentHoldMs("7", "p", 200, 800) - 200) / 800).toBeCloseTo(a, 9);
  });

  describe("fitting a hold to the slack", () => {
    const span = NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS;
    const live = { live: true, connectedPeers: 3 };
    // 4000 − 350 − 2500 = 1150 ms of slack; a hold may use 1150 − 300 = 850 ms of it.
    const short = input({ ...live, deadlineMs: 4000 });
    const windowMs = 4000 - 350 - 2500 - MIN_HEDGE_BUDGET_MS;

    it("keeps every hold when the window covers the hold range, and drops it without slack", () => {
      // 5000 − 350 − 2500 − 300 = 1850 ms ≥ 1500
      expect(fitHoldToSlack(1400, input({ ...live, deadlineMs: 5000 }))).toBe(1400);
      expect(fitHoldToSlack(1400 + NON_RELAY_HOLD_EXTRA_MS, input({ ...live, deadlineMs: 5000 }))).toBe(1850);
      // A 1200-ms window: every hold scaled by 1200 / 1500, the longest still inside it.
      const mid = input({ ...live, deadlineMs: 1200 + MIN_HEDGE_BUDGET_MS + 2500 + 350 });
      expect(fitHoldToSlack(800, mid)).toBeCloseTo(640);
      expect(fitHoldToSlack(1499, mid)).toBeLessThan(1200);
      expect(fitHoldToSlack(700, input({ deadlineMs: 3000 }))).toBe(0);
      expect(fitHoldToSlack(700, input({ deadlineMs: 0 }))).toBe(0);
      expect(fitHoldToSlack(0, short)).toBe(0);
    });

    it("scales holds into a shorter window, keeping their order, non-relaying viewers last", () => {
      const holds = [500, 800, 1200, 1499];
      const fitted = holds.map((h) => fitHoldToSlack(h, short));
      for (let i = 1; i < fitted.length; i++) expect(fitted[i]).toBeGreaterThan(fitted[i - 1] ?? 0);
      expect(fitted[1]).toBeCloseTo((800 * windowMs) / span);
      const weak = fitHoldToSlack(500 + NON_RELAY_HOLD_EXTRA_MS, short);
      expect(weak).toBe(windowMs);
      for (const f of fitted) expect(f).toBeLessThan(weak);
    });

    it("lets viewers with the same short buffer end their holds apart (decide alone would not)", () => {
      // Holds 800 and 1400 ms, both longer than the 850 ms window: decide() would cap both waits
      // at the slack, so both would give up at the same moment; fitted, they end ~340 ms apart.
      const [a = 0, b = 0] = [800, 1400].map((h) => fitHoldToSlack(h, short));
      expect(b - a).toBeGreaterThan(300);
      expect(decide({ ...short, holdLeftMs: a })).toEqual({
        kind: "wait",
        reason: "new-segment-hold",
        maxWaitMs: a,
      });
    });
  });

  describe("viewers that cannot relay in real time", () => {
    // A 2-second 540p segment of ~222 kB: 889 kbit/s.
    const bytes = 222_000;

    it("relay when uploading uncapped, or capped at or above the rendition's bitrate", () => {
      expect(relaysInRealTime(true, 0, bytes, 2)).toBe(true);
      expect(relaysInRealTime(true, 125_000, bytes, 2)).toBe(true); // 1 Mbit/s
      expect(relaysInRealTime(true, 111_000, bytes, 2)).toBe(true); // exactly real time
    });

    it("do not relay with upload off or a cap below the bitrate", () => {
      expect(relaysInRealTime(false, 0, bytes, 2)).toBe(false);
      expect(relaysInRealTime(false, 1e9, bytes, 2)).toBe(false);
      expect(relaysInRealTime(true, 62_500, bytes, 2)).toBe(false); // 500 kbit/s
      // The same cap carries a lighter rendition.
      expect(relaysInRealTime(true, 62_500, 77_000, 2)).toBe(true); // 240p, ~310 kbit/s
    });

    it("treat an unknown duration as no constraint (never a reason to step back)", () => {
      expect(relaysInRealTime(true, 62_500, bytes, 0)).toBe(true);
      expect(relaysInRealTime(true, 62_500, bytes, Number.NaN)).toBe(true);
    });

    it("hold past every capable viewer's hold, keeping the hashed order among themselves", () => {
      expect(NON_RELAY_HOLD_EXTRA_MS).toBe(NEW_SEGMENT_HOLD_SPREAD_MS);
      for (let i = 0; i < 100; i++) {
        const weak = newSegmentHoldMs(String(i), "weak") + NON_RELAY_HOLD_EXTRA_MS;
        expect(weak).toBeGreaterThanOrEqual(NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS);
        for (const id of ["a", "b", "c"]) expect(weak).toBeGreaterThan(newSegmentHoldMs(String(i), id));
      }
    });

    it("still hold no longer than the slack allows", () => {
      const d = decide(
        input({
          live: true,
          connectedPeers: 3,
          deadlineMs: 4000,
          holdLeftMs: NEW_SEGMENT_HOLD_MIN_MS + NEW_SEGMENT_HOLD_SPREAD_MS + NON_RELAY_HOLD_EXTRA_MS,
        }),
      );
      expect(d).toEqual({ kind: "wait", reason: "new-segment-hold", maxWaitMs: 4000 - 350 - 2500 });
    });
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
