// A viewer that starts taking a segment from a peer tells its other neighbours at once (`fetching`),
// so news of a new live segment spreads one hop further than the viewer fetching it from the CDN
// (the swarm simulator's finding: bench/sim, BENCHMARKS.md "Swarm simulator"). Checked on the wire:
// the real SDK engine against a scripted peer that records every frame it receives.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { NearcastConfig } from "../../../sdk/src/core/config.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  peerConnected,
  HLSJS_FRAGMENT_POLICY,
  sameBytes,
} from "../../support/fault-harness.js";
import { HostilePeer } from "../../support/hostile-peer.js";

const RENDITION = "360p";
const SEGMENT_INDEX = 3;
const BUFFERED_AHEAD_SEC = 8;

let server: RunningServer;
let trackerUrl: string;
let segment: Uint8Array;
const engines: Engine[] = [];
const peers: HostilePeer[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
  segment = demoVodSegmentFromDisk(RENDITION, SEGMENT_INDEX);
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.destroy();
  const stopped = peers.splice(0);
  await Promise.all(stopped.map((p) => p.stop()));
  expect(stopped.flatMap((p) => p.errors)).toEqual([]);
});

afterAll(async () => {
  await server?.close();
});

/** An engine joined to a fresh swarm with one honest scripted peer holding the test segment. */
async function engineWithPeer(name: string, config: Partial<NearcastConfig> = {}) {
  const swarmKey = `gossip-${name}|${RENDITION}`;
  const peer = await HostilePeer.start({
    trackerUrl,
    swarmKey,
    segments: new Map([[String(SEGMENT_INDEX), segment]]),
    behaviour: "honest",
  });
  peers.push(peer);
  const observed = createObservedEngine({ trackerUrls: [trackerUrl], ...config });
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  await peerConnected(observed, peer);
  const startedMs = performance.now();
  observed.engine.setPlaybackSource(() => {
    const playedSec = (performance.now() - startedMs) / 1000;
    return {
      positionSec: SEGMENT_INDEX * 2 - BUFFERED_AHEAD_SEC + playedSec,
      bufferedAheadSec: Math.max(0, BUFFERED_AHEAD_SEC - playedSec),
      playbackRate: 1,
    };
  });
  const load = () =>
    observed.engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, SEGMENT_INDEX), {
      http: HLSJS_FRAGMENT_POLICY,
    });
  return { peer, observed, load };
}

describe("gossip one hop: `fetching` when a peer download starts", () => {
  it("announces `fetching` for the segment before asking the peer for it", async () => {
    const { peer, observed, load } = await engineWithPeer("announce");
    const result = await load();
    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBe(segment.byteLength);
    expect(observed.fetches).toHaveLength(0);
    const received = peer.connections.flatMap((c) => c.received);
    const id = String(SEGMENT_INDEX);
    const fetching = received.findIndex((m) => m.type === "fetching" && m.segmentId === id);
    const request = received.findIndex((m) => m.type === "request" && m.segmentId === id);
    expect(fetching).toBeGreaterThanOrEqual(0);
    expect(request).toBeGreaterThan(fetching);
  });

  it("announces nothing with upload off (it could not serve the segment)", async () => {
    const { peer, load } = await engineWithPeer("upload-off", { uploadEnabled: false });
    const result = await load();
    expect(sameBytes(result.data, segment)).toBe(true);
    const received = peer.connections.flatMap((c) => c.received);
    expect(received.some((m) => m.type === "request")).toBe(true);
    expect(received.some((m) => m.type === "fetching")).toBe(false);
  });

  it("announces nothing when its upload cap is below the segment's bitrate (a poor source)", async () => {
    // The 2-second segment at a third of its bitrate: a neighbour waiting on us would wait in vain.
    const cap = Math.floor(segment.byteLength / 2 / 3);
    const { peer, load } = await engineWithPeer("capped-low", { maxUploadBytesPerSec: cap });
    const result = await load();
    expect(sameBytes(result.data, segment)).toBe(true);
    const received = peer.connections.flatMap((c) => c.received);
    expect(received.some((m) => m.type === "request")).toBe(true);
    expect(received.some((m) => m.type === "fetching")).toBe(false);
  });

  it("still announces under a cap that carries the segment in real time", async () => {
    // Far above the segment's bitrate, and above the engine's size estimate before any peer
    // announced the segment's length (400 kB), so the outcome does not depend on that timing.
    const cap = 1_000_000;
    const { peer, load } = await engineWithPeer("capped-enough", { maxUploadBytesPerSec: cap });
    await load();
    const received = peer.connections.flatMap((c) => c.received);
    expect(received.some((m) => m.type === "fetching")).toBe(true);
  });
});
