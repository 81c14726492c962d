import type { NetworkInformationLike } from "../core/metered-connection.js";

/** Things that differ between a browser and Node; browsers need none of them. */
export interface Platform {
  /** A standard RTCPeerConnection (Node: node-datachannel/polyfill). @default globalThis.RTCPeerConnection */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Decides whether the connection is metered (then upload is off unless `uploadOnMeteredConnection`).
   * Pass `undefined` explicitly to treat the connection as unmetered. @default globalThis.navigator.connection
   */
  connection?: NetworkInformationLike;
}
