// The demo page: hls.js + Nearcast from their script-tag bundles, a stream picker, and a panel of
// what the SDK reports. Exposes `window.hls` and `window.nearcast` for debugging, like hls.js's demo.
import type HlsType from "hls.js";
import type * as NearcastModule from "../../sdk/src/index.js";
import { formatBytes, formatPercent, peerRows, pickSource, type StreamKind } from "./page-state.js";
import { ThroughputChart } from "./throughput-chart.js";

declare global {
  interface Window {
    Hls: typeof HlsType;
    Nearcast: typeof NearcastModule;
    hls?: HlsType;
    nearcast?: NearcastModule.Nearcast;
    /** hls.js errors seen by the page, for tests and curious people. */
    playerErrors: { type: string; details: string; fatal: boolean }[];
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const source = pickSource(params, location.origin);
window.playerErrors = [];

function setupForm(): void {
  const form = $<HTMLFormElement>("source-form");
  const custom = $<HTMLInputElement>("custom-url");
  const p2p = $<HTMLInputElement>("p2p-toggle");
  const radios = form.querySelectorAll<HTMLInputElement>('input[name="kind"]');
  radios.forEach((r) => {
    r.checked = r.value === source.kind;
    r.addEventListener("change", () => (custom.hidden = r.value !== "custom" || !r.checked));
  });
  custom.hidden = source.kind !== "custom";
  custom.value = source.kind === "custom" ? source.url : "";
  p2p.checked = source.p2p;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const kind = (form.querySelector<HTMLInputElement>('input[name="kind"]:checked')?.value ??
      "live") as StreamKind;
    const next = new URLSearchParams();
    if (kind === "custom") next.set("src", custom.value);
    else next.set("stream", kind);
    next.set("p2p", p2p.checked ? "1" : "0");
    if (!source.report) next.set("report", "0");
    location.search = next.toString();
  });
}

function setStatus(text: string, isError = false): void {
  const el = $("status");
  el.textContent = text;
  el.classList.toggle("error", isError);
}

function start(): void {
  const { Hls, Nearcast } = window;
  $("version").textContent = `SDK ${Nearcast.VERSION} · hls.js ${Hls.version}`;
  const video = $<HTMLVideoElement>("video");
  // hls.js whenever it can run: MediaSource, or ManagedMediaSource (iOS 17.1+). Never ask canPlayType
  // first: Chrome 147+ and Safari answer "maybe" and the page would skip hls.js and all P2P.
  if (!Hls.isSupported()) {
    if (!video.canPlayType("application/vnd.apple.mpegurl"))
      return setStatus("This browser can play HLS neither through MediaSource nor by itself.", true);
    video.src = source.url;
    return setStatus(
      `Playing ${source.label} with the browser's own HLS player: no MediaSource here, so no P2P.`,
    );
  }

  const trackerUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/tracker`;
  const nearcast = new Nearcast.Nearcast({
    p2pEnabled: source.p2p,
    trackerUrls: source.p2p ? [trackerUrl] : [],
    // Report to this page's own server, so its /dashboard shows what this viewer received (`?report=0`
    // opts out). Every 5 s rather than the default 10 s: a newcomer's dashboard card appears sooner.
    ...(source.report ? { statsUrl: `${location.origin}/api/stats/report`, statsIntervalMs: 5_000 } : {}),
    // STUN/TURN as the server is configured (TURN credentials are short-lived: never hard-coded).
    iceConfigUrl: "/api/ice",
  });
  const hls = new Hls({ ...nearcast.hlsConfig() });
  nearcast.attach(hls);
  window.hls = hls;
  window.nearcast = nearcast;
  // Recoverable problems (a tracker refusal, a malformed digest tag, native HLS playing instead of
  // hls.js): the console, for the curious; playback goes on.
  nearcast.on("warning", (w) => console.warn(`Nearcast: ${w.message}`));

  hls.on(Hls.Events.ERROR, (_event, data) => {
    window.playerErrors.push({ type: data.type, details: data.details, fatal: data.fatal });
    if (data.fatal) setStatus(`Playback error: ${data.details}`, true);
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    setStatus(
      `Playing ${source.label} · ${data.levels.length} renditions · P2P ${source.p2p ? "on" : "off"}`,
    );
    video.play().catch(() => setStatus("Press play to start (the browser blocked autoplay)."));
  });
  nearcast.on("segment-loaded", (e) => {
    const log = $("log");
    const li = document.createElement("li");
    const id = document.createElement("span");
    id.textContent = e.segmentId.slice(0, 22);
    const from = document.createElement("span");
    from.className = `src-${e.source}`;
    from.textContent = `${e.source} ${formatBytes(e.bytes)}`;
    li.append(id, from);
    log.prepend(li);
    while (log.children.length > 30) log.lastElementChild?.remove();
  });
  const chart = new ThroughputChart($("chart"));
  nearcast.on("bytes-downloaded", (e) => chart.add(e.source, e.bytes));
  hls.loadSource(source.url);
  hls.attachMedia(video);
  setInterval(() => {
    renderPanel(hls, nearcast, video);
    chart.render();
  }, 1000);
}

function renderPanel(hls: HlsType, nearcast: NearcastModule.Nearcast, video: HTMLVideoElement): void {
  const s = nearcast.getStats();
  $("offload").textContent = formatPercent(s.offloadRatio);
  $("offload-recent").textContent = formatPercent(s.recentOffloadRatio);
  $("bar-p2p").style.width = `${(s.offloadRatio * 100).toFixed(1)}%`;
  $("http-bytes").textContent = formatBytes(s.httpDownloadedBytes);
  $("p2p-bytes").textContent = formatBytes(s.p2pDownloadedBytes);
  $("up-bytes").textContent = formatBytes(s.p2pUploadedBytes);
  $("segments").textContent = `${s.segments.http} / ${s.segments.p2p} / ${s.segments.cache}`;
  $("peers").textContent = String(s.connectedPeers);
  const level = hls.levels[hls.currentLevel];
  $("rendition").textContent = level ? `${level.height}p · ${Math.round(level.bitrate / 1000)} kbps` : "–";
  let ahead = 0;
  for (let i = 0; i < video.buffered.length; i++) {
    if (video.buffered.start(i) <= video.currentTime + 0.1) ahead = video.buffered.end(i) - video.currentTime;
  }
  $("buffer").textContent = `${Math.max(0, ahead).toFixed(1)} s`;
  $("bandwidth").textContent = s.httpBandwidthEstimateBps
    ? `${(s.httpBandwidthEstimateBps / 1e6).toFixed(1)} Mbps`
    : "–";
  const rows = peerRows(s.peers);
  $("peer-rows").innerHTML =
    rows.length === 0
      ? `<tr><td colspan="3" class="muted">No peer connected yet</td></tr>`
      : rows
          .map(
            (p) =>
              `<tr><td>${p.label}</td><td>${formatBytes(p.downloadedBytes)}</td><td>${formatBytes(p.uploadedBytes)}</td></tr>`,
          )
          .join("");
}

setupForm();
start();
