import { describe, expect, it } from "vitest";
import { Ewma } from "../../../sdk/src/core/ewma.js";
import { StatsCollector } from "../../../sdk/src/core/stats.js";

describe("StatsCollector", () => {
  it("computes session and recent offload ratios from byte counters", () => {
    let now = 1_000_000;
    const stats = new StatsCollector(10, () => now);
    stats.peers.set("peer-a", {
      peerId: "peer-a",
      swarmKey: "s",
      downloadedBytes: 0,
      uploadedBytes: 0,
      connectedAtMs: 0,
    });
    stats.addHttpBytes("s", 1000);
    now += 20_000; // the HTTP bytes leave the 10-second window
    stats.addP2pBytes("s", "peer-a", 3000);
    stats.addUploadedBytes("s", "peer-a", 500);
    const snap = stats.snapshot(0);
    expect(snap.offloadRatio).toBeCloseTo(0.75);
    expect(snap.recentOffloadRatio).toBe(1);
    expect(snap.peers[0]).toMatchObject({ downloadedBytes: 3000, uploadedBytes: 500 });
    expect(snap.p2pUploadedBytes).toBe(500);
    expect(stats.bySwarm.get("s")).toEqual({
      httpBytes: 1000,
      p2pBytes: 3000,
      uploadedBytes: 500,
      integrityFailures: 0,
      // Kept per peer id, so the bytes of a peer that disconnects still reach the next report.
      transfers: new Map([["peer-a", { receivedBytes: 3000, sentBytes: 500 }]]),
      peerRejections: {},
      httpBodyRejections: {},
    });
  });

  it("counts peer and HTTP body rejections by reason, in the snapshot and per swarm", () => {
    const stats = new StatsCollector();
    stats.addPeerRejection("s", "size-violation");
    stats.addPeerRejection("s", "size-violation");
    stats.addPeerRejection("t", "stall");
    stats.addHttpBodyRejection("s", "tail-check");
    const snap = stats.snapshot(0);
    expect(snap.peerRejections).toEqual({
      "size-violation": 2,
      "unrequested-data": 0,
      stall: 1,
      "protocol-violation": 0,
      "digest-mismatch": 0,
    });
    expect(snap.httpBodyRejections).toMatchObject({ "tail-check": 1, "length-mismatch": 0 });
    expect(stats.bySwarm.get("s")?.peerRejections).toEqual({ "size-violation": 2 });
    expect(stats.bySwarm.get("t")?.peerRejections).toEqual({ stall: 1 });
    expect(stats.bySwarm.get("s")?.httpBodyRejections).toEqual({ "tail-check": 1 });
  });

  it("reports 0 before any byte rather than NaN", () => {
    const snap = new StatsCollector().snapshot(0);
    expect(snap.offloadRatio).toBe(0);
    expect(snap.recentOffloadRatio).toBe(0);
  });
});

describe("Ewma", () => {
  it("returns the fallback before samples and the sample value after one", () => {
    const ewma = new Ewma(5);
    expect(ewma.value(42)).toBe(42);
    ewma.sample(1, 8_000_000);
    expect(ewma.value()).toBeCloseTo(8_000_000);
  });

  it("fade() keeps the estimate but lets the next sample count for more", () => {
    const steady = new Ewma(5);
    const faded = new Ewma(5);
    for (const ewma of [steady, faded]) for (let i = 0; i < 20; i++) ewma.sample(1, 700_000);
    faded.fade(0.25);
    expect(faded.value()).toBeCloseTo(700_000);
    steady.sample(0.5, 4_000_000);
    faded.sample(0.5, 4_000_000);
    // Old information at a quarter of its weight: the new sample moves the estimate over 3 × further.
    expect(faded.value() - 700_000).toBeGreaterThan(3 * (steady.value() - 700_000));
    expect(faded.value()).toBeLessThan(4_000_000);
  });

  it("moves towards new samples, weighted by their duration", () => {
    const ewma = new Ewma(5);
    ewma.sample(1, 1000);
    ewma.sample(10, 3000);
    expect(ewma.value()).toBeGreaterThan(2500);
    expect(ewma.value()).toBeLessThan(3000);
  });
});
