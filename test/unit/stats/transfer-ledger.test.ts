import { describe, expect, it } from "vitest";
import { TransferLedger } from "../../../demo-server/src/stats/transfer-ledger.js";
import type { TransferClaim } from "../../../demo-server/src/stats/transfer-ledger.js";

const [A, B, C] = ["aa".repeat(20), "bb".repeat(20), "cc".repeat(20)];
const swarm = { infoHash: "11".repeat(20), streamId: "https://cdn.example/live.m3u8", rendition: "v800" };
const claim = (self: string, peer: string, receivedBytes: number, sentBytes: number): TransferClaim => ({
  ...swarm,
  self,
  peer,
  receivedBytes,
  sentBytes,
});

describe("TransferLedger", () => {
  it("credits nothing until the other side confirms, then what both sides agree on", () => {
    const ledger = new TransferLedger();
    expect(ledger.record(claim(B, A, 1000, 0), 0)).toEqual([]);
    expect(ledger.awaitingBytes).toBe(1000);
    expect(ledger.record(claim(A, B, 0, 600), 5_000)).toEqual([
      { streamId: swarm.streamId, rendition: "v800", bytes: 600, sinceMs: 0 },
    ]);
    // The sender catches up with its next report: the rest is credited then.
    expect(ledger.record(claim(A, B, 0, 400), 10_000).map((c) => c.bytes)).toEqual([400]);
    expect(ledger.awaitingBytes).toBe(0);
  });

  it("never credits a claim no peer backs: a forged 2 GB receipt stays unconfirmed", () => {
    const ledger = new TransferLedger(100_000, 60_000);
    expect(ledger.record(claim(C, A, 2_000_000_000, 0), 0)).toEqual([]);
    // A third viewer's upload to someone else does not confirm it either.
    expect(ledger.record(claim(A, B, 0, 2_000_000_000), 1_000)).toEqual([]);
    ledger.sweep(62_000);
    expect(ledger.size).toBe(0);
    expect(ledger.unconfirmed).toEqual({ received: 2_000_000_000, sent: 2_000_000_000 });
  });

  it("keeps each direction of a pair apart", () => {
    const ledger = new TransferLedger();
    ledger.record(claim(A, B, 300, 200), 0);
    const credits = ledger.record(claim(B, A, 200, 300), 1);
    expect(credits.map((c) => c.bytes).sort()).toEqual([200, 300]);
  });

  it("stays within its bound, counting what the dropped pairs left unconfirmed", () => {
    const ledger = new TransferLedger(10, 60_000);
    for (let i = 0; i < 50; i++) ledger.record(claim(i.toString(16).padStart(40, "0"), A, 10, 0), i);
    expect(ledger.size).toBe(10);
    expect(ledger.unconfirmed.received).toBe(400);
  });
});
