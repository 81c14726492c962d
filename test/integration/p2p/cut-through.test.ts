// Verified cut-through over three hops, with real engines (node-datachannel WebRTC) and the project's
// server (tracker, digest service serving every swarm, so its chunk digests vouch): source A sends
// the segment slowly to relay B (a real engine); viewer C asks B while B is still receiving, and
// gets each chunk as soon as B verified it. A lying source's bad chunk is caught at that chunk: the
// liar alone is banned, nothing past the verified prefix reaches C.
import { afterEach, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { DataMessage, PeerMessage } from "../../../sdk/src/p2p/protocol-types.js";
import { defaultStreamKey } from "../../../sdk/src/engine/segment-identity.js";
import { DIGEST_CHUNK_BYTES } from "../../../sdk/src/http/digest-wire.js";
import {
  createObservedEngine,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  loadAsPlayer,
  peerConnected,
  sameBytes,
} from "../../support/fault-harness.js";
import { HostilePeer, type HostileBehaviour } from "../../support/hostile-peer.js";
import { waitFor } from "../../support/wait-for.js";

const RENDITION = "360p";
const SEGMENT_INDEX = 5;
const SEGMENT_ID = String(SEGMENT_INDEX);
const BUFFERED_AHEAD_SEC = 6;
/** Source A's pace: the segment (~120 KiB, two chunks) takes about 1.2 s to reach B. */
const SOURCE_RATE = 100 * 1024;
const segment = demoVodSegmentFromDisk(RENDITION, SEGMENT_INDEX);

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setUp(variant: string, source: HostileBehaviour) {
  const running: RunningServer = await startServer({
    host: "127.0.0.1",
    port: 0,
    publishDigests: false,
    digests: { minSwarmSize: 1 },
  });
  closers.push(() => running.close());
  const trackerUrl = `${running.url.replace(/^http/, "ws")}/tracker`;
  const manifestUrl = `${running.url}/streams/demo/vod/master.m3u8?v=${variant}`;
  const swarmKey = `${defaultStreamKey(manifestUrl)}|${RENDITION}`;
  const a = await HostilePeer.start({
    trackerUrl,
    swarmKey,
    segments: new Map([[SEGMENT_ID, segment]]),
    behaviour: source,
    rateBytesPerSec: SOURCE_RATE,
    faultAfterBytes: DIGEST_CHUNK_BYTES,
  });
  closers.push(() => a.stop());
  const b = createObservedEngine({ trackerUrls: [trackerUrl], statsIntervalMs: 3_600_000 });
  closers.push(() => b.engine.destroy());
  b.engine.prepareSwarm(swarmKey);
  await peerConnected(b, a);
  await a.synced();
  // C joins after B: its offer reaches B (fake viewers ignore each other's offers, so not A).
  const c = await HostilePeer.start({
    trackerUrl,
    swarmKey,
    segments: new Map(),
    behaviour: "silent",
    offers: 4,
  });
  closers.push(() => c.stop());
  await peerConnected(b, c);
  await c.connected();
  const request = {
    ...demoVodRequest(running.url, swarmKey, RENDITION, SEGMENT_INDEX),
    manifestUrl,
    playlistUrl: `${running.url}/streams/demo/vod/${RENDITION}/index.m3u8`,
  };
  return { a, b, c, request };
}

/** Every message C received from B. */
function fromB(c: HostilePeer): PeerMessage[] {
  return c.connections.flatMap((link) => link.received);
}

function dataOf(c: HostilePeer): DataMessage[] {
  return fromB(c).filter((m): m is DataMessage => m.type === "data");
}

/** B announced (part of) the segment to C: the verified prefix, `bytesAvailable` bytes of it. */
function announced(c: HostilePeer): number {
  let most = 0;
  for (const m of fromB(c)) {
    const list = m.type === "availability-full" ? m.segments : m.type === "availability-delta" ? m.added : [];
    for (const s of list) if (s.segmentId === SEGMENT_ID) most = Math.max(most, s.bytesAvailable);
  }
  return most;
}

describe("verified cut-through over three hops", () => {
  it("C gets each chunk from B while B is still receiving the segment from A, bytes exact", async () => {
    const { a, b, c, request } = await setUp("relay", "paced");
    const loading = loadAsPlayer(b.engine, request, BUFFERED_AHEAD_SEC);
    // B announces the segment once its first chunk is verified (the store's first write of it);
    // C asks at once.
    await waitFor(() => announced(c) > 0, 10_000, "B announces its verified prefix");
    const sentByA = a.connections[0]!.dataBytesSent;
    c.requestSegment(SEGMENT_ID);
    await waitFor(() => dataOf(c).length > 0, 10_000, "C's first byte from B");
    const aSentAtFirstByte = a.connections[0]!.dataBytesSent;
    const firstFrame = dataOf(c)[0]!;
    const { result } = await loading;
    // C's first byte from B came while A was still sending to B.
    expect(sentByA).toBeLessThan(segment.byteLength);
    expect(aSentAtFirstByte).toBeLessThan(segment.byteLength);
    // …and it was verified bytes: the first frame lies within the first chunk, and is the origin's.
    expect(firstFrame.offset).toBe(0);
    expect(sameBytes(firstFrame.payload, segment.subarray(0, firstFrame.payload.byteLength))).toBe(true);
    expect(result).toMatchObject({ source: "p2p", p2pBytes: segment.byteLength });
    expect(sameBytes(result.data, segment)).toBe(true);
    // C gets all of it, exactly, once B confirmed the copy (its whole-segment SHA-256 passed).
    const received = await waitFor(
      () => {
        const frames = dataOf(c);
        const total = frames.reduce((n, f) => n + f.payload.byteLength, 0);
        return total === segment.byteLength ? frames : undefined;
      },
      10_000,
      "C has the whole segment",
    );
    const copy = new Uint8Array(segment.byteLength);
    for (const frame of received) copy.set(frame.payload, frame.offset);
    expect(sameBytes(copy, segment)).toBe(true);
    expect(b.engine.getStats().trust.verifiedBy["server-digest"]).toBe(1);
    expect(eventsNamed(b.events, "peer-rejected")).toEqual([]);
  });

  it("a lying source's bad chunk is caught at that chunk: the liar alone is banned, C never gets its bytes", async () => {
    const { a, b, c, request } = await setUp("liar", "paced-lie");
    const loading = loadAsPlayer(b.engine, request, BUFFERED_AHEAD_SEC);
    // The first chunk is honest: B verifies and shares it; C asks for the segment.
    await waitFor(() => announced(c) > 0, 10_000, "B announces its verified prefix");
    c.requestSegment(SEGMENT_ID);
    const banned = await waitFor(() => eventsNamed(b.events, "peer-rejected")[0], 10_000, "B bans the liar");
    const { result } = await loading;
    expect(banned.arg).toMatchObject({ peerId: a.peerId, reason: "digest-mismatch" });
    expect(eventsNamed(b.events, "peer-rejected")).toHaveLength(1);
    expect(eventsNamed(b.events, "integrity-failure").map((e) => e.arg.peerIds)).toEqual([[a.peerId]]);
    // The player's bytes are the origin's.
    expect(sameBytes(result.data, segment)).toBe(true);
    // Nothing C got from B is past the verified prefix, and all of it is the origin's.
    for (const frame of dataOf(c)) {
      expect(frame.offset + frame.payload.byteLength).toBeLessThanOrEqual(segment.byteLength);
      expect(
        sameBytes(frame.payload, segment.subarray(frame.offset, frame.offset + frame.payload.byteLength)),
      ).toBe(true);
    }
    expect(b.engine.getStats().bannedPeers).toBe(1);
  });
});
