// The trust ladder on an origin that publishes no digest and a page with no validateSegment: the SDK's
// defaults still keep a lying peer's bytes from the player and from other peers. Real engines
// (node-datachannel WebRTC), the project's server (tracker, digest service), a scripted liar.
//  - Small swarm (the digest service answers "small_swarm"): CDN spot checks catch the liar.
//  - Digest service on for every swarm: the server's digest catches it, no spot check is made.
// In both, the liar is banned for the reason, the segment is the origin's (over HTTP), nothing the
// liar sent is re-shared, and an honest peer's copy passes and is passed on.
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { defaultStreamKey } from "../../../sdk/src/engine/segment-identity.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  loadAsPlayer,
  peerConnected,
  sameBytes,
  type ObservedEngine,
} from "../../support/fault-harness.js";
import { HostilePeer, type HostileBehaviour } from "../../support/hostile-peer.js";
import { waitFor } from "../../support/wait-for.js";

const RENDITION = "360p";
const SEGMENT_INDEX = 5;
/** Buffer enough that the policy asks a peer holding the segment before HTTP (see faults.test.ts). */
const BUFFERED_AHEAD_SEC = 6;
const segment = demoVodSegmentFromDisk(RENDITION, SEGMENT_INDEX);

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function server(minSwarmSize?: number): Promise<RunningServer> {
  const running = await startServer({
    host: "127.0.0.1",
    port: 0,
    publishDigests: false,
    ...(minSwarmSize !== undefined ? { digests: { minSwarmSize } } : {}),
  });
  closers.push(() => running.close());
  return running;
}

/**
 * The manifest of a viewing and its swarm key, as the hls.js adapter derives it (the digest service
 * checks the swarm key against the manifest). `variant` is a content-naming query: another swarm.
 */
function viewing(running: RunningServer, variant: string) {
  const manifestUrl = `${running.url}/streams/demo/vod/master.m3u8?v=${variant}`;
  return { manifestUrl, swarmKey: `${defaultStreamKey(manifestUrl)}|${RENDITION}` };
}

/** The segment as a player would ask for it: no published digest, with its playlists for the service. */
function request(
  running: RunningServer,
  { swarmKey, manifestUrl }: ReturnType<typeof viewing>,
): SegmentRequest {
  return {
    ...demoVodRequest(running.url, swarmKey, RENDITION, SEGMENT_INDEX),
    manifestUrl,
    playlistUrl: `${running.url}/streams/demo/vod/${RENDITION}/index.m3u8`,
  };
}

async function peer(running: RunningServer, swarmKey: string, behaviour: HostileBehaviour) {
  const hostile = await HostilePeer.start({
    trackerUrl: `${running.url.replace(/^http/, "ws")}/tracker`,
    swarmKey,
    segments: new Map([[String(SEGMENT_INDEX), segment]]),
    behaviour,
  });
  closers.push(() => hostile.stop());
  return hostile;
}

function engine(running: RunningServer, swarmKey: string): ObservedEngine {
  const observed = createObservedEngine({
    trackerUrls: [`${running.url.replace(/^http/, "ws")}/tracker`],
    statsUrl: `${running.url}/api/stats/report`,
    // Reports are sent by the test (reportStats), not on a timer.
    statsIntervalMs: 3_600_000,
  });
  closers.push(() => observed.engine.destroy());
  observed.engine.prepareSwarm(swarmKey);
  return observed;
}

function load(target: Engine, req: SegmentRequest) {
  return loadAsPlayer(target, req, BUFFERED_AHEAD_SEC);
}

/** The liar was caught for `reason`: banned, counted, reported; the player got the origin's bytes. */
function expectCaught(observed: ObservedEngine, liar: HostilePeer, reason: string, data: Uint8Array) {
  expect(sameBytes(data, segment), "the player's bytes are the origin's").toBe(true);
  const stats = observed.engine.getStats();
  expect(stats.peerRejections).toMatchObject({ [reason]: 1 });
  expect(stats).toMatchObject({
    bannedPeers: 1,
    integrityFailures: 1,
    discardedP2pBytes: segment.byteLength,
  });
  expect(eventsNamed(observed.events, "peer-rejected").map((e) => e.arg)).toEqual([
    expect.objectContaining({ peerId: liar.peerId, reason }),
  ]);
  expect(eventsNamed(observed.events, "integrity-failure").map((e) => e.arg.peerIds)).toEqual([
    [liar.peerId],
  ]);
}

describe("trust ladder without published digests, with the SDK's defaults", () => {
  it("small swarm: CDN spot checks catch a liar; it is banned, nothing it sent is passed on", async () => {
    const running = await server();
    const view = viewing(running, "spot");
    const { swarmKey } = view;
    const liar = await peer(running, swarmKey, "lie");
    const viewer = engine(running, swarmKey);
    await peerConnected(viewer, liar);
    await liar.synced();

    const { result } = await load(viewer.engine, request(running, view));
    expect(liar.connections[0]?.dataBytesSent).toBe(segment.byteLength);
    expectCaught(viewer, liar, "spot-check", result.data);
    expect(result).toMatchObject({ source: "http", p2pBytes: 0 });
    // The service was asked, said it leaves this small swarm to spot checks, and they cost ≤ 3 %.
    expect(viewer.digestAsks.length).toBe(1);
    const { trust } = viewer.engine.getStats();
    expect(trust.spotCheckRequests).toBe(viewer.spotChecks.length);
    expect(trust.spotCheckBytes).toBeGreaterThan(0);
    expect(trust.spotCheckBytes).toBeLessThanOrEqual(segment.byteLength * 0.03);
    expect(viewer.fetches.map((f) => f.range)).toEqual([undefined]);
    expect((await liar.closedByRemote()).closedBy).toBe("remote");
    // …and reported: the stats report carries the rejection by reason, /metrics counts it.
    await viewer.engine.reportStats();
    const metricsLine = /^nearcast_peer_rejections_total\{[^}]*reason="spot-check"[^}]*\} (\d+)$/m;
    const counted = await waitFor(
      async () => metricsLine.exec(await (await fetch(`${running.url}/metrics`)).text())?.[1],
      10_000,
      'nearcast_peer_rejections_total{reason="spot-check"} in /metrics',
    );
    expect(Number(counted)).toBe(1);

    // What the viewer holds for others is the origin's copy, confirmed: the next load is served from
    // it. (A newcomer cannot check this over P2P here: on loopback it shares the banned liar's address
    // fingerprint, so the viewer refuses it; the digest test below relays an honest copy.)
    const again = await load(viewer.engine, request(running, view));
    expect(again.result.source).toBe("cache");
    expect(sameBytes(again.result.data, segment)).toBe(true);
  });

  it("digest service on for every swarm: the server's digest catches the liar, no spot check", async () => {
    const running = await server(1);
    const view = viewing(running, "liar");
    const { swarmKey } = view;
    const liar = await peer(running, swarmKey, "lie");
    const viewer = engine(running, swarmKey);
    await peerConnected(viewer, liar);
    await liar.synced();

    const { result } = await load(viewer.engine, request(running, view));
    expectCaught(viewer, liar, "digest-mismatch", result.data);
    expect(viewer.spotChecks).toEqual([]);
    expect(viewer.digestAsks.length).toBeGreaterThanOrEqual(1);

    // An honest holder's copy passes the same digest.
    const honestView = viewing(running, "honest");
    const honestKey = honestView.swarmKey;
    const honest = await peer(running, honestKey, "honest");
    const other = engine(running, honestKey);
    await peerConnected(other, honest);
    await honest.synced();
    const good = await load(other.engine, request(running, honestView));
    expect(sameBytes(good.result.data, segment)).toBe(true);
    expect(good.result.p2pBytes).toBe(segment.byteLength);
    expect(other.engine.getStats().trust.verifiedBy["server-digest"]).toBe(1);
    expect(other.spotChecks).toEqual([]);
  });
});
