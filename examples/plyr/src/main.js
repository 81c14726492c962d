// Plyr draws the controls; hls.js (with Nearcast's loader) feeds the <video> underneath.
import Hls from "hls.js";
import { Nearcast } from "nearcast";
import Plyr from "plyr";
import "plyr/dist/plyr.css";
import { plyrSprite } from "./plyr-sprite.js";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
const video = document.querySelector("#video");

// Plyr wraps the <video> first; hls.js then attaches its MediaSource to it.
// Icons come from the bundle, not from Plyr's CDN (its default `iconUrl`).
document.body.prepend(plyrSprite());
// Plyr's quality menu is left out: hls.js's ABR picks the rendition (see Plyr's docs to wire levels).
const player = new Plyr(video, { muted: true, autoplay: true, loadSprite: false, iconUrl: "" });

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
const src = `${server}/streams/demo/live/master.m3u8`;
// hls.js whenever it can run (MediaSource, or ManagedMediaSource on iOS 17.1+); the browser's own HLS
// player only where it cannot, and then without P2P. Never ask canPlayType first: Chrome 147+ and
// Safari answer "maybe", and the page would skip hls.js — and every byte from peers — silently.
const hls = Hls.isSupported() ? new Hls({ ...nearcast.hlsConfig() }) : null;
if (hls) {
  nearcast.attach(hls);
  hls.loadSource(src);
  hls.attachMedia(video);
} else {
  video.src = src;
}
window.addEventListener("pagehide", () => {
  player.destroy();
  hls?.destroy();
  nearcast.destroy();
});

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
