// The large-swarm mesh rules: what counts as a large swarm, when a peer download is announced, and
// how many viewers are elected to fetch a new segment first.
import { describe, expect, it } from "vitest";
import {
  FIRST_FETCHER_ELECTION_MIN_SWARM,
  FIRST_FETCHER_SHARE,
  FIRST_FETCHERS_PER_SWARM,
} from "../../../../sdk/src/core/policy/constants.js";
import {
  announcesPeerDownload,
  electedFirstFetchers,
  isLargeSwarm,
} from "../../../../sdk/src/core/policy/mesh-rules.js";

describe("isLargeSwarm", () => {
  it("counts us with the others the tracker reported; no count is not large", () => {
    expect(isLargeSwarm(undefined)).toBe(false);
    expect(isLargeSwarm(FIRST_FETCHER_ELECTION_MIN_SWARM - 1)).toBe(false);
    expect(isLargeSwarm(FIRST_FETCHER_ELECTION_MIN_SWARM)).toBe(true);
  });
});

describe("announcesPeerDownload", () => {
  it("gossips a peer download in every swarm, unless a variant says otherwise", () => {
    expect(announcesPeerDownload(false, undefined)).toBe(true);
    expect(announcesPeerDownload(true, undefined)).toBe(true);
    expect(announcesPeerDownload(true, "small-swarms")).toBe(false);
    expect(announcesPeerDownload(false, "small-swarms")).toBe(true);
    expect(announcesPeerDownload(false, false)).toBe(false);
  });
});

describe("electedFirstFetchers", () => {
  it("elects a share of the swarm, never fewer than the minimum; a variant replaces the count", () => {
    expect(electedFirstFetchers(undefined)).toBe(FIRST_FETCHERS_PER_SWARM);
    expect(electedFirstFetchers(150)).toBe(FIRST_FETCHERS_PER_SWARM);
    expect(electedFirstFetchers(10_000)).toBeCloseTo(10_000 * FIRST_FETCHER_SHARE);
    expect(electedFirstFetchers(10_000, 16)).toBe(16);
    expect(electedFirstFetchers(10_000, Infinity)).toBe(Infinity);
  });
});
