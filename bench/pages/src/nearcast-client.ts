// The Nearcast client of the bench pages: hls.js with Nearcast's fragment loader, bundled from the
// SDK sources, configured by the page config's `nearcast` object (so the `nearcast` and
// `nearcast-unverified` bundles differ only in the config the runner gives them).
import Hls from "hls.js";
import { Nearcast, type NearcastConfig } from "../../../sdk/src/index.js";
import type { ClientName } from "./protocol.js";
import { startBenchPage } from "./shell.js";

/** Starts the bench page as `client`, with a Nearcast built from `cfg.nearcast`. */
export function startNearcastPage(client: ClientName): void {
  startBenchPage(client, Hls, (config, mark) => {
    const nearcast = new Nearcast({ ...(config.nearcast as Partial<NearcastConfig> | undefined) });
    nearcast.on("peer-connected", () => mark("firstPeer"));
    nearcast.on("tracker-state", ({ state }) => {
      if (state === "connected") mark("trackerConnected");
    });
    nearcast.on("bytes-downloaded", ({ source }) => {
      if (source === "p2p") mark("firstP2pBytes");
    });
    const hls = new Hls({ ...config.hlsConfig, ...nearcast.hlsConfig() });
    nearcast.attach(hls);
    (window as unknown as { nearcast: Nearcast }).nearcast = nearcast;
    return {
      hls,
      stats: () => {
        const s = nearcast.getStats();
        return {
          httpBytes: s.httpDownloadedBytes,
          p2pBytes: s.p2pDownloadedBytes,
          uploadBytes: s.p2pUploadedBytes,
          peers: s.connectedPeers,
          trust: {
            verifiedBy: { ...s.trust.verifiedBy },
            unverifiedRefetched: s.trust.unverifiedRefetched,
            unverifiedDelivered: s.trust.unverifiedDelivered,
            spotCheckRequests: s.trust.spotCheckRequests,
            spotCheckBytes: s.trust.spotCheckBytes,
            discardedP2pBytes: s.discardedP2pBytes,
          },
        };
      },
    };
  });
}
