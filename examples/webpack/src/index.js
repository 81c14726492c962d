// hls.js plays the stream; Nearcast's loader fetches its segments from other viewers when it can.
import Hls from "hls.js";
import { Nearcast } from "nearcast";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";

const src = `${server}/streams/demo/live/master.m3u8`;
const video = document.querySelector("#video");

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
// hls.js whenever it can run (MediaSource, or ManagedMediaSource on iOS 17.1+); the browser's own HLS
// player only where it cannot, and then without P2P. Never ask canPlayType first: Chrome 147+ and
// Safari answer "maybe", and the page would skip hls.js — and every byte from peers — silently.
if (Hls.isSupported()) {
  const hls = new Hls({ ...nearcast.hlsConfig() });
  nearcast.attach(hls);
  hls.loadSource(src);
  hls.attachMedia(video);
} else {
  video.src = src;
}

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
