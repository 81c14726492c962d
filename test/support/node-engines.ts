import { readFileSync } from "node:fs";
import path from "node:path";
import { RTCPeerConnection } from "node-datachannel/polyfill";
import WebSocket from "ws";
import { Engine } from "../../sdk/src/engine/engine.js";
import type { NearcastConfig } from "../../sdk/src/core/config.js";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import { SimulatedPlayer } from "./simulated-player.js";
import { sleep } from "./wait-for.js";

/**
 * ICE for loopback tests: host candidates only. The SDK's default public STUN servers would make every
 * test look up hosts on the internet, which these tests must never touch.
 */
export const LOOPBACK_RTC: RTCConfiguration = { iceServers: [] };

/** An SDK engine for Node: node-datachannel's standard RTCPeerConnection and the ws WebSocket. */
export function createNodeEngine(config: Partial<NearcastConfig>): Engine {
  return new Engine(
    { rtcConfiguration: LOOPBACK_RTC, ...config },
    {
      RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    },
  );
}

/** The bytes the origin serves for a live segment of the demo stream, read from disk (not counted). */
export function demoLiveSegmentFromDisk(rendition: string, msn: number, segmentCount = 30): Uint8Array {
  const file = `seg-${String(msn % segmentCount).padStart(5, "0")}.ts`;
  return readFileSync(path.join(REPO_ROOT, "demo-server", "media", "demo", rendition, file));
}

export interface LiveViewersOptions {
  /** Base URL of the demo server (its tracker is at /tracker). */
  serverUrl: string;
  count: number;
  rendition: string;
  swarmKey: string;
  /** Extra engine config (statsUrl, …); the tracker URL is filled in. */
  engineConfig?: Partial<NearcastConfig>;
  /** Viewers join this far apart. */
  staggerMs?: number;
  onSegment?: (viewer: number, msn: number, data: Uint8Array) => void;
}

/**
 * Start `count` engines, each with a simulated player on the demo live stream, joining one after
 * another. The caller destroys the engines (also on failure: push them to its cleanup list).
 */
export async function startLiveViewers(
  options: LiveViewersOptions,
  onEngine: (engine: Engine) => void,
): Promise<SimulatedPlayer[]> {
  const trackerUrl = `${options.serverUrl.replace(/^http/, "ws")}/tracker`;
  const players: SimulatedPlayer[] = [];
  for (let i = 0; i < options.count; i++) {
    const engine = createNodeEngine({ ...options.engineConfig, trackerUrls: [trackerUrl] });
    onEngine(engine);
    const player = new SimulatedPlayer({
      engine,
      playlistUrl: `${options.serverUrl}/streams/demo/live/${options.rendition}/index.m3u8`,
      swarmKey: options.swarmKey,
      onSegment: options.onSegment ? (msn, data) => options.onSegment!(i, msn, data) : undefined,
    });
    players.push(player);
    player.start();
    await sleep(options.staggerMs ?? 1500);
  }
  return players;
}
