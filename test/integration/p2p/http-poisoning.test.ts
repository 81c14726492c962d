// Issue 18, no cache poisoning from HTTP: an origin answers 200 with a chunked body and no length that
// ends cleanly after half the segment (p2p-media-loader #522). The viewer that fetched it must never
// serve that copy to a peer: a peer asking for it while it streams gets no byte of it and an `absent`;
// the viewer's load fails like a failed request (a player retries it), and the retry's good copy is
// shared. Real engine, real WebRTC (a scripted peer asks), the demo server's tracker, a loopback origin.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import { HttpBodyError } from "../../../sdk/src/core/errors.js";
import type { SegmentRequest } from "../../../sdk/src/core/types.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import type { DataMessage } from "../../../sdk/src/p2p/protocol.js";
import {
  createObservedEngine,
  demoVodSegmentFromDisk,
  eventsNamed,
  loadAsPlayer,
  peerConnected,
  releaseAll,
  sameBytes,
} from "../../support/fault-harness.js";
import { HostilePeer } from "../../support/hostile-peer.js";
import { waitFor } from "../../support/wait-for.js";

const SEGMENT = demoVodSegmentFromDisk("360p", 6);
const HALF = Math.floor(SEGMENT.byteLength / 2);

let tracker: RunningServer;
let origin: Server;
let originUrl: string;
/** Plain GETs of the segment so far, and every Range header seen. */
let plainGets = 0;
const rangeHeaders: string[] = [];
/** Resolved by the test to let the truncated body go out (so a peer can ask while it is in flight). */
let releaseTruncated: () => void = () => {};
const engines: Engine[] = [];
const peers: HostilePeer[] = [];

beforeAll(async () => {
  tracker = await startServer({ host: "127.0.0.1", port: 0 });
  origin = createServer((req, res) => {
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    if (range) {
      rangeHeaders.push(req.headers.range!);
      const start = Number(range[1]);
      const end = Math.min(range[2] ? Number(range[2]) + 1 : SEGMENT.length, SEGMENT.length);
      res.writeHead(206, {
        "content-range": `bytes ${start}-${end - 1}/${SEGMENT.length}`,
        "content-length": String(end - start),
      });
      res.end(SEGMENT.subarray(start, end));
      return;
    }
    plainGets++;
    // Chunked, no Content-Length: the first answer ends cleanly after half the bytes.
    res.writeHead(200, { "content-type": "video/mp2t" });
    if (plainGets > 1) return void res.end(SEGMENT);
    new Promise<void>((resolve) => (releaseTruncated = resolve)).then(() =>
      res.end(SEGMENT.subarray(0, HALF)),
    );
  });
  await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
});

afterEach(() => releaseAll(engines, peers));

afterAll(async () => {
  origin?.closeAllConnections();
  await new Promise((resolve) => origin?.close(resolve));
  await tracker?.close();
});

describe("no cache poisoning: a truncated chunked origin response", () => {
  it("is never served to a peer; the load fails like a failed request, and the retry's copy is shared", async () => {
    const swarmKey = "poisoning|360p";
    const request: SegmentRequest = {
      id: "6",
      swarmKey,
      url: `${originUrl}/seg-00006.ts`,
      startTimeSec: 12,
      durationSec: 2,
      live: false,
    };
    // A peer that holds nothing and asks for what the viewer fetches; the viewer joins after it.
    const asker = await HostilePeer.start({
      trackerUrl: `ws://127.0.0.1:${tracker.port}/tracker`,
      swarmKey,
      segments: new Map(),
      behaviour: "honest",
    });
    peers.push(asker);
    const observed = createObservedEngine({ trackerUrls: [`ws://127.0.0.1:${tracker.port}/tracker`] });
    engines.push(observed.engine);
    observed.engine.prepareSwarm(swarmKey);
    await peerConnected(observed, asker);
    const link = asker.connections.find((c) => c.open)!;

    // The viewer goes to the origin and tells its peers it is fetching; the peer asks at once.
    const firstLoad = loadAsPlayer(observed.engine, request, 6).catch((error: unknown) => error);
    await waitFor(
      () => link.received.some((m) => m.type === "fetching" && m.segmentId === "6"),
      5000,
      "the viewer's fetching announcement",
    );
    const firstAsk = asker.requestSegment("6");
    releaseTruncated();
    const failed = await firstLoad;
    await waitFor(
      () => link.received.some((m) => m.type === "absent" && m.requestId === firstAsk),
      5000,
      "absent for the truncated copy",
    );
    const dataFor = (requestId: number) =>
      link.received.filter((m): m is DataMessage => m.type === "data" && m.requestId === requestId);

    // Not one byte of the truncated copy reached the peer; the viewer refused it, said why, and
    // failed the load with the response's own status (hls.js retries that, unlike status 0).
    expect(dataFor(firstAsk)).toEqual([]);
    expect(failed).toBeInstanceOf(HttpBodyError);
    expect(failed).toMatchObject({ reason: "tail-check", status: 200 });
    expect(rangeHeaders).toEqual([`bytes=${HALF - 1}-${HALF}`]);
    expect(eventsNamed(observed.events, "http-body-rejected").map((e) => e.arg.reason)).toEqual([
      "tail-check",
    ]);
    expect(observed.engine.getStats().httpBodyRejections["tail-check"]).toBe(1);
    expect(observed.engine.getResourceUsage().storeBytes).toBe(0);

    // The player retries: the whole body (still chunked, no length) is confirmed, delivered and shared.
    const { result } = await loadAsPlayer(observed.engine, request, 6);
    expect(sameBytes(result.data, SEGMENT)).toBe(true);
    const secondAsk = asker.requestSegment("6");
    await waitFor(
      () => dataFor(secondAsk).reduce((n, m) => n + m.payload.byteLength, 0) === SEGMENT.byteLength,
      5000,
      "the confirmed copy from the viewer",
    );
    const frames = dataFor(secondAsk);
    console.log(
      `poisoning: ${plainGets} plain GETs, tail checks ${JSON.stringify(rangeHeaders)}; the peer got ` +
        `${dataFor(firstAsk).length} frames of the truncated copy, ${frames.length} frames of the confirmed one`,
    );
    expect(frames.every((m) => m.totalLength === SEGMENT.byteLength)).toBe(true);
    const served = new Uint8Array(SEGMENT.byteLength);
    for (const m of frames) served.set(m.payload, m.offset);
    expect(sameBytes(served, SEGMENT)).toBe(true);
    expect(rangeHeaders).toEqual([
      `bytes=${HALF - 1}-${HALF}`,
      `bytes=${SEGMENT.length - 1}-${SEGMENT.length}`,
    ]);
  });
});
