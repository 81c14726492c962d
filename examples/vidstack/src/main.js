// Vidstack's <media-player> with its HLS provider: we hand it the bundled hls.js (instead of its
// default CDN download) and Nearcast's loader, then follow the hls.js instance it creates. Vidstack
// tries its hls.js provider first whenever MediaSource or ManagedMediaSource exists; leave its
// `preferNativeHLS` off, or Chrome 147+ (canPlayType "maybe") would play natively, without P2P.
import Hls from "hls.js";
import { Nearcast } from "nearcast";
import { isHLSProvider } from "vidstack";
import "vidstack/player";
import "vidstack/player/layouts/default";
import "vidstack/player/ui";
import "vidstack/player/styles/default/theme.css";
import "vidstack/player/styles/default/layouts/video.css";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
const player = document.querySelector("#player");

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
player.addEventListener("provider-change", (event) => {
  const provider = event.detail;
  if (isHLSProvider(provider)) {
    provider.library = Hls;
    provider.config = { ...nearcast.hlsConfig() };
  }
});
// Fired with each new hls.js instance, before it loads the source.
player.addEventListener("hls-instance", (event) => nearcast.attach(event.detail));
player.src = { src: `${server}/streams/demo/live/master.m3u8`, type: "application/x-mpegurl" };
window.addEventListener("pagehide", () => nearcast.destroy());

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
