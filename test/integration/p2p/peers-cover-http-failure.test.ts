// When the origin fails a segment request (5xx, reset, timeout), hls.js would retry only after its
// back-off (1 s, then 2 s, … by default). A peer that holds the segment by then is asked first, even
// on a buffer too short for a normal peer try; without one, the HTTP error goes back to hls.js as
// before. The real engine against a scripted peer and a loopback origin that answers 503.
//
// The peer's bytes reach the player only when a rung of the trust ladder vouches for them without
// the origin (here: a published digest). With no digest, a down origin also fails the spot checks:
// the bytes are unverifiable and the HTTP error stands, unless the page allows unverified peers.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { HttpError } from "../../../sdk/src/core/errors.js";
import type { NearcastConfig } from "../../../sdk/src/core/config.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  peerConnected,
  HLSJS_FRAGMENT_POLICY,
  sameBytes,
} from "../../support/fault-harness.js";
import { HostilePeer } from "../../support/hostile-peer.js";

const RENDITION = "360p";
const SEGMENT_INDEX = 3;

let server: RunningServer;
let failing: Server;
let failingUrl: string;
let trackerUrl: string;
let segment: Uint8Array;
let failingRequests = 0;
const engines: Engine[] = [];
const peers: HostilePeer[] = [];

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
  segment = demoVodSegmentFromDisk(RENDITION, SEGMENT_INDEX);
  failing = createServer((_req, res) => {
    failingRequests++;
    res.writeHead(503, { "access-control-allow-origin": "*" }).end("origin down");
  });
  await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.destroy();
  const stopped = peers.splice(0);
  await Promise.all(stopped.map((p) => p.stop()));
  expect(stopped.flatMap((p) => p.errors)).toEqual([]);
});

afterAll(async () => {
  await new Promise((resolve) => failing?.close(resolve));
  await server?.close();
});

/**
 * An engine in a swarm of `peerSegments` whose buffer is too short for a normal peer try: half a
 * second ahead by default, so the scheduler goes straight to HTTP ("no-time"). With
 * `bufferedAheadSec` 0 the player waits for the segment now: a connected holder is then asked first
 * (policy/decide.ts, decideEmptyBuffer).
 */
async function starvedEngine(
  name: string,
  peerSegments: Map<string, Uint8Array>,
  {
    sha256,
    config = {},
    bufferedAheadSec = 0.5,
  }: { sha256?: string; config?: Partial<NearcastConfig>; bufferedAheadSec?: number } = {},
) {
  const swarmKey = `http-failure-${name}|${RENDITION}`;
  const peer = await HostilePeer.start({ trackerUrl, swarmKey, segments: peerSegments, behaviour: "honest" });
  peers.push(peer);
  const observed = createObservedEngine({ trackerUrls: [trackerUrl], ...config });
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  await peerConnected(observed, peer);
  observed.engine.setPlaybackSource(() => ({
    positionSec: SEGMENT_INDEX * 2,
    bufferedAheadSec,
    playbackRate: 1,
    waiting: bufferedAheadSec === 0,
  }));
  const request = {
    ...demoVodRequest(server.url, swarmKey, RENDITION, SEGMENT_INDEX),
    url: `${failingUrl}/seg-${SEGMENT_INDEX}.ts`,
    ...(sha256 !== undefined ? { sha256 } : {}),
  };
  return { observed, load: () => observed.engine.loadSegment(request, { http: HLSJS_FRAGMENT_POLICY }) };
}

describe("peers cover an origin failure", () => {
  it("a 503 for a segment a peer holds, with a digest: the peer's bytes, no error for hls.js", async () => {
    const before = failingRequests;
    const sha256 = createHash("sha256").update(segment).digest("hex");
    const held = new Map([[String(SEGMENT_INDEX), segment]]);
    const { observed, load } = await starvedEngine("held", held, { sha256 });
    const result = await load();
    expect(failingRequests - before, "origin requests").toBe(1);
    expect(observed.fetches).toHaveLength(1);
    expect(observed.spotChecks).toEqual([]);
    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBe(segment.byteLength);
    expect(result.httpBytes).toBe(0);
  });

  it("an empty buffer and a connected holder, with a digest: the peer is asked before the origin", async () => {
    const before = failingRequests;
    const sha256 = createHash("sha256").update(segment).digest("hex");
    const held = new Map([[String(SEGMENT_INDEX), segment]]);
    const { observed, load } = await starvedEngine("empty-buffer", held, { sha256, bufferedAheadSec: 0 });
    const result = await load();
    expect(failingRequests - before, "origin requests").toBe(0);
    expect(observed.fetches).toEqual([]);
    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBe(segment.byteLength);
  });

  it("a 503 for a segment no peer holds: the HTTP error, as hls.js would see it", async () => {
    const { load } = await starvedEngine("not-held", new Map());
    const error = await load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
  });

  it("no digest and the origin down: the peer's bytes are unverifiable, the HTTP error stands", async () => {
    const held = new Map([[String(SEGMENT_INDEX), segment]]);
    const { observed, load } = await starvedEngine("unverifiable", held);
    const error = await load().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(503);
    // The spot checks asked the origin (and got 503s): no verdict, so no peer byte reached the caller.
    expect(observed.spotChecks.length).toBeGreaterThan(0);
    expect(observed.engine.getStats().trust).toMatchObject({
      unverifiedRefetched: 1,
      unverifiedDelivered: 0,
    });
    expect(observed.engine.getStats().bannedPeers).toBe(0);
  });

  it("…unless the page set allowUnverifiedPeers: the peer's bytes, with one warning", async () => {
    const held = new Map([[String(SEGMENT_INDEX), segment]]);
    const { observed, load } = await starvedEngine("opt-in", held, {
      config: { allowUnverifiedPeers: true },
    });
    const result = await load();
    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBe(segment.byteLength);
    expect(observed.engine.getStats().trust).toMatchObject({
      unverifiedRefetched: 0,
      unverifiedDelivered: 1,
    });
    const warnings = eventsNamed(observed.events, "warning").map((e) => e.arg.message);
    expect(warnings).toEqual([expect.stringMatching(/allowUnverifiedPeers/)]);
  });
});
