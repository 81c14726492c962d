// SegmentLoad carries out its policy on an injected clock: watchdog ticks, waits woken by the swarm,
// HTTP after peers, the path after an HTTP failure, abort. Driven here on a hand-stepped clock with
// scripted transports (the simulator drives the same code with modelled ones).
import { describe, expect, it } from "vitest";
import type { PeerCandidate } from "../../../sdk/src/core/policy/decide.js";
import { DeliveryPolicy } from "../../../sdk/src/core/policy/delivery-policy.js";
import { TransferEstimates } from "../../../sdk/src/core/policy/transfer-estimates.js";
import {
  SegmentLoad,
  type HttpTransferEvents,
  type LoadClock,
  type PeerTransferEvents,
} from "../../../sdk/src/engine/segment-load.js";

const SIZE = 250_000;

/** A clock whose time moves only when the test says so; due timers run in time order. */
class StepClock implements LoadClock {
  nowMs = 0;
  private timers: { atMs: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.nowMs;
  }

  at(atMs: number, fn: () => void) {
    const timer = { atMs, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  advanceTo(ms: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.live && t.atMs <= ms).sort((a, b) => a.atMs - b.atMs)[0];
      if (!due) break;
      due.live = false;
      this.nowMs = due.atMs;
      due.fn();
    }
    this.nowMs = ms;
  }
}

function setup(candidates: PeerCandidate[] = [], live = false) {
  const clock = new StepClock();
  const log: string[] = [];
  const bytes = {
    length: 0,
    get complete() {
      return this.length === SIZE;
    },
  };
  const peers = { candidates, awaitingFirstPeer: false };
  let wake: (() => void) | undefined;
  let peerEvents: PeerTransferEvents | undefined;
  let httpEvents: HttpTransferEvents | undefined;
  const estimates = new TransferEstimates();
  // 8 Mbit/s, 100 ms to the first byte, measured just now.
  estimates.sampleHttp({ requestStartMs: -350, firstByteMs: -250, endMs: 0 }, SIZE);
  const load = new SegmentLoad(
    new DeliveryPolicy({ httpSafetyMarginMs: 2500, p2pStallTimeoutMs: 1500, maxUploadBytesPerSec: 0 }),
    {
      segment: { id: "7", live, durationSec: 2 },
      bytes,
      deadlineMs: () => 6000 - clock.nowMs,
      estimates,
      clock,
      p2p: {
        peerId: "me",
        uploading: true,
        peers: {
          candidates: () => peers.candidates,
          announcedLength: () => SIZE,
          get awaitingFirstPeer() {
            return peers.awaitingFirstPeer;
          },
          connectedPeers: 2,
          othersReported: 2,
        },
        swarm: {
          waitForChange: (maxWaitMs, w) => {
            log.push(`wait ${Math.round(maxWaitMs)}`);
            wake = w;
            const timer = clock.at(clock.nowMs + maxWaitMs, w);
            return { cancel: () => ((wake = undefined), timer.cancel()) };
          },
          peer: (peerId) => ({
            request: (offset, events) => {
              log.push(`ask ${peerId} from ${offset}`);
              peerEvents = events;
              return { cancel: (reason) => log.push(`cancel ${peerId}: ${reason}`) };
            },
          }),
        },
      },
      http: {
        fetch: (offset, events) => {
          log.push(`http from ${offset}`);
          httpEvents = events;
          return { abort: () => log.push("http aborted") };
        },
      },
      announce: { fetching: () => log.push("fetching"), fetchCancelled: () => log.push("fetch-cancelled") },
    },
    {
      done: () => log.push("done"),
      failed: (error) => log.push(`failed: ${String(error)}`),
    },
  );
  return {
    clock,
    log,
    bytes,
    peers,
    load,
    wake: () => wake?.(),
    peer: () => peerEvents!,
    http: () => httpEvents!,
    timing: { requestStartMs: 0, firstByteMs: 100, endMs: 350 },
  };
}

const holder = (peerId: string): PeerCandidate => ({
  peerId,
  complete: true,
  fetching: false,
  throughputBytesPerSec: 0,
  pendingRequests: 0,
});

describe("SegmentLoad", () => {
  it("cuts a peer that stalls at the first watchdog tick past the stall timeout, then resumes over HTTP", () => {
    const t = setup([holder("a")]);
    t.load.start();
    expect(t.log).toEqual(["fetching", "ask a from 0"]);
    t.clock.advanceTo(200);
    t.bytes.length = 65_536;
    t.peer().progress(65_536);
    // No byte after 200 ms: the stall timeout (1500 ms) passes at 1700; the 50-ms grid checks at 1750.
    t.clock.advanceTo(1749);
    expect(t.log).toHaveLength(2);
    t.clock.advanceTo(1750);
    expect(t.log.slice(2)).toEqual(["cancel a: no data for 1500 ms", "fetching", "http from 65536"]);
    t.bytes.length = SIZE;
    t.http().fetched(t.timing, SIZE - 65_536);
    expect(t.log.at(-1)).toBe("done");
  });

  it("ends a hold early when the swarm changes, and asks the peer that turned up", () => {
    const t = setup([], true);
    t.load.start();
    expect(t.log[0]).toMatch(/^wait \d+$/);
    expect(t.load.isWaiting).toBe(true);
    t.clock.advanceTo(100);
    t.peers.candidates = [{ ...holder("f"), complete: false, fetching: true }];
    t.wake();
    expect(t.log.slice(1)).toEqual(["fetching", "ask f from 0"]);
    t.bytes.length = SIZE;
    t.peer().done();
    expect(t.log.at(-1)).toBe("done");
  });

  it("after a retryable HTTP failure, lets a peer that has the segment by now cover it", () => {
    const t = setup();
    t.load.start();
    expect(t.log).toEqual(["fetching", "http from 0"]);
    t.peers.candidates = [holder("a")];
    t.http().fetchFailed(new Error("503"), true);
    expect(t.log.slice(2)).toEqual(["fetching", "ask a from 0"]);
    t.bytes.length = SIZE;
    t.peer().done();
    expect(t.log.at(-1)).toBe("done");
  });

  it("fails with the HTTP error when no peer can cover it, taking back its `fetching` note", () => {
    const t = setup();
    t.load.start();
    t.http().fetchFailed(new Error("503"), true);
    expect(t.log.slice(2)).toEqual(["fetch-cancelled", "failed: Error: 503"]);
  });

  it("aborted during a peer transfer: cancels it and its watchdog, fails, and nothing fires after", () => {
    const t = setup([holder("a")]);
    t.load.start();
    t.load.abort(new Error("aborted"));
    expect(t.log.slice(2)).toEqual(["cancel a: aborted", "fetch-cancelled", "failed: Error: aborted"]);
    t.peer().failed("cancelled");
    t.clock.advanceTo(60_000);
    expect(t.log).toHaveLength(5);
  });
});
