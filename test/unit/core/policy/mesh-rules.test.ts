// The large-swarm mesh rules: what counts as a large swarm, and when a peer download is announced.
import { describe, expect, it } from "vitest";
import { FIRST_FETCHER_ELECTION_MIN_SWARM } from "../../../../sdk/src/core/policy/constants.js";
import { announcesPeerDownload, isLargeSwarm } from "../../../../sdk/src/core/policy/mesh-rules.js";

describe("isLargeSwarm", () => {
  it("counts us with the others the tracker reported; no count is not large", () => {
    expect(isLargeSwarm(undefined)).toBe(false);
    expect(isLargeSwarm(FIRST_FETCHER_ELECTION_MIN_SWARM - 1)).toBe(false);
    expect(isLargeSwarm(FIRST_FETCHER_ELECTION_MIN_SWARM)).toBe(true);
  });
});

describe("announcesPeerDownload", () => {
  it("gossips a peer download in a small swarm only, unless a variant says otherwise", () => {
    expect(announcesPeerDownload(false, undefined)).toBe(true);
    expect(announcesPeerDownload(true, undefined)).toBe(false);
    expect(announcesPeerDownload(true, true)).toBe(true);
    expect(announcesPeerDownload(false, false)).toBe(false);
  });
});
