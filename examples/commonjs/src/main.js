// The same integration written with CommonJS `require`: resolves to nearcast's CommonJS build.
const Hls = require("hls.js");
const { Nearcast } = require("nearcast");

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") || "http://localhost:8080";

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
const hls = new Hls({ ...nearcast.hlsConfig() });
nearcast.attach(hls);
hls.loadSource(`${server}/streams/demo/live/master.m3u8`);
hls.attachMedia(document.querySelector("#video"));

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
