// p2p-media-loader client: hls.js extended by p2p-media-loader-hlsjs's mixin, with its defaults
// except what the bench machine needs (our tracker, no unreachable STUN servers) — see cfg.p2pml.
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { CoreConfig } from "p2p-media-loader-core";
import { startBenchPage } from "./shell.js";

startBenchPage("p2pml", Hls, (config) => {
  const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls);
  const hls = new HlsWithP2P({
    ...config.hlsConfig,
    p2p: { core: { ...(config.p2pml as Partial<CoreConfig> | undefined) } },
  });
  let httpBytes = 0;
  let p2pBytes = 0;
  let uploadBytes = 0;
  const peers = new Set<string>();
  const engine = hls.p2pEngine;
  engine.addEventListener("onChunkDownloaded", (bytes, source) => {
    if (source === "p2p") p2pBytes += bytes;
    else httpBytes += bytes;
  });
  engine.addEventListener("onChunkUploaded", (bytes) => (uploadBytes += bytes));
  engine.addEventListener("onPeerConnect", ({ peerId }) => peers.add(peerId));
  engine.addEventListener("onPeerClose", ({ peerId }) => peers.delete(peerId));
  (window as unknown as { p2pEngine: HlsJsP2PEngine }).p2pEngine = engine;
  return { hls, stats: () => ({ httpBytes, p2pBytes, uploadBytes, peers: peers.size }) };
});
