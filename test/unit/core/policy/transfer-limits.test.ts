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

/** A transfer with a far deadline (the cap out of the way) unless a test says otherwise. */
const transfer = (over: Partial<PeerTransfer> = {}): PeerTransfer => ({
  peerId: "p",
  startedMs: 1000,
  grantedMs: 500,
  deadlineMs: 60_000,
  expectedBytes: 250_000,
  lastProgressMs: 1000,
  receivedBytes: 0,
  ...over,
});
const mbit = { httpBandwidthBps: 1_000_000, httpFirstByteMs: 100 };

describe("peerTransferLimits", () => {
  it("is the grant before any byte arrived", () => {
    expect(peerTransferLimits(transfer(), mbit, 1500)).toEqual({ budgetMs: 500, stallMs: 500 });
  });

  it("gives back each received byte's HTTP time, at the measured throughput", () => {
    // 125 000 bytes = 1 Mbit: 1000 ms at 1 Mbit/s that the Range fallback no longer needs.
    expect(peerTransferLimits(transfer({ receivedBytes: 125_000 }), mbit, 1500)).toEqual({
      budgetMs: 1500,
      stallMs: 1500,
    });
    // The no-progress timeout grows with it, up to p2pStallTimeoutMs.
    expect(peerTransferLimits(transfer({ receivedBytes: 250_000 }), mbit, 1500)).toEqual({
      budgetMs: 2500,
      stallMs: 1500,
    });
  });

  it("assumes the default throughput before HTTP was measured", () => {
    const { budgetMs } = peerTransferLimits(
      transfer({ grantedMs: 0, receivedBytes: 250_000 }),
      { httpBandwidthBps: 0, httpFirstByteMs: 100 },
      1500,
    );
    expect(budgetMs).toBeCloseTo((250_000 * 8000) / DEFAULT_HTTP_BANDWIDTH_BPS, 9);
  });

  it("never grows past the deadline less the HTTP time of what is still to come, however many bytes arrive", () => {
    // Deadline 3000 ms; 2 MB arrived of a segment estimated at 250 kB (more than estimated): without
    // the cap, 16 s earned; with it, the budget ends where HTTP could still fetch the rest (nothing
    // left by the estimate: the first byte's 100 ms) before the deadline.
    const t = transfer({ deadlineMs: 3000, receivedBytes: 2_000_000 });
    expect(peerTransferLimits(t, mbit, 1500).budgetMs).toBe(2900);
    // Half of it received: the other half's HTTP time (1000 ms + 100 ms) is kept before the deadline.
    expect(peerTransferLimits({ ...t, receivedBytes: 125_000 }, mbit, 1500).budgetMs).toBe(1500);
    expect(peerTransferLimits({ ...t, deadlineMs: 2000, receivedBytes: 125_000 }, mbit, 1500).budgetMs).toBe(
      900,
    );
  });

  it("keeps the grant even past the deadline (after an HTTP failure decide sets it aside)", () => {
    const afterFailure = transfer({ grantedMs: 1000, deadlineMs: 0, receivedBytes: 125_000 });
    expect(peerTransferLimits(afterFailure, mbit, 1500).budgetMs).toBe(1000);
  });

  it("keeps a floor on the stall timeout and ignores nonsense byte counts", () => {
    expect(peerTransferLimits(transfer({ grantedMs: 100 }), mbit, 1500).stallMs).toBe(MIN_PEER_STALL_MS);
    expect(peerTransferLimits(transfer({ grantedMs: 100, receivedBytes: -5 }), mbit, 1500)).toEqual({
      budgetMs: 100,
      stallMs: MIN_PEER_STALL_MS,
    });
    expect(peerTransferLimits(transfer({ grantedMs: 5000 }), mbit, 200).stallMs).toBe(200);
  });
});

describe("checking a transfer on the 50-ms grid", () => {
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
