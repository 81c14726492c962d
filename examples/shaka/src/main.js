// Shaka Player plays the stream (HLS here; a DASH manifest works the same); Nearcast's Shaka adapter
// answers its video and audio segment requests from other viewers when it can.
import shaka from "shaka-player";
import { NearcastShaka } from "nearcast/shaka";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
const video = document.querySelector("#video");

shaka.polyfill.installAll();
// Nearcast gets the `shaka` namespace the page plays with: Shaka is never bundled twice.
const nearcast = new NearcastShaka(shaka, {
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
const player = new shaka.Player();
await player.attach(video);
// Attach before load(): from then on the player's segment requests go through Nearcast.
nearcast.attach(player);
await player.load(`${server}/streams/demo/live/master.m3u8`);
window.addEventListener("pagehide", () => {
  nearcast.destroy();
  void player.destroy();
});

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
