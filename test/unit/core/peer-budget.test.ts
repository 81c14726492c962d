import { describe, expect, it } from "vitest";
import { DEFAULT_HTTP_BANDWIDTH_BPS } from "../../../sdk/src/core/scheduler.js";
import { MIN_PEER_STALL_MS, peerTransferLimits } from "../../../sdk/src/engine/peer-budget.js";

describe("peerTransferLimits", () => {
  it("is the scheduler's grant before any byte arrived", () => {
    expect(peerTransferLimits(500, 0, 1_000_000, 1500)).toEqual({ budgetMs: 500, stallMs: 500 });
  });

  it("gives back each received byte's HTTP time, at the measured throughput", () => {
    // 125 000 bytes = 1 Mbit: 1000 ms at 1 Mbit/s that the Range fallback no longer needs.
    expect(peerTransferLimits(500, 125_000, 1_000_000, 1500)).toEqual({ budgetMs: 1500, stallMs: 1500 });
    // The no-progress timeout grows with it, up to p2pStallTimeoutMs.
    expect(peerTransferLimits(500, 250_000, 1_000_000, 1500)).toEqual({ budgetMs: 2500, stallMs: 1500 });
  });

  it("assumes the scheduler's default throughput before HTTP was measured", () => {
    const { budgetMs } = peerTransferLimits(0, 250_000, 0, 1500);
    expect(budgetMs).toBeCloseTo((250_000 * 8000) / DEFAULT_HTTP_BANDWIDTH_BPS, 9);
  });

  it("keeps a floor on the stall timeout and ignores nonsense byte counts", () => {
    expect(peerTransferLimits(100, 0, 1_000_000, 1500).stallMs).toBe(MIN_PEER_STALL_MS);
    expect(peerTransferLimits(100, -5, 1_000_000, 1500)).toEqual({
      budgetMs: 100,
      stallMs: MIN_PEER_STALL_MS,
    });
    expect(peerTransferLimits(5000, 0, 1_000_000, 200).stallMs).toBe(200);
  });
});
