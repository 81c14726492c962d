import { readFileSync } from "node:fs";
import { expect } from "vitest";
import path from "node:path";
import { RTCPeerConnection } from "node-datachannel/polyfill";
import WebSocket from "ws";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import type { NearcastConfig } from "../../sdk/src/core/config.js";
import type { HostilePeer } from "./hostile-peer.js";
import { LOOPBACK_RTC } from "./node-engines.js";
import { waitFor } from "./wait-for.js";
import { Engine } from "../../sdk/src/engine/engine.js";
import type { NearcastEvents } from "../../sdk/src/core/events.js";
import type { HttpPolicy, SegmentRequest, SegmentResult } from "../../sdk/src/core/types.js";
import {
  CONNECT_TIMEOUT_MS,
  ICE_GATHERING_TIMEOUT_MS,
  RETRY_AFTER_FAILURE_MS,
} from "../../sdk/src/p2p/constants.js";

/** Timeouts of hls.js's default fragment load policy, with retries left to the caller as hls.js does. */
export const HLSJS_FRAGMENT_POLICY: HttpPolicy = {
  firstByteTimeoutMs: 10_000,
  totalTimeoutMs: 120_000,
  retry: null,
};

/** A fetch the engine made: URL and the Range header it sent, if any. */
export interface FetchRecord {
  url: string;
  range: string | undefined;
  atMs: number;
}

export interface RecordedEvent {
  name: keyof NearcastEvents;
  arg: NearcastEvents[keyof NearcastEvents];
  atMs: number;
}

export const EVENT_NAMES: readonly (keyof NearcastEvents)[] = [
  "segment-loaded",
  "segment-error",
  "peer-connected",
  "peer-disconnected",
  "bytes-uploaded",
  "bytes-downloaded",
  "tracker-state",
  "warning",
  "integrity-failure",
  "peer-rejected",
  "http-body-rejected",
];

/** An engine for Node (node-datachannel, ws) whose HTTP requests are recorded, and every event it emits. */
export interface ObservedEngine {
  engine: Engine;
  /** Requests for segment bytes (the whole segment, or a Range resume from an offset to the end). */
  fetches: FetchRecord[];
  /**
   * The trust ladder's CDN spot checks: Range requests with an end (`bytes=a-b`). The segments these
   * tests load have no playlist byte range, so a segment request never has one.
   */
  spotChecks: FetchRecord[];
  /** The trust ladder's asks to the digest service (`POST …/api/digests`). */
  digestAsks: FetchRecord[];
  events: RecordedEvent[];
}

/**
 * A real engine (node-datachannel WebRTC, ws) whose fetches and events are recorded. `peerConnection`
 * replaces the RTCPeerConnection class (to count or wrap connections).
 */
export function createObservedEngine(
  config: Partial<NearcastConfig>,
  peerConnection: typeof RTCPeerConnection = RTCPeerConnection,
): ObservedEngine {
  const fetches: FetchRecord[] = [];
  const spotChecks: FetchRecord[] = [];
  const digestAsks: FetchRecord[] = [];
  const events: RecordedEvent[] = [];
  const engine = new Engine(
    { rtcConfiguration: LOOPBACK_RTC, ...config },
    {
      RTCPeerConnection: peerConnection as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      fetch: (input, init) => {
        const range = new Headers(init?.headers).get("range") ?? undefined;
        const record = { url: String(input), range, atMs: performance.now() };
        if (record.url.endsWith("/api/digests")) digestAsks.push(record);
        else if (range !== undefined && /^bytes=\d+-\d+$/.test(range)) spotChecks.push(record);
        else fetches.push(record);
        return fetch(input, init);
      },
    },
  );
  for (const name of EVENT_NAMES) {
    engine.on(name, (arg) => events.push({ name, arg, atMs: performance.now() }));
  }
  return { engine, fetches, spotChecks, digestAsks, events };
}

/**
 * Resolves once the engine reports a connection to `peer` (a scripted peer, then also once that peer
 * has exchanged availability with it, or another engine's peer id). Fails after 25 s; with a scripted
 * peer the error carries what both sides saw.
 */
/**
 * How long a test waits for an engine to connect to a peer: the engine's own recovery bound when an
 * attempt never opens (node-datachannel leaves about 1 in 30 attempts hanging on a loaded 2-core
 * machine, issue 20) — CONNECT_TIMEOUT_MS (15 s), then a retry with fresh offers within 1.5 ×
 * RETRY_AFTER_FAILURE_MS (3 s), ICE gathering (≤ 3 s) and the second attempt — with room to spare.
 * A test that needs longer has found a product bug, not a slow machine.
 */
const PEER_CONNECTED_DEADLINE_MS =
  CONNECT_TIMEOUT_MS + 1.5 * RETRY_AFTER_FAILURE_MS + ICE_GATHERING_TIMEOUT_MS + 15_000;

export async function peerConnected(observed: ObservedEngine, peer: HostilePeer | string): Promise<void> {
  const peerId = typeof peer === "string" ? peer : peer.peerId;
  await waitFor(
    () => eventsNamed(observed.events, "peer-connected").find((e) => e.arg.peerId === peerId),
    PEER_CONNECTED_DEADLINE_MS,
    `engine connected to ${peerId}`,
  ).catch((error: unknown) => {
    if (typeof peer === "string") throw error;
    const engineSaw = observed.events.filter((e) => e.name !== "bytes-downloaded").map((e) => e.arg);
    throw new Error(
      `${(error as Error).message}; engine events ${JSON.stringify(engineSaw)}; peer: ` +
        `${JSON.stringify({ connections: peer.connections, tracker: peer.trackerReplies, errors: peer.errors })}`,
    );
  });
  if (typeof peer !== "string") await peer.synced();
}

export function eventsNamed<K extends keyof NearcastEvents>(
  events: readonly RecordedEvent[],
  name: K,
): { arg: NearcastEvents[K]; atMs: number }[] {
  return events
    .filter((e) => e.name === name)
    .map((e) => ({ arg: e.arg as NearcastEvents[K], atMs: e.atMs }));
}

/** A VOD segment of the demo stream as the origin serves it, read from disk (not counted). */
export function demoVodSegmentFromDisk(rendition: string, index: number): Uint8Array {
  const file = `seg-${String(index).padStart(5, "0")}.ts`;
  return new Uint8Array(readFileSync(path.join(REPO_ROOT, "demo-server", "media", "demo", rendition, file)));
}

/** The request the hls.js adapter would make for VOD segment `index` of the demo stream. */
export function demoVodRequest(
  serverUrl: string,
  swarmKey: string,
  rendition: string,
  index: number,
): SegmentRequest {
  return {
    id: String(index),
    swarmKey,
    url: `${serverUrl}/streams/demo/vod/${rendition}/seg-${String(index).padStart(5, "0")}.ts`,
    startTimeSec: index * 2,
    durationSec: 2,
    live: false,
  };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b)) === 0;
}

/**
 * Load `request` as a playing player would: `bufferedAheadSec` of media buffered when the load
 * starts, draining at 1× while it runs (so every wait for a peer costs buffer). The load must end
 * within `bufferedAheadSec` for playback not to stall: `elapsedMs` says how long it took.
 */
export async function loadAsPlayer(
  engine: Engine,
  request: SegmentRequest,
  bufferedAheadSec: number,
): Promise<{ result: SegmentResult; elapsedMs: number }> {
  const startedMs = performance.now();
  engine.setPlaybackSource(() => {
    const playedSec = (performance.now() - startedMs) / 1000;
    return {
      positionSec: request.startTimeSec - bufferedAheadSec + playedSec,
      bufferedAheadSec: Math.max(0, bufferedAheadSec - playedSec),
      playbackRate: 1,
    };
  });
  const result = await engine.loadSegment(request, { http: HLSJS_FRAGMENT_POLICY });
  return { result, elapsedMs: performance.now() - startedMs };
}

/**
 * After a test: destroy its engines and stop its scripted peers (emptying both lists), then check no
 * scripted peer's own signaling failed (a test whose fake viewer broke would prove nothing).
 */
export async function releaseAll(engines: Engine[], peers: HostilePeer[]): Promise<void> {
  for (const engine of engines.splice(0)) engine.destroy();
  const stopped = peers.splice(0);
  await Promise.all(stopped.map((p) => p.stop()));
  expect(stopped.flatMap((p) => p.errors)).toEqual([]);
}
