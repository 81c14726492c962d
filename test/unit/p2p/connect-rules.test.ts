// The p2p rules PeerConnector, Swarm, Peer and the simulator share: how many peers a viewer looks
// for and when, and what a peer can give us.
import { describe, expect, it } from "vitest";
import {
  announceDelayMs,
  answersOffer,
  offersToMake,
  offersWanted,
  retryDelayMs,
} from "../../../sdk/src/p2p/connect-rules.js";
import { canServe } from "../../../sdk/src/p2p/can-serve.js";
import {
  FETCHING_TTL_MS,
  MAX_OFFERS_PER_ANNOUNCE,
  RETRY_AFTER_FAILURE_MS,
  UNDERFULL_ANNOUNCE_INTERVAL_MS,
} from "../../../sdk/src/p2p/constants.js";

describe("connect rules", () => {
  it.each([
    ["no tracker count yet: every wanted peer", 8, undefined, 2, 8],
    ["no more than the counted viewers not connected yet", 8, 3, 1, 2],
    ["everyone counted is connected already", 8, 3, 3, 0],
    ["a stale count below the connections", 8, 1, 3, 0],
  ])("offersWanted: %s", (_, wanted, others, connected, expected) => {
    expect(offersWanted(wanted, others, connected)).toBe(expected);
  });

  it("makes at most MAX_OFFERS_PER_ANNOUNCE offers, minus those still pending", () => {
    expect(offersToMake(8, 0)).toBe(MAX_OFFERS_PER_ANNOUNCE);
    expect(offersToMake(8, 2)).toBe(MAX_OFFERS_PER_ANNOUNCE - 2);
    expect(offersToMake(2, 4)).toBe(0);
  });

  it("answers an offer only while it wants a peer beyond those being connected", () => {
    expect(answersOffer(3, 2)).toBe(true);
    expect(answersOffer(2, 2)).toBe(false);
  });

  it("re-announces at the tracker's interval, sooner while underfull, ± 10 %", () => {
    expect(announceDelayMs(false, 120_000, 0.5)).toBe(120_000);
    expect(announceDelayMs(true, 120_000, 0)).toBe(0.9 * UNDERFULL_ANNOUNCE_INTERVAL_MS);
    expect(announceDelayMs(true, 5_000, 1)).toBeCloseTo(5_500);
  });

  it("retries a failed connection soon, at most once per RETRY_AFTER_FAILURE_MS", () => {
    expect(retryDelayMs(-Infinity, 0, () => 0)).toBe(0.5 * RETRY_AFTER_FAILURE_MS);
    expect(retryDelayMs(1000, 1000 + RETRY_AFTER_FAILURE_MS - 1, () => 0)).toBeUndefined();
    expect(retryDelayMs(1000, 1000 + RETRY_AFTER_FAILURE_MS, () => 1)).toBe(1.5 * RETRY_AFTER_FAILURE_MS);
  });
});

describe("canServe", () => {
  it.each([
    ["a complete availability entry", { complete: true }, undefined, "complete"],
    ["a partial one (it streams what it gets)", { complete: false }, undefined, "fetching"],
    ["a fresh `fetching` note", undefined, 1000, "fetching"],
    ["a `fetching` note no bytes followed for FETCHING_TTL_MS", undefined, 1000 - FETCHING_TTL_MS, undefined],
    ["nothing", undefined, undefined, undefined],
  ])("%s → %s", (_, availability, since, expected) => {
    expect(canServe(availability, since, 1000)).toBe(expected);
  });
});
