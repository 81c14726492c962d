import { describe, expect, it } from "vitest";
// The watchdog of a peer transfer: its budget, its stall timeout, and when it is checked.
import {
  DEFAULT_HTTP_BANDWIDTH_BPS,
  MIN_PEER_STALL_MS,
  TRANSFER_CHECK_INTERVAL_MS,
} from "../../../../sdk/src/core/policy/constants.js";
import {
  nextTransferCheckMs,
  peerTransferLimits,
  transferOverLimit,
  type PeerTransfer,
} from "../../../../sdk/src/core/policy/transfer-limits.js";

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

describe("checking a transfer on the 50-ms grid", () => {
  const transfer = (over: Partial<PeerTransfer> = {}): PeerTransfer => ({
    peerId: "p",
    startedMs: 1000,
    grantedMs: 500,
    lastProgressMs: 1000,
    receivedBytes: 0,
    ...over,
  });
  const limits = { budgetMs: 500, stallMs: 400 };

  it("stops a transfer with no data for longer than the stall timeout, or over its budget", () => {
    expect(transferOverLimit(transfer(), 1400, limits)).toBeUndefined();
    expect(transferOverLimit(transfer(), 1401, limits)).toBe("no data for 400 ms");
    expect(transferOverLimit(transfer({ lastProgressMs: 1450 }), 1501, limits)).toBe(
      "over the 500 ms budget",
    );
  });

  it("looks again at the first grid tick past the earliest limit, never now or before", () => {
    // The stall limit passes at 1400: the tick at 1450 finds it passed (1400 itself would not).
    expect(nextTransferCheckMs(transfer(), 1000, limits)).toBe(1450);
    // Bytes at 1300 move the stall to 1700, past the budget (1500): the tick after it.
    expect(nextTransferCheckMs(transfer({ lastProgressMs: 1300 }), 1450, limits)).toBe(1550);
    expect(nextTransferCheckMs(transfer(), 1450, { budgetMs: 400, stallMs: 400 })).toBe(
      1450 + TRANSFER_CHECK_INTERVAL_MS,
    );
  });
});
