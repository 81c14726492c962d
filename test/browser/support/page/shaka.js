// The Shaka Player test page: real Shaka (compiled build) with Nearcast's Shaka adapter (script-tag
// bundles), configured from the query string, recording what the tests check in `window`:
//   fragLog       every segment payload Shaka received (after Nearcast or its own HTTP plugin), with
//                 its SHA-256, URL and byte range (as matrix-run.ts's FragRecord)
//   playerErrors  Shaka `error` events; warnings: the SDK's `warning` events
// Query: src, p2p=0|1, plain=1 (Shaka alone), tracker, buffer=S (streaming.bufferingGoal).
/* global shaka, nearcastShaka */
"use strict";

const params = new URLSearchParams(location.search);
window.fragLog = [];
window.playerErrors = [];
window.warnings = [];

function setStatus(text) {
  document.getElementById("status").textContent = text;
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function main() {
  shaka.polyfill.installAll();
  const video = document.createElement("video");
  video.muted = true;
  video.autoplay = true;
  document.getElementById("player").append(video);
  const p2p = params.get("p2p") === "1";
  const tracker = params.get("tracker");
  const nearcast =
    params.get("plain") === "1"
      ? undefined
      : new nearcastShaka.NearcastShaka(shaka, {
          p2pEnabled: p2p,
          trackerUrls: p2p && tracker ? [tracker] : [],
        });
  window.nearcast = nearcast;
  nearcast?.on("warning", (w) => window.warnings.push(`${w.code}: ${w.message}`));
  const player = new shaka.Player();
  window.player = player;
  await player.attach(video);
  if (params.has("buffer")) player.configure({ streaming: { bufferingGoal: Number(params.get("buffer")) } });
  player.addEventListener("error", (event) => {
    const error = event.detail;
    window.playerErrors.push({ type: "shaka", details: `code ${error.code}`, fatal: error.severity === 2 });
    if (error.severity === 2) setStatus(`Playback error: code ${error.code}`);
  });
  nearcast?.attach(player);
  player.getNetworkingEngine().registerResponseFilter((type, response, context) => {
    if (type !== shaka.net.NetworkingEngine.RequestType.SEGMENT) return;
    const range = /bytes=(\d+)-(\d*)/.exec(response.originalRequest.headers.Range ?? "");
    const data = response.data;
    const entry = {
      url: response.uri,
      rangeStart: range ? Number(range[1]) : 0,
      rangeEnd: range && range[2] ? Number(range[2]) + 1 : 0,
      type: context?.stream?.type ?? "",
      sn: 0,
      level: 0,
      length: data.byteLength,
      sha256: "",
    };
    window.fragLog.push(entry);
    const bytes =
      data instanceof ArrayBuffer
        ? data.slice(0)
        : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    crypto.subtle.digest("SHA-256", bytes).then((digest) => (entry.sha256 = hex(digest)));
  });
  await player.load(params.get("src"));
  setStatus("playing");
  await video.play().catch(() => undefined);
}

main().catch((error) => {
  window.playerErrors.push({
    type: "shaka",
    details: String(error && (error.code ?? error.message)),
    fatal: true,
  });
  setStatus(`Playback error: ${error && (error.code ?? error.message)}`);
});
