// The waits of a load: new-segment holds, their fitting to the slack, weak uplinks, the first-peer
// wait (see sdk/src/core/policy/waits.ts).
import { describe, expect, it } from "vitest";
import {
  ELECTED_HOLD_SPREAD_MS,
  FIRST_FETCHER_ELECTION_MIN_SWARM,
  FIRST_FETCHERS_PER_SWARM,
  MIN_HEDGE_BUDGET_MS,
  NEW_SEGMENT_HOLD_MIN_MS,
  NEW_SEGMENT_HOLD_SPREAD_MS,
  NON_RELAY_HOLD_EXTRA_MS,
  NOT_ELECTED_HOLD_EXTRA_MS,
} from "../../../../sdk/src/core/policy/constants.js";
import { decide } from "../../../../sdk/src/core/policy/decide.js";
import {
  awaitingFirstPeer,
  firstFetchRole,
  fitHoldToSlack,
  newSegmentHoldMs,
  relaysInRealTime,
  roleHoldMs,
} from "../../../../sdk/src/core/policy/waits.js";
import { input } from "./fixtures.js";

describe("first fetchers of a large swarm", () => {
  const peers = Array.from({ length: 10_000 }, (_, i) => `-NC0100-viewer${String(i).padStart(6, "0")}`);

  it("elects everyone in a small swarm or without a count, never one that cannot relay in a large one", () => {
    expect(firstFetchRole("40", "a", undefined)).toBe("everyone");
    expect(firstFetchRole("40", "a", FIRST_FETCHER_ELECTION_MIN_SWARM)).toBe("everyone");
    expect(firstFetchRole("40", "a", FIRST_FETCHER_ELECTION_MIN_SWARM, false)).toBe("everyone");
    for (const p of peers.slice(0, 500)) expect(firstFetchRole("40", p, 101, false)).toBe("not-elected");
  });

  it("elects about FIRST_FETCHERS_PER_SWARM viewers per segment at any size, others per segment", () => {
    for (const size of [200, 1000, 10_000]) {
      let total = 0;
      const segments = 50;
      for (let s = 0; s < segments; s++)
        for (const p of peers.slice(0, size)) if (firstFetchRole(String(s), p, size) === "elected") total++;
      const mean = total / segments;
      expect(mean).toBeGreaterThan(FIRST_FETCHERS_PER_SWARM * 0.7);
      expect(mean).toBeLessThan(FIRST_FETCHERS_PER_SWARM * 1.3);
    }
    const electedOf = (segment: string) =>
      peers.filter((p) => firstFetchRole(segment, p, 10_000) === "elected").join();
    expect(electedOf("1")).not.toBe(electedOf("2"));
    expect(firstFetchRole("1", peers[0]!, 10_000)).toBe(firstFetchRole("1", peers[0]!, 10_000));
  });

  it("takes another count of first fetchers where asked; Infinity elects everyone", () => {
    expect(firstFetchRole("40", "a", 10_000, true, Infinity)).toBe("everyone");
    const count = (k: number) =>
      peers.filter((p) => firstFetchRole("40", p, 10_000, true, k) === "elected").length;
    expect(count(200)).toBeGreaterThan(count(20));
  });

  it("holds the elected briefly, the rest past the hold range, a small swarm as before", () => {
    for (const p of peers.slice(0, 200)) {
      const plain = newSegmentHoldMs("40", p);
      expect(roleHoldMs("everyone", "40", p, true)).toBe(plain);
      expect(roleHoldMs("everyone", "40", p, false)).toBe(plain + NON_RELAY_HOLD_EXTRA_MS);
      expect(roleHoldMs("not-elected", "40", p, true)).toBe(plain + NOT_ELECTED_HOLD_EXTRA_MS);
      const elected = roleHoldMs("elected", "40", p, true);
      expect(elected).toBeGreaterThanOrEqual(0);
      expect(elected).toBeLessThan(ELECTED_HOLD_SPREAD_MS);
    }
    // Past the range, a not-elected viewer's hold ends with the window the buffer leaves.
    const live = { live: true, connectedPeers: 3 };
    const slack = input({ ...live, deadlineMs: 5000 });
    expect(fitHoldToSlack(roleHoldMs("not-elected", "40", peers[0]!, true), slack)).toBe(
      5000 - 350 - 2500 - MIN_HEDGE_BUDGET_MS,
    );
  });

  it("draws each role's hold from the ranges it is given (a PolicyVariant's)", () => {
    const p = peers[0]!;
    const ranges = { holdMinMs: 200, holdSpreadMs: 800, electedHoldMinMs: 100, electedHoldSpreadMs: 0 };
    expect(roleHoldMs("elected", "40", p, true, ranges)).toBe(100);
    expect(roleHoldMs("everyone", "40", p, true, ranges)).toBe(newSegmentHoldMs("40", p, 200, 800));
    expect(roleHoldMs("not-elected", "40", p, true, ranges)).toBe(
      newSegmentHoldMs("40", p, 200, 800) + NOT_ELECTED_HOLD_EXTRA_MS,
    );
  });
});

describe("new-segment holds", () => {
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

describe("awaitingFirstPeer", () => {
  const fresh = {
    sinceJoinMs: 1000,
    peerLeft: false,
    trackerAnswered: false,
    othersReported: undefined,
    availabilityReceived: false,
  };

  it.each([
    ["just joined, tracker not answered yet", {}, true],
    ["the tracker counted others", { trackerAnswered: true, othersReported: 3 }, true],
    ["the tracker sent no counts (others assumed)", { trackerAnswered: true }, true],
    ["at the end of the window", { sinceJoinMs: 5000 }, true],
    ["past the window", { sinceJoinMs: 5001 }, false],
    ["the tracker counted nobody else", { trackerAnswered: true, othersReported: 0 }, false],
    ["a peer sent its availability", { availabilityReceived: true }, false],
    ["a peer came and went", { peerLeft: true }, false],
  ])("%s → %s", (_, over, expected) => {
    expect(awaitingFirstPeer({ ...fresh, ...over })).toBe(expected);
  });
});
