// hls.js plays the stream; Nearcast's loader fetches its segments from other viewers when it can.
import Hls from "hls.js";
import { Nearcast } from "nearcast";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
const src = `${server}/streams/demo/live/master.m3u8`;

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
const hls = new Hls({ ...nearcast.hlsConfig() });
nearcast.attach(hls);
hls.loadSource(src);
hls.attachMedia(document.querySelector<HTMLVideoElement>("#video")!);

const output = document.querySelector("#nearcast-stats")!;
setInterval(() => {
  const stats = nearcast.getStats();
  output.textContent = JSON.stringify({
    httpDownloadedBytes: stats.httpDownloadedBytes,
    p2pDownloadedBytes: stats.p2pDownloadedBytes,
    connectedPeers: stats.connectedPeers,
  });
}, 1000);
