// node-datachannel's standard RTCPeerConnection, adapted for TURN REST credentials, and able to
// say which ICE candidate types a connection ended up using.
import { RTCPeerConnection as PolyfillRTCPeerConnection } from "node-datachannel/polyfill";

/**
 * The polyfill hands libdatachannel each TURN server as one URL, `turn:<user>:<credential>@host`,
 * and libdatachannel splits it at ':' and percent-decodes the parts. A coturn REST username
 * (`expiry:userid`) has a ':' and a base64 credential may have '/', '+', '=': percent-encoded here,
 * they arrive intact. (Browsers take the fields as they are; this is a Node platform detail.)
 */
function encodeTurnCredentials(config: RTCConfiguration | undefined): RTCConfiguration | undefined {
  if (!config?.iceServers) return config;
  return {
    ...config,
    iceServers: config.iceServers.map((server) =>
      server.username !== undefined && typeof server.credential === "string"
        ? {
            ...server,
            username: encodeURIComponent(server.username),
            credential: encodeURIComponent(server.credential),
          }
        : server,
    ),
  };
}

export interface TrackedRtc {
  /** Pass as `Platform.RTCPeerConnection`. */
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  /**
   * Candidate types (`host`, `srflx`, `prflx`, `relay`: RFC 8445 §5.1.1) of the selected pair of
   * each connected connection not reported before, as "local/remote".
   */
  newlyConnectedPaths(): Promise<string[]>;
}

/** A fresh RTCPeerConnection class whose instances are tracked (one per engine). */
export function trackedNodeRtc(): TrackedRtc {
  const connections = new Set<RTCPeerConnection>();
  const reported = new WeakSet<RTCPeerConnection>();
  class TrackedRTCPeerConnection extends PolyfillRTCPeerConnection {
    constructor(config?: RTCConfiguration) {
      super(encodeTurnCredentials(config));
      const self = this as unknown as RTCPeerConnection;
      connections.add(self);
      self.addEventListener("connectionstatechange", () => {
        if (self.connectionState === "closed" || self.connectionState === "failed") connections.delete(self);
      });
    }
  }
  return {
    RTCPeerConnection: TrackedRTCPeerConnection as unknown as typeof globalThis.RTCPeerConnection,
    async newlyConnectedPaths() {
      const paths: string[] = [];
      for (const connection of connections) {
        if (connection.connectionState !== "connected" || reported.has(connection)) continue;
        const stats = [...(await connection.getStats()).values()] as {
          type: string;
          candidateType?: string;
        }[];
        const local = stats.find((s) => s.type === "local-candidate")?.candidateType;
        const remote = stats.find((s) => s.type === "remote-candidate")?.candidateType;
        if (!local || !remote) continue;
        reported.add(connection);
        paths.push(`${local}/${remote}`);
      }
      return paths;
    },
  };
}
