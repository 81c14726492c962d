import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { REPO_ROOT } from "../../../demo-server/src/config.js";
import { startServer, type RunningServer } from "../../../demo-server/src/server.js";
import type { NearcastConfig } from "../../../sdk/src/core/config.js";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import type { SegmentResult } from "../../../sdk/src/core/types.js";
import { RECONNECT_JITTER, RECONNECT_MAX_MS, RECONNECT_MIN_MS } from "../../../sdk/src/p2p/constants.js";
import { infoHashOf, toHex } from "../../../sdk/src/p2p/ids.js";
import {
  createObservedEngine,
  EVENT_NAMES,
  demoVodRequest,
  demoVodSegmentFromDisk,
  eventsNamed,
  peerConnected,
  HLSJS_FRAGMENT_POLICY,
  sameBytes,
  type ObservedEngine,
} from "../../support/fault-harness.js";
import { HostilePeer, type GarbageKind, type HostilePeerOptions } from "../../support/hostile-peer.js";
import { demoLiveSegmentFromDisk } from "../../support/node-engines.js";
import { SimulatedPlayer } from "../../support/simulated-player.js";
import {
  freeLoopbackPort,
  startNearcastTracker,
  startReferenceTracker,
} from "../../support/test-trackers.js";
import { sleep, waitFor } from "../../support/wait-for.js";

const PROBE_PATH = path.join(REPO_ROOT, "test", "support", "destroy-exit-probe.ts");

const RENDITION = "360p";
const SEGMENT_INDEX = 3;
const SEGMENT_FILE = `seg-${String(SEGMENT_INDEX).padStart(5, "0")}.ts`;
/**
 * Media buffered ahead in the hostile-peer tests. Enough that the scheduler tries a peer that
 * holds the segment first (slack = 6 s − ~0.7 s expected HTTP time − 2.5 s margin ≈ 2.8 s), and
 * short enough that the needless wait after the only peer fails (a known bug, see the end of this
 * file) costs each test only a few seconds. The loads must still beat this deadline.
 */
const BUFFERED_AHEAD_SEC = 6;
let segment: Uint8Array;

let server: RunningServer;
let trackerUrl: string;
const engines: Engine[] = [];
const hostiles: HostilePeer[] = [];
/** Extra servers and processes a test started, released after it even when it fails. */
const cleanups: (() => Promise<void> | void)[] = [];
let swarmCounter = 0;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  trackerUrl = `ws://127.0.0.1:${server.port}/tracker`;
  segment = demoVodSegmentFromDisk(RENDITION, SEGMENT_INDEX);
});

afterEach(async () => {
  for (const engine of engines.splice(0)) engine.destroy();
  const stopped = hostiles.splice(0);
  await Promise.all(stopped.map((h) => h.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  // A fake viewer whose own signaling failed would make the test prove nothing.
  expect(stopped.flatMap((h) => h.errors)).toEqual([]);
});

afterAll(async () => {
  await server?.close();
});

/** A swarm nobody else uses, so tests cannot meet each other's peers. */
function freshSwarmKey(name: string): string {
  return `faults-${name}-${++swarmCounter}|${RENDITION}`;
}

async function startHostile(
  options: Omit<HostilePeerOptions, "trackerUrl" | "segments"> & Partial<HostilePeerOptions>,
): Promise<HostilePeer> {
  const peer = await HostilePeer.start({
    trackerUrl,
    segments: new Map([[String(SEGMENT_INDEX), segment]]),
    ...options,
  });
  hostiles.push(peer);
  return peer;
}

/** An engine in `swarmKey`, connected to `peer`. */
async function engineConnectedTo(
  swarmKey: string,
  peer: HostilePeer,
  config: Partial<NearcastConfig> = {},
): Promise<ObservedEngine> {
  const observed = createObservedEngine({ trackerUrls: [trackerUrl], ...config });
  engines.push(observed.engine);
  observed.engine.prepareSwarm(swarmKey);
  await peerConnected(observed, peer);
  return observed;
}

/**
 * Load the test segment as a playing player would: BUFFERED_AHEAD_SEC of media buffered when the
 * request starts, draining at 1× while it runs (so every wait the scheduler makes costs buffer).
 */
function loadTestSegment(engine: Engine, swarmKey: string): Promise<SegmentResult> {
  const startedMs = performance.now();
  engine.setPlaybackSource(() => {
    const playedSec = (performance.now() - startedMs) / 1000;
    return {
      positionSec: SEGMENT_INDEX * 2 - BUFFERED_AHEAD_SEC + playedSec,
      bufferedAheadSec: Math.max(0, BUFFERED_AHEAD_SEC - playedSec),
      playbackRate: 1,
    };
  });
  return engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, SEGMENT_INDEX), {
    http: HLSJS_FRAGMENT_POLICY,
  });
}

/** Peers the demo server's tracker holds in a swarm. */
function trackerPeers(infoHashHex: string): number {
  return server.tracker.stats().topSwarms.find((s) => s.infoHash === infoHashHex)?.peers ?? 0;
}

function originBytesFor(file: string): { bytes: number; requests: number } {
  return (
    server.origin.getStats().streams.demo?.renditions[RENDITION]?.segments[file] ?? { bytes: 0, requests: 0 }
  );
}

describe("P2P faults: a peer that misbehaves costs at most a fallback, never the segment", () => {
  it("peer dies mid-transfer → the segment still arrives byte-identical, the rest over HTTP with a Range", async () => {
    const swarmKey = freshSwarmKey("die");
    const dieAfter = 65_536;
    const hostile = await startHostile({
      swarmKey,
      behaviour: "die-mid-transfer",
      faultAfterBytes: dieAfter,
    });
    const { engine, fetches, events } = await engineConnectedTo(swarmKey, hostile);
    server.origin.resetStats();

    const started = performance.now();
    const result = await loadTestSegment(engine, swarmKey);
    const elapsedMs = performance.now() - started;

    const origin = originBytesFor(SEGMENT_FILE);
    const stats = engine.getStats();
    const sentByPeer = hostile.connections[0]?.dataBytesSent ?? 0;
    console.log(
      `die-mid-transfer: ${segment.byteLength} B segment, peer sent ${sentByPeer} B then died; ` +
        `engine p2p=${result.p2pBytes} http=${result.httpBytes} (Range ${fetches[0]?.range}); ` +
        `origin served ${origin.bytes} B in ${origin.requests} request(s); ${elapsedMs.toFixed(0)} ms`,
    );

    expect(sameBytes(result.data, segment)).toBe(true);
    // Playback never stalls because of P2P: the segment is there before the buffer runs out.
    expect(elapsedMs).toBeLessThan(BUFFERED_AHEAD_SEC * 1000);
    expect(hostile.requests).toHaveLength(1);
    expect(sentByPeer).toBe(dieAfter);
    expect(result.p2pBytes).toBe(dieAfter);
    expect(result.httpBytes).toBe(segment.byteLength - dieAfter);
    expect(fetches).toHaveLength(1);
    expect(fetches[0]?.range).toBe(`bytes=${dieAfter}-`);
    // Ground truth at the origin: only the missing tail left the CDN (± nothing: it counts body bytes).
    expect(origin.requests).toBe(1);
    expect(origin.bytes).toBe(segment.byteLength - dieAfter);
    expect(stats.p2pDownloadedBytes).toBe(dieAfter);
    expect(stats.httpDownloadedBytes).toBe(segment.byteLength - dieAfter);
    const disconnected = eventsNamed(events, "peer-disconnected").find(
      (e) => e.arg.peerId === hostile.peerId,
    );
    expect(disconnected?.arg.reason).toMatch(/closed|failed/);
    expect(eventsNamed(events, "segment-error")).toEqual([]);
  });

  it.each<GarbageKind>(["random-bytes", "truncated-frame", "wrong-offset"])(
    "peer sends garbage (%s) → it is disconnected for a protocol error and the segment comes over HTTP",
    async (garbage) => {
      const swarmKey = freshSwarmKey(`garbage-${garbage}`);
      const hostile = await startHostile({ swarmKey, behaviour: "garbage", garbage });
      const { engine, fetches, events } = await engineConnectedTo(swarmKey, hostile);

      const started = performance.now();
      const result = await loadTestSegment(engine, swarmKey);
      const elapsedMs = performance.now() - started;
      const closed = await hostile.closedByRemote();
      const disconnected = eventsNamed(events, "peer-disconnected").find(
        (e) => e.arg.peerId === hostile.peerId,
      );
      console.log(
        `garbage ${garbage}: disconnected with "${disconnected?.arg.reason}"; ` +
          `segment p2p=${result.p2pBytes} http=${result.httpBytes} in ${elapsedMs.toFixed(0)} ms`,
      );

      expect(hostile.requests).toHaveLength(1);
      expect(closed.closedBy).toBe("remote");
      expect(disconnected?.arg.reason).toMatch(/protocol/);
      expect(sameBytes(result.data, segment)).toBe(true);
      expect(elapsedMs).toBeLessThan(BUFFERED_AHEAD_SEC * 1000);
      expect(result.p2pBytes).toBe(0);
      expect(result.source).toBe("http");
      expect(fetches.map((f) => f.range)).toEqual([undefined]);
      expect(eventsNamed(events, "segment-error")).toEqual([]);
    },
  );

  it("peer sends garbage → it is disconnected and the segment comes from an honest second peer", async () => {
    const swarmKey = freshSwarmKey("garbage-honest");
    const liar = await startHostile({ swarmKey, behaviour: "garbage", garbage: "random-bytes" });
    const observed = await engineConnectedTo(swarmKey, liar);
    // Joins second and offers to the viewers already there: the engine holds the liar first. Among
    // equally unmeasured peers the scheduler breaks ties at random; increasing "random" values make
    // the first-connected peer (the liar) win, so the liar is asked first on every run.
    const honest = await startHostile({ swarmKey, behaviour: "honest", offers: 2 });
    await peerConnected(observed, honest);

    let tick = 0;
    const random = vi.spyOn(Math, "random").mockImplementation(() => (tick++ % 1000) / 1000);
    const result = await loadTestSegment(observed.engine, swarmKey).finally(() => random.mockRestore());
    const disconnected = eventsNamed(observed.events, "peer-disconnected").map((e) => e.arg);
    console.log(
      `garbage + honest: disconnected ${JSON.stringify(disconnected.map((d) => d.reason))}; ` +
        `segment p2p=${result.p2pBytes} http=${result.httpBytes}; honest sent ${honest.connections[0]?.dataBytesSent} B`,
    );

    expect(liar.requests).toHaveLength(1);
    expect((await liar.closedByRemote()).closedBy).toBe("remote");
    expect(disconnected).toEqual([
      expect.objectContaining({ peerId: liar.peerId, reason: expect.stringMatching(/protocol/) }),
    ]);
    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.source).toBe("p2p");
    expect(result.p2pBytes).toBe(segment.byteLength);
    expect(observed.fetches).toEqual([]);
    expect(honest.connections[0]?.closedBy).toBeUndefined();
  });

  it("peer stalls → the load falls back to HTTP within p2pStallTimeoutMs, resuming with a Range", async () => {
    const swarmKey = freshSwarmKey("stall");
    const stallTimeoutMs = 500;
    const stallAfter = 65_536;
    const hostile = await startHostile({ swarmKey, behaviour: "stall", faultAfterBytes: stallAfter });
    const { engine, fetches, events } = await engineConnectedTo(swarmKey, hostile, {
      p2pStallTimeoutMs: stallTimeoutMs,
    });

    const started = performance.now();
    const result = await loadTestSegment(engine, swarmKey);
    const elapsedMs = performance.now() - started;
    const downloads = eventsNamed(events, "bytes-downloaded");
    const lastPeerByteMs = Math.max(...downloads.filter((e) => e.arg.source === "p2p").map((e) => e.atMs));
    const fallbackMs = (fetches[0]?.atMs ?? Number.NaN) - lastPeerByteMs;
    console.log(
      `stall: peer sent ${stallAfter} B then nothing; HTTP fallback ${fallbackMs.toFixed(0)} ms after its last ` +
        `byte (p2pStallTimeoutMs ${stallTimeoutMs}); whole load ${elapsedMs.toFixed(0)} ms; ` +
        `p2p=${result.p2pBytes} http=${result.httpBytes} (Range ${fetches[0]?.range})`,
    );

    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBe(stallAfter);
    expect(result.httpBytes).toBe(segment.byteLength - stallAfter);
    expect(fetches.map((f) => f.range)).toEqual([`bytes=${stallAfter}-`]);
    expect(fallbackMs).toBeGreaterThanOrEqual(stallTimeoutMs - 20);
    expect(fallbackMs).toBeLessThan(stallTimeoutMs + 500);
    // hls.js would only give up after 10 s without a first byte.
    expect(elapsedMs).toBeLessThan(HLSJS_FRAGMENT_POLICY.firstByteTimeoutMs / 5);
    // A slow peer is not a broken one: the request is cancelled, the connection kept.
    await waitFor(() => hostile.connections[0]?.received.some((m) => m.type === "cancel"), 2000, "cancel");
    expect(hostile.connections[0]?.closedBy).toBeUndefined();
    expect(engine.getStats().connectedPeers).toBe(1);
  });

  it("peer trickles (a byte every 200 ms) → cut as stalled long before its budget, the rest over HTTP in time", async () => {
    const swarmKey = freshSwarmKey("trickle");
    const stallTimeoutMs = 500;
    const fastBytes = 16_384;
    const hostile = await startHostile({
      swarmKey,
      behaviour: "trickle-after",
      faultAfterBytes: fastBytes,
      trickleIntervalMs: 200,
    });
    const { engine, fetches } = await engineConnectedTo(swarmKey, hostile, {
      p2pStallTimeoutMs: stallTimeoutMs,
    });

    const started = performance.now();
    const result = await loadTestSegment(engine, swarmKey);
    const elapsedMs = performance.now() - started;
    const fallbackAfterMs = (fetches[0]?.atMs ?? Number.NaN) - started;
    console.log(
      `trickle: HTTP fallback ${fallbackAfterMs.toFixed(0)} ms into the load (p2pStallTimeoutMs ${stallTimeoutMs}, ` +
        `budget ~3 s), whole load ${elapsedMs.toFixed(0)} ms; p2p=${result.p2pBytes} http=${result.httpBytes}`,
    );

    expect(sameBytes(result.data, segment)).toBe(true);
    expect(result.p2pBytes).toBeGreaterThanOrEqual(fastBytes);
    expect(fetches.map((f) => f.range)).toEqual([`bytes=${result.p2pBytes}-`]);
    // Its bytes keep the no-progress timeout from firing; at ~5 B/s it could never finish in its
    // ~3-s budget, so it is cut once it has run for the stall timeout, not when the budget ends.
    expect(fallbackAfterMs).toBeLessThan(stallTimeoutMs + 1000);
    // The player, with 6 s buffered, never waits for this segment.
    expect(elapsedMs).toBeLessThan(BUFFERED_AHEAD_SEC * 1000);
    await waitFor(() => hostile.connections[0]?.received.some((m) => m.type === "cancel"), 2000, "cancel");
    expect(engine.getStats().connectedPeers).toBe(1);
  });
});

describe("P2P faults: trackers", () => {
  it("the SDK works against the reference bittorrent-tracker Server: later viewers receive P2P bytes", async () => {
    const tracker = await startReferenceTracker();
    cleanups.push(() => tracker.stop());
    const swarmKey = freshSwarmKey("reference-tracker");
    const viewers = 3;
    const observed: ObservedEngine[] = [];
    const players: SimulatedPlayer[] = [];
    const mismatches: string[] = [];
    for (let i = 0; i < viewers; i++) {
      const o = createObservedEngine({ trackerUrls: [tracker.url] });
      engines.push(o.engine);
      observed.push(o);
      const player = new SimulatedPlayer({
        engine: o.engine,
        playlistUrl: `${server.url}/streams/demo/live/${RENDITION}/index.m3u8`,
        swarmKey,
        onSegment: (msn, data) => {
          if (!sameBytes(data, demoLiveSegmentFromDisk(RENDITION, msn)))
            mismatches.push(`viewer ${i} msn ${msn}`);
        },
      });
      players.push(player);
      player.start();
      await sleep(1500);
    }
    // Every viewer meets a peer through the reference tracker, and a later viewer receives bytes.
    await waitFor(
      () =>
        observed.every((o) => eventsNamed(o.events, "peer-connected").length > 0) &&
        observed.slice(1).some((o) => o.engine.getStats().p2pDownloadedBytes > 0),
      30_000,
      "every viewer connected and a later one fed by a peer",
      { intervalMs: 100 },
    );
    const peersInSwarm = tracker.peersInSwarm(toHex(infoHashOf(swarmKey)));
    const results = await Promise.all(players.map((p) => p.stop()));
    const stats = observed.map((o) => o.engine.getStats());
    console.log(
      `reference tracker: ${peersInSwarm} peers in its swarm; ` +
        stats
          .map(
            (s, i) =>
              `#${i} http=${s.httpDownloadedBytes} p2p=${s.p2pDownloadedBytes} up=${s.p2pUploadedBytes} ` +
              `peers=${s.connectedPeers} segs=${JSON.stringify(results[i]?.segments)}`,
          )
          .join(" | "),
    );

    expect(mismatches).toEqual([]);
    for (const r of results) expect(r.errors).toEqual([]);
    for (const r of results) expect(r.stalls).toBe(0);
    expect(peersInSwarm).toBe(viewers);
    for (const o of observed) expect(eventsNamed(o.events, "peer-connected").length).toBeGreaterThan(0);
    const laterP2p = stats.slice(1).reduce((sum, s) => sum + s.p2pDownloadedBytes, 0);
    expect(laterP2p).toBeGreaterThan(0);
    expect(stats.reduce((sum, s) => sum + s.p2pUploadedBytes, 0)).toBe(
      stats.reduce((sum, s) => sum + s.p2pDownloadedBytes, 0),
    );
  });

  it("tracker down → playback continues over HTTP, and the client reconnects with backoff once it is back", async () => {
    const port = await freeLoopbackPort();
    const swarmKey = freshSwarmKey("tracker-down");
    const { engine, events } = createObservedEngine({ trackerUrls: [`ws://127.0.0.1:${port}/tracker`] });
    engines.push(engine);
    const player = new SimulatedPlayer({
      engine,
      playlistUrl: `${server.url}/streams/demo/live/${RENDITION}/index.m3u8`,
      swarmKey,
    });
    player.start();
    // Three segments over HTTP and two failed connects (to see the backoff) while the tracker is down.
    await waitFor(
      () =>
        eventsNamed(events, "segment-loaded").length >= 3 &&
        eventsNamed(events, "tracker-state").filter((e) => e.arg.state === "disconnected").length >= 2,
      15_000,
      "3 segments and 2 failed connects while the tracker is down",
      { intervalMs: 50 },
    );
    const loadedWhileDown = eventsNamed(events, "segment-loaded").length;

    const tracker = await startNearcastTracker(port);
    cleanups.push(() => tracker.stop());
    const backMs = performance.now();
    const connected = await waitFor(
      () => eventsNamed(events, "tracker-state").find((e) => e.arg.state === "connected"),
      15_000,
      "tracker-state connected",
    );
    // It announces its swarm again on reconnect.
    await waitFor(
      () => tracker.peersInSwarm(toHex(infoHashOf(swarmKey))) === 1,
      5000,
      "engine back in the swarm",
    );
    const results = await player.stop();

    const failures = eventsNamed(events, "tracker-state")
      .filter((e) => e.arg.state === "disconnected" && e.atMs < connected.atMs)
      .map((e) => e.atMs);
    const gaps = failures.slice(1).map((t, i) => t - (failures[i] ?? t));
    // The reconnect pending when the tracker came back was scheduled after failure #n with
    // RECONNECT_MIN_MS·2^(n−1) ± RECONNECT_JITTER.
    const worstCaseMs = RECONNECT_MIN_MS * 2 ** (failures.length - 1) * (1 + RECONNECT_JITTER);
    const reconnectMs = connected.atMs - backMs;
    console.log(
      `tracker down: ${loadedWhileDown} segments over HTTP while down, ${failures.length} failed connects ` +
        `${gaps.length > 0 ? `${gaps.map((g) => g.toFixed(0)).join("/")} ms apart` : ""}; reconnected ` +
        `${reconnectMs.toFixed(0)} ms after the tracker came back (worst case ${worstCaseMs} ms); ` +
        `player ${JSON.stringify(results.segments)}, stalls ${results.stalls}`,
    );

    expect(loadedWhileDown).toBeGreaterThanOrEqual(3);
    expect(results.errors).toEqual([]);
    expect(results.stalls).toBe(0);
    expect(results.segments.p2p).toBe(0);
    expect(eventsNamed(events, "segment-error")).toEqual([]);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    // Exponential backoff with ±50 % jitter (plus the few ms a refused connect takes).
    gaps.forEach((gap, i) => {
      const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(base * (1 - RECONNECT_JITTER) - 20);
      expect(gap).toBeLessThanOrEqual(base * (1 + RECONNECT_JITTER) + 400);
    });
    expect(reconnectMs).toBeLessThan(worstCaseMs + 500);
  });
});

describe("P2P faults: destroy()", () => {
  it("destroy() → the peer and the tracker see it leave, and nothing fires afterwards", async () => {
    const swarmKey = freshSwarmKey("destroy");
    const hostile = await startHostile({ swarmKey, behaviour: "honest" });
    const { engine } = await engineConnectedTo(swarmKey, hostile);
    const result = await loadTestSegment(engine, swarmKey);
    expect(result.source).toBe("p2p");
    const infoHashHex = toHex(infoHashOf(swarmKey));
    expect(trackerPeers(infoHashHex)).toBe(2);

    const duringDestroy: string[] = [];
    const afterDestroy: string[] = [];
    let destroying = false;
    let returned = false;
    for (const name of EVENT_NAMES) {
      engine.on(name, () => {
        if (returned) afterDestroy.push(`listener:${name}`);
        else if (destroying) duringDestroy.push(name);
      });
    }
    // `emit` is protected: wrap it to see whether anything inside still tries to emit.
    const internals = engine as unknown as { emit: (event: string, arg: unknown) => void };
    const emit = internals.emit.bind(engine);
    internals.emit = (event, arg) => {
      if (returned) afterDestroy.push(`emit:${event}`);
      emit(event, arg);
    };
    const link = hostile.connections[0];
    destroying = true;
    engine.destroy();
    returned = true;
    engine.destroy();
    const destroyedMs = performance.now();

    await hostile.closedByRemote(3000);
    const peerSawCloseMs = performance.now() - destroyedMs;
    await waitFor(() => trackerPeers(infoHashHex) === 1, 3000, "the tracker to drop the engine");
    const trackerSawLeaveMs = performance.now() - destroyedMs;
    const framesAtClose = link?.received.length;
    await sleep(2000);
    console.log(
      `destroy: peer saw its channel closed after ${peerSawCloseMs.toFixed(0)} ms, tracker dropped the ` +
        `engine after ${trackerSawLeaveMs.toFixed(0)} ms; events during destroy(): ` +
        `${JSON.stringify(duringDestroy)}, after: ${JSON.stringify(afterDestroy)}`,
    );

    expect(afterDestroy).toEqual([]);
    expect(link?.received.length).toBe(framesAtClose);
    expect(engine.isDestroyed).toBe(true);
    await expect(
      engine.loadSegment(demoVodRequest(server.url, swarmKey, RENDITION, SEGMENT_INDEX), {
        http: HLSJS_FRAGMENT_POLICY,
      }),
    ).rejects.toThrow(/destroyed/);
  });
});

/**
 * Setup failures inside the regression tests, recorded so the guard test after them names the step
 * that broke (these tests were written as `it.fails` while the bugs were open).
 */
const brokenSetups: string[] = [];

async function setUp<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    brokenSetups.push(`${what}: ${(error as Error).message}`);
    throw error;
  }
}

describe("P2P faults: regressions of SDK bugs found by these tests (fixed)", () => {
  it("regression: after the only peer fails, HTTP starts at once, not after waiting for a 'first peer'", async () => {
    const fallbackMs = await setUp("first-peer-wait", async () => {
      // The needless wait happens while the swarm is young (the scheduler's first-peer window is
      // 5 s from joining): if connecting took long, as on a loaded machine, try a new swarm.
      for (let attempt = 1; ; attempt++) {
        const swarmKey = freshSwarmKey("bug-first-peer-wait");
        const hostile = await startHostile({ swarmKey, behaviour: "garbage", garbage: "random-bytes" });
        const joinedMs = performance.now();
        const { engine, fetches, events } = await engineConnectedTo(swarmKey, hostile);
        if (performance.now() - joinedMs > 2500 && attempt < 3) {
          engine.destroy();
          continue;
        }
        await loadTestSegment(engine, swarmKey);
        const dropped = eventsNamed(events, "peer-disconnected")[0];
        const fetched = fetches[0];
        if (!dropped || !fetched) throw new Error("expected the peer dropped and one HTTP request");
        return fetched.atMs - dropped.atMs;
      }
    });
    console.log(
      `bug first-peer-wait: HTTP started ${fallbackMs.toFixed(0)} ms after the only peer was dropped`,
    );
    expect(fallbackMs).toBeLessThan(500);
  });

  it("regression: destroy() aborts a load that is receiving from a peer; no HTTP request follows", async () => {
    const { outcome, fetches } = await setUp("destroy-in-flight", async () => {
      const swarmKey = freshSwarmKey("bug-destroy-in-flight");
      const hostile = await startHostile({ swarmKey, behaviour: "stall" });
      const observed = await engineConnectedTo(swarmKey, hostile, { p2pStallTimeoutMs: 10_000 });
      const settled = loadTestSegment(observed.engine, swarmKey).then(
        (r) => `resolved (${r.p2pBytes} B p2p, ${r.httpBytes} B http)`,
        (e: unknown) => `rejected: ${(e as Error).message}`,
      );
      await waitFor(() => (hostile.connections[0]?.dataBytesSent ?? 0) > 0, 5000, "first bytes");
      observed.engine.destroy();
      const outcome = await Promise.race([settled, sleep(1000).then(() => "pending")]);
      // Let a load that survived destroy() run its course, to see what it does.
      const eventually = await Promise.race([
        settled,
        sleep(BUFFERED_AHEAD_SEC * 1000).then(() => "pending"),
      ]);
      console.log(
        `bug destroy-in-flight: 1 s after destroy() the load was ${outcome}; later ${eventually}; ` +
          `HTTP requests after destroy(): ${JSON.stringify(observed.fetches.map((f) => f.range ?? "whole"))}`,
      );
      return { outcome, fetches: observed.fetches };
    });
    expect(outcome).toMatch(/^rejected/);
    expect(fetches).toEqual([]);
  });

  it("regression: destroy() → no timer, socket or peer connection keeps a Node process alive", async () => {
    const { code, lines } = await setUp("destroy-exit", async () => {
      const swarmKey = freshSwarmKey("destroy-exit");
      const hostile = await startHostile({ swarmKey, behaviour: "honest" });
      const child = spawn(process.execPath, ["--import", "tsx", PROBE_PATH], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          PROBE_TRACKER_URL: trackerUrl,
          PROBE_SWARM_KEY: swarmKey,
          PROBE_SEGMENT_URL: demoVodRequest(server.url, swarmKey, RENDITION, SEGMENT_INDEX).url,
          PROBE_SEGMENT_ID: String(SEGMENT_INDEX),
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(() => void child.kill("SIGKILL"));
      const lines: { phase: string; atMs: number; [key: string]: unknown }[] = [];
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      createInterface({ input: child.stdout }).on("line", (line) =>
        lines.push({ ...(JSON.parse(line) as { phase: string }), atMs: performance.now() }),
      );
      const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
      const destroyed = await waitFor(
        () =>
          lines.find((l) => l.phase === "destroyed" || l.phase === "error") ??
          (stderr.includes("Error") && stderr),
        25_000,
        "the probe to load a segment and destroy its engine",
        { describeLast: () => `probe output so far: ${JSON.stringify(lines)} ${stderr.slice(-500)}` },
      );
      if (typeof destroyed === "string") throw new Error(`probe failed: ${destroyed.slice(0, 500)}`);
      if (destroyed.phase === "error") throw new Error(`probe failed: ${JSON.stringify(destroyed)}`);
      const loaded = lines.find((l) => l.phase === "loaded");
      if (loaded?.source !== "p2p") throw new Error(`probe loaded from ${String(loaded?.source)}, not p2p`);
      await hostile.closedByRemote(3000);
      const code = await Promise.race([exited, sleep(3000).then(() => "still running 3 s after destroy()")]);
      console.log(
        `destroy-exit: probe loaded ${String(loaded.bytes)} B over P2P, destroyed its engine; exit: ` +
          `${String(code)}; ${JSON.stringify(lines.filter((l) => l.phase === "exit" || l.phase === "alive"))}`,
      );
      return { code, lines };
    });
    expect(code).toBe(0);
    expect(lines.find((l) => l.phase === "exit")?.emitsAfterDestroy).toEqual([]);
  });

  it("regression: a peer dropped for a protocol error is not connected again at once", async () => {
    const connects = await setUp("protocol-error-reconnect", async () => {
      const swarmKey = freshSwarmKey("bug-reconnect-liar");
      const liar = await startHostile({ swarmKey, behaviour: "garbage", acceptReconnects: true });
      const { engine, events } = await engineConnectedTo(swarmKey, liar);
      await loadTestSegment(engine, swarmKey);
      await liar.closedByRemote();
      // The engine announces for a replacement at once; give a reconnect ample time to happen.
      await sleep(3000);
      const connects = eventsNamed(events, "peer-connected").filter((e) => e.arg.peerId === liar.peerId);
      console.log(
        `bug protocol-error-reconnect: the engine connected to the peer it dropped for a protocol ` +
          `error ${connects.length} time(s); open now: ${liar.connections.some((c) => c.open)}`,
      );
      return connects.length;
    });
    expect(connects).toBe(1);
  });

  it("the known-bug tests above failed at their final assertion, not in their setup", () => {
    expect(brokenSetups).toEqual([]);
  });
});
