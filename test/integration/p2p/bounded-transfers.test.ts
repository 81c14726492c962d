// Issue 18, bounded transfers: scripted hostile peers (real WebRTC through node-datachannel, the demo
// server's tracker and origin) against a real engine. Each hostile peer holds the segments the engine
// wants; for each, the engine's loads still complete from HTTP before the player's buffer runs out,
// the peer is closed and counted with the reason, and what the engine buffers from peers stays within
// its caps (measured by the engine: bytes from peers held for loads in flight, at their peak).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { PeerRejectionReason } from "../../../sdk/src/core/types.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { MAX_CONSECUTIVE_PEER_STALLS, MAX_PEER_BUFFERED_BYTES } from "../../../sdk/src/p2p/constants.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  loadAsPlayer,
  peerConnected,
  releaseAll,
  sameBytes,
  type ObservedEngine,
} from "../../support/fault-harness.js";
import { HostilePeer, type HostilePeerOptions } from "../../support/hostile-peer.js";

const RENDITION = "360p";
/** Segments the hostile peer claims; loaded in this order. */
const SEGMENTS = [3, 4, 5];
/** Media buffered ahead when each load starts, as in faults.test.ts: its deadline. */
const BUFFERED_AHEAD_SEC = 6;

let server: RunningServer;
let trackerUrl: string;
const segmentBytes = new Map<number, Uint8Array>();
const engines: Engine[] = [];
const hostiles: HostilePeer[] = [];
let swarmCounter = 0;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
  for (const index of SEGMENTS) segmentBytes.set(index, demoVodSegmentFromDisk(RENDITION, index));
});

afterEach(() => releaseAll(engines, hostiles));

afterAll(async () => {
  await server?.close();
});

interface AttackOutcome {
  observed: ObservedEngine;
  hostile: HostilePeer;
  elapsedMs: number[];
}

/**
 * A hostile peer holding every segment of SEGMENTS, an engine connected to it, then `loads` of those
 * segments in turn as a playing player would. Every load must deliver the origin's bytes, over HTTP.
 */
async function attack(
  behaviour: HostilePeerOptions["behaviour"],
  loads: number,
  options: Partial<HostilePeerOptions> = {},
): Promise<AttackOutcome> {
  const swarmKey = `bounded-${behaviour}-${++swarmCounter}|${RENDITION}`;
  const hostile = await HostilePeer.start({
    trackerUrl,
    swarmKey,
    segments: new Map(SEGMENTS.map((i) => [String(i), segmentBytes.get(i)!])),
    behaviour,
    ...options,
  });
  hostiles.push(hostile);
  const observed = createObservedEngine({ trackerUrls: [trackerUrl] });
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  await peerConnected(observed, hostile);
  const elapsedMs: number[] = [];
  for (const index of SEGMENTS.slice(0, loads)) {
    const request = demoVodRequest(server.url, swarmKey, RENDITION, index);
    const { result, elapsedMs: ms } = await loadAsPlayer(observed.engine, request, BUFFERED_AHEAD_SEC);
    elapsedMs.push(ms);
    expect(sameBytes(result.data, segmentBytes.get(index)!)).toBe(true);
    expect(result.source).toBe("http");
  }
  return { observed, hostile, elapsedMs };
}

/** What every attack must end in: on time, the peer closed and counted once, the engine's caps kept. */
async function expectRefused(
  { observed, hostile, elapsedMs }: AttackOutcome,
  reason: PeerRejectionReason,
  maxBufferedBytes: number,
): Promise<void> {
  const closed = await hostile.closedByRemote();
  const stats = observed.engine.getStats();
  const usage = observed.engine.getResourceUsage();
  const rejected = eventsNamed(observed.events, "peer-rejected").map((e) => e.arg);
  console.log(
    `${hostile.connections[0]?.dataBytesSent ?? 0} B sent by the peer; loads took ` +
      `${elapsedMs.map((ms) => ms.toFixed(0)).join(", ")} ms (deadline ${BUFFERED_AHEAD_SEC * 1000} ms); ` +
      `rejected: ${JSON.stringify(rejected)}; peer bytes buffered at peak ${usage.peerBufferedPeakBytes} B, ` +
      `store ${usage.storeBytes} B`,
  );
  for (const ms of elapsedMs) expect(ms).toBeLessThan(BUFFERED_AHEAD_SEC * 1000);
  expect(closed.closedBy).toBe("remote");
  expect(rejected).toEqual([expect.objectContaining({ peerId: hostile.peerId, reason })]);
  expect(stats.peerRejections[reason]).toBe(1);
  expect(stats.bannedPeers).toBe(1);
  expect(usage.peerBufferedPeakBytes).toBeLessThanOrEqual(maxBufferedBytes);
  expect(usage.peerBufferedPeakBytes).toBeLessThanOrEqual(MAX_PEER_BUFFERED_BYTES);
  expect(usage.peerBufferedBytes).toBe(0);
  expect(eventsNamed(observed.events, "segment-error")).toEqual([]);
}

describe("bounded transfers: a hostile peer costs a viewer a fallback to HTTP, nothing more", () => {
  it("oversize: 10 × the announced size → cut at its first frame for a size violation, nothing buffered", async () => {
    const outcome = await attack("oversize", 1, { oversizeFactor: 10 });
    await expectRefused(outcome, "size-violation", 0);
  });

  it("unknown length (0) streamed at 2 MiB/s → cut at its first frame for a size violation", async () => {
    const outcome = await attack("unknown-length", 1, { rateBytesPerSec: 2 * 1024 * 1024 });
    await expectRefused(outcome, "size-violation", 0);
  });

  it("unrequested data frames → cut at the first for unrequested data", async () => {
    const outcome = await attack("unrequested", 1, { rateBytesPerSec: 2 * 1024 * 1024 });
    await expectRefused(outcome, "unrequested-data", 0);
  });

  it(`trickle at 1 byte/s → each load cut as stalled, the peer dropped after ${MAX_CONSECUTIVE_PEER_STALLS}`, async () => {
    const outcome = await attack("trickle", MAX_CONSECUTIVE_PEER_STALLS, { rateBytesPerSec: 1 });
    // At most the few bytes it trickled before each load gave up on it.
    await expectRefused(outcome, "stall", 8);
  });

  it(`announces segments it never sends → dropped for stalling after ${MAX_CONSECUTIVE_PEER_STALLS} loads`, async () => {
    const outcome = await attack("silent", MAX_CONSECUTIVE_PEER_STALLS);
    expect(outcome.hostile.requests).toHaveLength(MAX_CONSECUTIVE_PEER_STALLS);
    await expectRefused(outcome, "stall", 0);
  });
});
