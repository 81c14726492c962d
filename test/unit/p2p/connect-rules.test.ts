// The p2p rules PeerConnector, Swarm, Peer and the simulator share: how many peers a viewer looks
// for and when, and what a peer can give us.
import { describe, expect, it } from "vitest";
import {
  announceDelayMs,
  answersOffer,
  deferredRetryDelayMs,
  offersToMake,
  offersWanted,
  peerLimit,
  pendingOffersSinceMs,
  retryDelayMs,
  retryOffersWanted,
} from "../../../sdk/src/p2p/connect-rules.js";
import { canServe } from "../../../sdk/src/p2p/can-serve.js";
import {
  ANSWER_HEADROOM_PEERS,
  CONNECT_TIMEOUT_MS,
  FETCHING_TTL_MS,
  MAX_OFFERS_PER_ANNOUNCE,
  RETRY_AFTER_FAILURE_MS,
  UNDERFULL_ANNOUNCE_INTERVAL_MS,
} from "../../../sdk/src/p2p/constants.js";

describe("connect rules", () => {
  // retryOffersWanted: after a failure, an offer for every counted viewer while we lack any — the
  // tracker picks the targets, and 1 offer among 2 viewers misses the one we lack half the time.
  it.each([
    ["no tracker count yet: every wanted peer", 8, undefined, 2, 8, 8],
    ["no more than the counted viewers not connected yet", 8, 3, 1, 2, 3],
    ["one viewer of two lacking", 8, 2, 1, 1, 2],
    ["everyone counted is connected already", 8, 3, 3, 0, 0],
    ["a stale count below the connections", 8, 1, 3, 0, 0],
    ["no more than the peers wanted", 1, 4, 2, 1, 1],
  ])("offersWanted, retryOffersWanted: %s", (_, wanted, others, connected, expected, retry) => {
    expect(offersWanted(wanted, others, connected)).toBe(expected);
    expect(retryOffersWanted(wanted, others, connected)).toBe(retry);
  });

  it.each([
    ["a small swarm: maxPeers", 10, 99, 10],
    ["no tracker count: maxPeers", 10, undefined, 10],
    ["a swarm of more than 100: the answer headroom on top", 10, 100, 10 + ANSWER_HEADROOM_PEERS],
    ["no peers wanted stays none", 0, 5000, 0],
  ])("peerLimit: %s", (_, maxPeers, others, expected) => {
    expect(peerLimit(maxPeers, others)).toBe(expected);
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

  it("a failure inside that window is retried when it closes, not dropped", () => {
    // The last retry fired at 1000; a failure at 2800 (its own attempt failing at once).
    expect(deferredRetryDelayMs(1000, 2800, () => 0)).toBe(1000 + RETRY_AFTER_FAILURE_MS - 2800);
    expect(deferredRetryDelayMs(1000, 2800, () => 1)).toBe(
      1000 + RETRY_AFTER_FAILURE_MS - 2800 + 0.5 * RETRY_AFTER_FAILURE_MS,
    );
    expect(deferredRetryDelayMs(1000, 1000 + 3 * RETRY_AFTER_FAILURE_MS, () => 0)).toBe(0);
  });

  it("offers pending longer than an answer can take no longer hold back new ones", () => {
    expect(pendingOffersSinceMs(100_000)).toBe(100_000 - CONNECT_TIMEOUT_MS);
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
