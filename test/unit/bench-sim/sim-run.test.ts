// The simulator runs the SDK's own delivery code: one seed gives one outcome, and a rule change in
// the SDK's policy (here an earlier version of it, through PolicyVariant) changes what it measures.
import { describe, expect, it } from "vitest";
import { scenarios } from "../../../bench/sim/scenarios.js";
import { runSimulation } from "../../../bench/sim/sim-run.js";
import { BEFORE_GOSSIP } from "../../../bench/sim/sim-types.js";

const small = { ...scenarios()["node-10"]!, durationSec: 20, seed: 3 };

describe("runSimulation", () => {
  it("is deterministic per seed, and its viewers take most bytes from each other without a stall", () => {
    const a = runSimulation(small);
    const b = runSimulation(small);
    expect(b.summary).toEqual(a.summary);
    expect(b.decisions).toEqual(a.decisions);
    expect(a.summary.offload).toBeGreaterThan(0.5);
    expect(a.summary.stalls).toBe(0);
  });

  it("decides with the SDK's policy: its earlier rules give other decisions", () => {
    const now = runSimulation(small);
    const before = runSimulation({ ...small, variant: BEFORE_GOSSIP });
    expect(Object.keys(now.decisions)).toContain("wait:new-segment-hold");
    expect(before.decisions).not.toEqual(now.decisions);
  });
});
