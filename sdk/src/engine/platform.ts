/** Things that differ between a browser and Node; browsers need none of them. */
export interface Platform {
  /** A standard RTCPeerConnection (Node: node-datachannel/polyfill). @default globalThis.RTCPeerConnection */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}
