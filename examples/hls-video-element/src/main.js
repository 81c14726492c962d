// <hls-video> creates its own hls.js instance from `config` when `src` is set: give it Nearcast's
// loader first, then follow the instance it made (`video.api`) as soon as it attaches to the media.
// It picks hls.js whenever Hls.isSupported() (MediaSource or ManagedMediaSource) and the browser's own
// HLS player only otherwise (hls-video-element 1.5.11) — the right order now that Chrome 147+ answers
// canPlayType("application/vnd.apple.mpegurl") with "maybe". Nearcast warns if native wins anyway.
import "hls-video-element";
import "media-chrome";
import { Nearcast } from "nearcast";

// ?server=http://host:port points the page at a running nearcast-server (origin + tracker + stats).
const server = new URLSearchParams(location.search).get("server") ?? "http://localhost:8080";
const video = document.querySelector("#video");

const nearcast = new Nearcast({
  trackerUrls: [`${server.replace(/^http/, "ws")}/tracker`],
  statsUrl: `${server}/api/stats/report`,
});
video.config = { ...nearcast.hlsConfig() };
// hls.js attaches a MediaSource to the inner <video> right after creating the instance, long before
// the first segment is requested: `loadstart` is the first moment `video.api` exists. A new `src`
// makes a new instance, so re-attach whenever it changed.
video.addEventListener("loadstart", () => {
  if (video.api) nearcast.attach(video.api);
});
video.src = `${server}/streams/demo/live/master.m3u8`;
window.addEventListener("pagehide", () => nearcast.destroy());

const output = document.querySelector("#nearcast-stats");
setInterval(() => {
  const { httpDownloadedBytes, p2pDownloadedBytes, connectedPeers } = nearcast.getStats();
  output.textContent = JSON.stringify({ httpDownloadedBytes, p2pDownloadedBytes, connectedPeers });
}, 1000);
