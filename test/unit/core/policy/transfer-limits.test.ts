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

  it("lets a streaming peer run until the reserve is left beyond the fallback's time", () => {
    // Deadline 5000 ms, 64 KiB of 250 kB arrived: the rest takes 1475.7 + 100 ms over HTTP, so the
    // latest end is 3424.3 ms; a 1250-ms reserve leaves 2174.3 ms, where the bytes alone earn 1024.3.
    const t = transfer({ deadlineMs: 5000, receivedBytes: 65_536 });
    expect(peerTransferLimits(t, mbit, 1500).budgetMs).toBeCloseTo(500 + 524.288, 6);
    expect(peerTransferLimits(t, mbit, 1500, 1250).budgetMs).toBeCloseTo(5000 - 1575.712 - 1250, 6);
    // Not before a byte arrived, never below the grant nor past the deadline less the rest's HTTP time.
    expect(peerTransferLimits({ ...t, receivedBytes: 0 }, mbit, 1500, 1250).budgetMs).toBe(500);
    expect(peerTransferLimits({ ...t, deadlineMs: 2000 }, mbit, 1500, 1250).budgetMs).toBe(500);
    expect(peerTransferLimits({ ...t, receivedBytes: 250_000 }, mbit, 1500, 1250).budgetMs).toBe(3650);
    expect(peerTransferLimits({ ...t, receivedBytes: 250_000 }, mbit, 1500, 0).budgetMs).toBe(4900);
    // The no-progress timeout does not grow with it: a peer that stops is cut as before.
    expect(peerTransferLimits(t, mbit, 1500, 1250).stallMs).toBe(1500);
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
    const last = transfer({ expectedBytes: 0 }); // the last bytes: nothing to trickle
    // The stall limit passes at 1400: the tick at 1450 finds it passed (1400 itself would not).
    expect(nextTransferCheckMs(last, 1000, limits)).toBe(1450);
    // Bytes at 1300 move the stall to 1700, past the budget (1500): the tick after it.
    expect(nextTransferCheckMs({ ...last, lastProgressMs: 1300 }, 1450, limits)).toBe(1550);
    expect(nextTransferCheckMs(last, 1450, { budgetMs: 400, stallMs: 400 })).toBe(
      1450 + TRANSFER_CHECK_INTERVAL_MS,
    );
  });

  it("cuts a peer that trickles once it has sent bytes for its stall timeout, and lets a steady one run", () => {
    const budget = { budgetMs: 3000, stallMs: 1500 };
    // First bytes at 1400, then one a second: each resets the stall timeout, but at ~1 B/s 250 kB
    // will not come before the budget ends (4000).
    const trickle = transfer({ firstByteMs: 1400, lastProgressMs: 2400, receivedBytes: 2 });
    expect(transferOverLimit(trickle, 2900, budget)).toBeUndefined(); // 1500 ms since its first byte
    expect(transferOverLimit(trickle, 2950, budget)).toBe("too slow: 1 B/s for 249998 B in 1050 ms");
    expect(nextTransferCheckMs(trickle, 2400, budget)).toBe(2950);
    // No byte at all is the stall limit's case, not this one.
    expect(nextTransferCheckMs(transfer(), 1000, budget)).toBe(2550);
    // Its first byte after a 1-s wait (a fetcher's own download starting), then 100 kB in 1.1 s:
    // judged by that pace (~91 kB/s for 150 kB in 1.5 s), not by the wait.
    const steady = transfer({ firstByteMs: 2000, lastProgressMs: 3090, receivedBytes: 100_000 });
    expect(transferOverLimit(steady, 3100, budget)).toBeUndefined();
    // With nothing more, its pace falls under a quarter of what is needed at about 3455 ms, and it
    // has sent bytes for its stall timeout at 3500: the tick after.
    expect(nextTransferCheckMs(steady, 3100, budget)).toBe(3550);
    expect(transferOverLimit(steady, 3550, budget)).toMatch(/^too slow/);
  });

  it("cuts a transfer with no first byte by its first-byte limit, and never one whose bytes came", () => {
    const relay = { budgetMs: 1250, stallMs: 1250, firstByteMs: 600 };
    expect(transferOverLimit(transfer(), 1600, relay)).toBeUndefined();
    expect(transferOverLimit(transfer(), 1601, relay)).toBe("no first byte in 600 ms");
    expect(nextTransferCheckMs(transfer(), 1000, relay)).toBe(1650);
    // Bytes at 1500: streaming, the first-byte limit no longer applies (only stall and budget).
    const streaming = transfer({ firstByteMs: 1500, lastProgressMs: 1500, receivedBytes: 65_536 });
    expect(transferOverLimit(streaming, 1700, relay)).toBeUndefined();
    expect(nextTransferCheckMs(streaming, 1500, { ...relay, firstByteMs: 100 })).toBe(2300);
  });
});
