// The demo page: hls.js + Nearcast from their script-tag bundles, a stream picker, and a panel of
// what the SDK reports. Exposes `window.hls` and `window.nearcast` for debugging, like hls.js's demo.
import type HlsType from "hls.js";
import type * as NearcastModule from "../../sdk/src/index.js";
import {
  formatBytes,
  formatPercent,
  offloadTile,
  peerLabel,
  peerRows,
  pickSource,
  trackerStatus,
  type StreamKind,
} from "./page-state.js";
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

  // `?token=` (a join token, for a server that requires them) goes on the tracker and ICE URLs.
  const token = params.get("token");
  const tokenQuery = token ? `?token=${encodeURIComponent(token)}` : "";
  const trackerUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/tracker${tokenQuery}`;
  const nearcast = new Nearcast.Nearcast({
    p2pEnabled: source.p2p,
    trackerUrls: source.p2p ? [trackerUrl] : [],
    // Report to this page's own server, so its /dashboard shows what this viewer received (`?report=0`
    // opts out). Every 5 s rather than the default 10 s: a newcomer's dashboard card appears sooner.
    ...(source.report ? { statsUrl: `${location.origin}/api/stats/report`, statsIntervalMs: 5_000 } : {}),
    // STUN/TURN as the server is configured (TURN credentials are short-lived: never hard-coded).
    iceConfigUrl: `/api/ice${tokenQuery}`,
  });
  const hls = new Hls({ ...nearcast.hlsConfig() });
  nearcast.attach(hls);
  window.hls = hls;
  window.nearcast = nearcast;
  // Recoverable problems (a tracker refusal, a malformed digest tag, native HLS playing instead of
  // hls.js): the console, for the curious; playback goes on.
  nearcast.on("warning", (w) => console.warn(`Nearcast: ${w.message}`));
  nearcast.on("tracker-state", (event) => {
    lastTrackerState = event;
    refreshStatus();
    renderPanel(hls, nearcast, video);
  });

  hls.on(Hls.Events.ERROR, (_event, data) => {
    window.playerErrors.push({ type: data.type, details: data.details, fatal: data.fatal });
    if (data.fatal) {
      playingStatus = undefined;
      setStatus(`Playback error: ${data.details}`, true);
    }
  });
  hls.on(Hls.Events.MANIFEST_PARSED, (_event, data) => {
    playingStatus = `Playing ${source.label} · ${data.levels.length} renditions`;
    refreshStatus();
    video.play().catch(() => {
      playingStatus = undefined;
      setStatus("Press play to start (the browser blocked autoplay).");
    });
  });
  // "Recent segments" by sequence number and rendition: the SDK's segment-loaded event (source,
  // bytes) is emitted just before hls.js's FRAG_LOADED for the same fragment (sn, level); they are
  // paired by byte count, the latest first.
  const delivered: { source: string; bytes: number }[] = [];
  nearcast.on("segment-loaded", (e) => {
    delivered.unshift({ source: e.source, bytes: e.bytes });
    delivered.length = Math.min(delivered.length, 8);
  });
  hls.on(Hls.Events.FRAG_LOADED, (_event, data) => {
    // The payload may already be handed to hls.js's transmuxer worker (byteLength 0 here); the
    // loader's stats still say how many bytes the fragment had.
    const bytes = data.frag.stats.loaded || data.payload.byteLength;
    const index = delivered.findIndex((d) => d.bytes === bytes);
    const source = index === -1 ? undefined : delivered.splice(index, 1)[0]!.source;
    const { frag } = data;
    const level = frag.type === "main" ? hls.levels[frag.level] : undefined;
    const rendition = level ? `${level.height}p` : frag.type;
    const log = $("log");
    const li = document.createElement("li");
    const id = document.createElement("span");
    id.textContent = `${frag.sn === "initSegment" ? "init" : `#${frag.sn}`} · ${rendition}`;
    const from = document.createElement("span");
    from.className = source ? `src-${source}` : "";
    from.textContent = `${source ?? "?"} ${formatBytes(bytes)}`;
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

let lastTrackerState: { state: string; error?: string; reason?: string } | undefined;
/** The status line while playing, before its P2P part (undefined while another message shows). */
let playingStatus: string | undefined;

/** "Playing … · P2P on", or the tracker's problem instead of "on" ("P2P refused: token required"). */
function refreshStatus(): void {
  if (playingStatus === undefined || $("status").classList.contains("error")) return;
  const tracker = trackerStatus(source.p2p, lastTrackerState);
  const p2p = !source.p2p ? "off" : tracker.problem ? tracker.text : "on";
  setStatus(`${playingStatus} · P2P ${p2p}`);
}

function renderPanel(hls: HlsType, nearcast: NearcastModule.Nearcast, video: HTMLVideoElement): void {
  const s = nearcast.getStats();
  const offload = offloadTile(s);
  $("offload").textContent = offload.text;
  $("offload").classList.toggle("neutral", offload.tone === "neutral");
  $("offload-recent").textContent =
    s.httpDownloadedBytes + s.p2pDownloadedBytes > 0 ? formatPercent(s.recentOffloadRatio) : "–";
  $("bar-p2p").style.width = `${(s.offloadRatio * 100).toFixed(1)}%`;
  $("http-bytes").textContent = formatBytes(s.httpDownloadedBytes);
  $("p2p-bytes").textContent = formatBytes(s.p2pDownloadedBytes);
  $("up-bytes").textContent = formatBytes(s.p2pUploadedBytes);
  $("up-bytes-big").textContent = formatBytes(s.p2pUploadedBytes);
  const ownId = nearcast.peerId;
  $("own-peer-id").textContent = ownId === undefined ? "– (P2P off)" : peerLabel(ownId);
  const tracker = trackerStatus(source.p2p, lastTrackerState);
  $("tracker-state").textContent = tracker.text;
  $("tracker-state").classList.toggle("problem", tracker.problem);
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
  if (rows.length === 0) {
    // With the tracker refusing or unreachable, "no peer yet" would suggest waiting helps: say why.
    // (textContent: the reason comes from the network.)
    const cell = document.createElement("td");
    cell.colSpan = 3;
    cell.className = "muted";
    cell.textContent = tracker.problem ? `No peers: tracker ${tracker.text}` : "No peer connected yet";
    const row = document.createElement("tr");
    row.append(cell);
    $("peer-rows").replaceChildren(row);
    return;
  }
  $("peer-rows").innerHTML = rows
    .map(
      (p) =>
        `<tr><td>${p.label}</td><td>${formatBytes(p.downloadedBytes)}</td><td>${formatBytes(p.uploadedBytes)}</td></tr>`,
    )
    .join("");
}

setupForm();
start();
