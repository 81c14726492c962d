// HTTP-only client: plain hls.js with the scenario's config and nothing else.
import Hls from "hls.js";
import { startBenchPage } from "./shell.js";

startBenchPage("http", Hls, (config) => {
  const hls = new Hls({ ...config.hlsConfig });
  let httpBytes = 0;
  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => (httpBytes += data.payload.byteLength));
  return { hls, stats: () => ({ httpBytes, p2pBytes: 0, uploadBytes: 0, peers: 0 }) };
});
