// Nearcast client: hls.js with Nearcast's fragment loader, bundled from the SDK sources.
import Hls from "hls.js";
import { Nearcast, type NearcastConfig } from "../../../sdk/src/index.js";
import { startBenchPage } from "./shell.js";

startBenchPage("nearcast", Hls, (config, mark) => {
  const nearcast = new Nearcast({ ...(config.nearcast as Partial<NearcastConfig> | undefined) });
  nearcast.on("peer-connected", () => mark("firstPeer"));
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
      };
    },
  };
});
