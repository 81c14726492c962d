// Which tracker failures refuse a swarm, and how long the SDK then leaves that swarm alone there.
import { describe, expect, it } from "vitest";
import { REFUSED_SWARM_RETRY_MAX_MS, REFUSED_SWARM_RETRY_MIN_MS } from "../../../sdk/src/p2p/constants.js";
import { isSwarmRefusal, SwarmRefusals } from "../../../sdk/src/p2p/swarm-refusals.js";
import { parseTrackerMessage } from "../../../sdk/src/p2p/tracker-messages.js";

describe("swarm refusals", () => {
  it("tells a refusal of the swarm from one of a single message, by the tracker's reason key", () => {
    for (const key of [
      "token_scope",
      "swarm_full",
      "info_hash_not_allowed",
      "second_peer_id",
      "invalid_offers",
      undefined,
    ])
      expect(isSwarmRefusal(key)).toBe(true);
    for (const key of ["unknown_peer", "answer_without_membership", "stopped_not_owner"])
      expect(isSwarmRefusal(key)).toBe(false);
  });

  it("reads nearcast_reason from a failure, and ignores one that is not a reason key", () => {
    const hash = "h".repeat(20);
    const failure = (extra: object) =>
      parseTrackerMessage(JSON.stringify({ "failure reason": "no", info_hash: hash, ...extra }));
    expect(failure({ nearcast_reason: "token_scope" })).toEqual({
      kind: "failure",
      infoHash: hash,
      reason: "no",
      reasonKey: "token_scope",
    });
    expect(failure({ nearcast_reason: "<script>" })).toEqual({
      kind: "failure",
      infoHash: hash,
      reason: "no",
    });
    expect(failure({ nearcast_reason: 7 })).toEqual({ kind: "failure", infoHash: hash, reason: "no" });
  });

  it("backs off 5 min, doubling per refusal in a row up to 1 h, per tracker and swarm", () => {
    const refusals = new SwarmRefusals();
    expect(refusals.refused("t1", "s", 0)).toBe(REFUSED_SWARM_RETRY_MIN_MS);
    expect(refusals.blocks("t1", "s", REFUSED_SWARM_RETRY_MIN_MS - 1)).toBe(true);
    expect(refusals.blocks("t2", "s", 0)).toBe(false);
    expect(refusals.blocks("t1", "s2", 0)).toBe(false);
    expect(refusals.blocks("t1", "s", REFUSED_SWARM_RETRY_MIN_MS)).toBe(false);
    let backoff = 0;
    for (let i = 0; i < 10; i++) backoff = refusals.refused("t1", "s", 0);
    expect(backoff).toBe(REFUSED_SWARM_RETRY_MAX_MS);
    refusals.accepted("t1", "s");
    expect(refusals.blocks("t1", "s", 1)).toBe(false);
    expect(refusals.refused("t1", "s", 0)).toBe(REFUSED_SWARM_RETRY_MIN_MS);
  });
});
