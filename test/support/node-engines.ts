import { readFileSync } from "node:fs";
import path from "node:path";
import { RTCPeerConnection } from "node-datachannel/polyfill";
import WebSocket from "ws";
import { Engine } from "../../sdk/src/core/engine.js";
import type { NearcastConfig } from "../../sdk/src/core/config.js";
import { REPO_ROOT } from "../../demo-server/src/config.js";

/** An SDK engine for Node: node-datachannel's standard RTCPeerConnection and the ws WebSocket. */
export function createNodeEngine(config: Partial<NearcastConfig>): Engine {
  return new Engine(config, {
    RTCPeerConnection: RTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  });
}

/** The bytes the origin serves for a live segment of the demo stream, read from disk (not counted). */
export function demoLiveSegmentFromDisk(rendition: string, msn: number, segmentCount = 30): Uint8Array {
  const file = `seg-${String(msn % segmentCount).padStart(5, "0")}.ts`;
  return readFileSync(path.join(REPO_ROOT, "demo-server", "media", "demo", rendition, file));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
