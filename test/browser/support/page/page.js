// The coverage-matrix test page: real hls.js with the Nearcast SDK (script-tag bundles), configured
// from the query string, recording what the tests check in `window`:
//   fragLog        every fragment payload hls.js received from its fLoader, with its SHA-256 (`asset`:
//                  loaded by an interstitial asset's child player, which inherits the fLoader)
//   warnings       the SDK's `warning` events (messages)
//   playerErrors   hls.js ERROR events; loaderViolations: loader callbacks after abort()
//   rtc / sockets  every RTCPeerConnection and WebSocket the page opened (to see that they close)
// Query: src, p2p=0|1, plain=1 (hls.js alone), tracker, switchMs (hls.nextLevel every N ms),
// audioSwitchMs, subs=1, manual=1 (autoStartLoad false + own pLoader, startLoad() on LEVEL_LOADED),
// store (storeMaxBytes), patient=1 (retry playlists and fragments for a minute), buffer=S (maxBufferLength),
// spa=1 (the test calls window.mount() / window.unmount()), trace=1 (hls.js events and warnings in
// `window.hlsTrace`, to compare the Nearcast and plain players' sequences).
/* global Hls, Nearcast */
"use strict";

const params = new URLSearchParams(location.search);
window.fragLog = [];
window.playerErrors = [];
window.loaderViolations = [];
window.pageEvents = { ended: 0, levelLoaded: 0, levelSwitched: 0, audioSwitched: 0, subtitleFrags: 0 };
window.interstitialEvents = [];
window.warnings = [];
window.hlsTrace = [];

// Count the connections the SDK opens, to see that they close (wrapped before the SDK reads them).
window.rtc = [];
window.sockets = [];
const NativeRTC = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new NativeRTC(...args);
  window.rtc.push(pc);
  return pc;
};
window.RTCPeerConnection.prototype = NativeRTC.prototype;
const NativeWS = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new NativeWS(...args);
  window.sockets.push(ws);
  return ws;
};
Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
window.WebSocket.prototype = NativeWS.prototype;
window.openConnections = () => ({
  rtc: window.rtc.filter((pc) => pc.connectionState !== "closed").length,
  sockets: window.sockets.filter((ws) => ws.readyState !== 3).length,
});

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Wraps an fLoader: hashes each payload before hls.js sees it (and may transfer it to its worker). */
function recording(Base) {
  return class RecordingLoader {
    constructor(config) {
      this.inner = new Base(config);
      this.aborted = false;
      this.settled = true;
      this.asset = Boolean(config.primarySessionId);
    }
    get stats() {
      return this.inner.stats;
    }
    get context() {
      return this.inner.context;
    }
    load(context, config, callbacks) {
      this.aborted = false;
      this.settled = false;
      this.loadingSince = performance.now();
      const guard = (name, fn) =>
        fn &&
        ((...args) => {
          if (this.aborted && name !== "onAbort")
            window.loaderViolations.push(`${name} after abort: ${context.url}`);
          if (name !== "onProgress") this.settled = true;
          return fn(...args);
        });
      this.inner.load(context, config, {
        ...callbacks,
        onError: guard("onError", callbacks.onError),
        onTimeout: guard("onTimeout", callbacks.onTimeout),
        onAbort: guard("onAbort", callbacks.onAbort),
        onProgress: guard("onProgress", callbacks.onProgress),
        onSuccess: guard("onSuccess", (response, stats, ctx, details) => {
          const data = response.data;
          const frag = ctx.frag;
          const entry = {
            url: ctx.url,
            rangeStart: ctx.rangeStart ?? 0,
            rangeEnd: ctx.rangeEnd ?? 0,
            type: frag.type,
            sn: frag.sn,
            level: frag.level,
            length: data.byteLength,
            sha256: "",
            part: Boolean(ctx.part),
            asset: this.asset,
            pdt: frag.sn === "initSegment" ? null : frag.programDateTime,
          };
          window.fragLog.push(entry);
          if (frag.type === "subtitle") window.pageEvents.subtitleFrags++;
          crypto.subtle.digest("SHA-256", data.slice(0)).then((digest) => (entry.sha256 = hex(digest)));
          callbacks.onSuccess(response, stats, ctx, details);
        }),
      });
    }
    abort() {
      // trace=1: which load hls.js aborted, how long it had been in flight, and what had arrived.
      if (window.hlsTraceT0 !== undefined && !this.settled && !this.aborted) {
        const frag = this.inner.context?.frag;
        const now = performance.now();
        window.hlsTrace.push(
          `${(now - window.hlsTraceT0).toFixed(0)} LOADER_ABORT ${frag?.type} L${frag?.level} sn${frag?.sn} ` +
            `in flight ${(now - this.loadingSince).toFixed(0)} ms, ${this.inner.stats?.loaded ?? "?"} bytes`,
        );
      }
      this.aborted = true;
      this.inner.abort();
    }
    destroy() {
      this.aborted = true;
      this.inner.destroy();
    }
  };
}

/** An embedding app's own playlist loader (it only counts), as apps add for auth or logging. */
class AppPlaylistLoader extends Hls.DefaultConfig.loader {
  load(context, config, callbacks) {
    window.pageEvents.playlistLoads = (window.pageEvents.playlistLoads ?? 0) + 1;
    super.load(context, config, callbacks);
  }
}

const p2p = params.get("p2p") === "1";
const plain = params.get("plain") === "1";
const trackerUrl = params.get("tracker");
const nearcast = plain
  ? undefined
  : new Nearcast.Nearcast({
      p2pEnabled: p2p,
      trackerUrls: p2p && trackerUrl ? [trackerUrl] : [],
      ...(params.get("store") ? { storeMaxBytes: Number(params.get("store")) } : {}),
    });
window.nearcast = nearcast;
nearcast?.on("warning", (w) => window.warnings.push(`${w.code}: ${w.message}`));
// P2P bytes by swarm over the whole run: getStats().peers lists open connections only, and a viewer
// closes those of a rendition's swarm it has switched away from.
window.pageEvents.p2pBytesBySwarm = {};
nearcast?.on("segment-loaded", (e) => {
  if (e.p2pBytes > 0)
    window.pageEvents.p2pBytesBySwarm[e.swarmKey] =
      (window.pageEvents.p2pBytesBySwarm[e.swarmKey] ?? 0) + e.p2pBytes;
});

function setStatus(text) {
  document.getElementById("status").textContent = text;
}

/** A live app that rides out a long origin outage: retry playlists and fragments every ≤ 2 s. */
function patientPolicies() {
  const retry = { maxNumRetry: 60, retryDelayMs: 1000, maxRetryDelayMs: 2000 };
  const policy = (base) => ({ default: { ...base.default, errorRetry: retry, timeoutRetry: retry } });
  return {
    playlistLoadPolicy: policy(Hls.DefaultConfig.playlistLoadPolicy),
    fragLoadPolicy: policy(Hls.DefaultConfig.fragLoadPolicy),
  };
}

/** `trace=1`: the hls.js events that decide what is buffered where, with the buffered ranges. */
function traceHls(hls, video) {
  const t0 = performance.now();
  // The engine's debug lines (scripts/matrix-trace.ts collects them) are merged on this clock.
  window.hlsTraceT0 = t0;
  const ranges = (tr) =>
    Array.from({ length: tr.length }, (_, i) => `${tr.start(i).toFixed(3)}-${tr.end(i).toFixed(3)}`).join(
      ",",
    );
  const add = (text) =>
    window.hlsTrace.push(`${(performance.now() - t0).toFixed(0)} ct=${video.currentTime.toFixed(3)} ${text}`);
  const fragText = (f) =>
    f ? `${f.type} L${f.level} sn${f.sn} [${f.start.toFixed(3)}+${f.duration.toFixed(3)}]` : "-";
  const E = Hls.Events;
  hls.on(E.FRAG_LOADING, (_e, d) => add(`FRAG_LOADING ${fragText(d.frag)}`));
  hls.on(E.FRAG_LOADED, (_e, d) => {
    const s = d.frag.stats;
    add(
      `FRAG_LOADED ${fragText(d.frag)} bytes=${s.loaded} ld=${(s.loading.end - s.loading.start).toFixed(0)}ms ttfb=${(s.loading.first - s.loading.start).toFixed(0)} chunks=${s.chunkCount} bw=${hls.bandwidthEstimate.toFixed(0)}`,
    );
  });
  hls.on(E.FRAG_PARSING_INIT_SEGMENT, (_e, d) => add(`INIT ${fragText(d.frag)}`));
  hls.on(E.FRAG_PARSED, (_e, d) =>
    add(
      `FRAG_PARSED ${fragText(d.frag)} pts=${JSON.stringify(
        d.frag.elementaryStreams &&
          Object.fromEntries(
            Object.entries(d.frag.elementaryStreams)
              .filter(([, v]) => v)
              .map(([k, v]) => [k, [v.startPTS.toFixed(3), v.endPTS.toFixed(3)]]),
          ),
      )}`,
    ),
  );
  hls.on(E.FRAG_BUFFERED, (_e, d) =>
    add(`FRAG_BUFFERED ${fragText(d.frag)} buffered=${ranges(video.buffered)}`),
  );
  hls.on(E.BUFFER_APPENDED, (_e, d) =>
    add(
      `APPENDED ${d.type} ${fragText(d.frag)} ${Object.entries(d.timeRanges ?? {})
        .map(([k, v]) => `${k}:${v ? ranges(v) : ""}`)
        .join(" ")}`,
    ),
  );
  hls.on(E.BUFFER_FLUSHING, (_e, d) => add(`FLUSHING ${d.type} ${d.startOffset}-${d.endOffset}`));
  hls.on(E.LEVEL_SWITCHING, (_e, d) => add(`LEVEL_SWITCHING ${d.level}`));
  hls.on(E.LEVEL_SWITCHED, (_e, d) => add(`LEVEL_SWITCHED ${d.level}`));
  hls.on(E.FRAG_CHANGED, (_e, d) => add(`FRAG_CHANGED ${fragText(d.frag)}`));
  hls.on(E.ERROR, (_e, d) =>
    add(`ERROR ${d.details} ${d.reason ?? d.error?.message ?? ""} buffered=${ranges(video.buffered)}`),
  );
  video.addEventListener("seeking", () => add(`seeking`));
  video.addEventListener("waiting", () => add(`waiting buffered=${ranges(video.buffered)}`));
}

/** hls.js's own log lines (trace=1), into the same trace. */
function traceLogger() {
  const t0 = performance.now();
  const line =
    (level) =>
    (...args) =>
      window.hlsTrace.push(`${(performance.now() - t0).toFixed(0)} [${level}] ${args.join(" ")}`);
  const quiet = () => undefined;
  return {
    trace: quiet,
    debug: quiet,
    log: line("log"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  };
}

window.mount = function mount() {
  const manual = params.get("manual") === "1";
  const video = document.createElement("video");
  video.muted = true;
  video.autoplay = true;
  document.getElementById("player").append(video);
  const fLoader = recording(nearcast ? nearcast.hlsConfig().fLoader : Hls.DefaultConfig.loader);
  const hls = new Hls({
    fLoader,
    ...(manual ? { autoStartLoad: false, pLoader: AppPlaylistLoader } : {}),
    ...(params.get("subs") === "1" ? { renderTextTracksNatively: true, subtitleDisplay: true } : {}),
    ...(params.has("capLevel") ? { startLevel: Number(params.get("capLevel")) } : {}),
    ...(params.get("patient") === "1" ? patientPolicies() : {}),
    ...(params.get("trace") === "1" ? { debug: traceLogger() } : {}),
    // `buffer=S`: buffer at most S seconds ahead, so a short VOD is fetched during playback, not at once.
    ...(params.has("buffer")
      ? { maxBufferLength: Number(params.get("buffer")), maxMaxBufferLength: Number(params.get("buffer")) }
      : {}),
  });
  nearcast?.attach(hls);
  window.hls = hls;
  if (params.get("trace") === "1") traceHls(hls, video);
  // Whether the media element has begun playing (its "playing" event), for `beforePlayback` below.
  let playingSeen = false;
  video.addEventListener("playing", () => (playingSeen = true));
  hls.on(Hls.Events.ERROR, (_e, data) => {
    // `beforePlayback`: the playhead had not moved yet. hls.js jumps a start gap (here the first video
    // frame 21 ms after the first audio sample, as ffmpeg muxes TS) with a non-fatal bufferSeekOverHole
    // when the browser has not begun playing by the gap controller's second tick after the first append:
    // a race with the browser's start-up that plain hls.js loses too in a cold browser.
    window.playerErrors.push({
      type: data.type,
      details: data.details,
      fatal: data.fatal,
      beforePlayback: !playingSeen,
      // The fragment's playlist type ("main", "audio", "subtitle"), when the error names one.
      fragType: data.frag?.type,
      reason: String(data.reason ?? data.error?.message ?? "").slice(0, 200),
    });
    if (data.fatal) setStatus(`Playback error: ${data.details}`);
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    setStatus("playing");
    // autoStartLoad: false loads no media playlist either: the app starts once, then on every refresh.
    if (manual) hls.startLoad();
    if (params.has("capLevel")) hls.autoLevelCapping = Number(params.get("capLevel"));
    video.play().catch(() => undefined);
  });
  hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, () => {
    if (params.get("subs") === "1" && hls.subtitleTrack < 0) hls.subtitleTrack = 0;
  });
  hls.on(Hls.Events.LEVEL_LOADED, () => {
    window.pageEvents.levelLoaded++;
    if (manual) hls.startLoad();
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, () => window.pageEvents.levelSwitched++);
  hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, () => window.pageEvents.audioSwitched++);
  for (const name of [
    "INTERSTITIAL_STARTED",
    "INTERSTITIAL_ASSET_STARTED",
    "INTERSTITIAL_ASSET_ENDED",
    "INTERSTITIAL_ENDED",
  ])
    hls.on(Hls.Events[name], () => window.interstitialEvents.push({ name, atSec: video.currentTime }));
  video.addEventListener("ended", () => window.pageEvents.ended++);

  const timers = [];
  const switchMs = Number(params.get("switchMs") ?? 0);
  if (switchMs > 0) {
    timers.push(
      setInterval(() => {
        if (hls.levels.length > 1) hls.nextLevel = (Math.max(hls.currentLevel, 0) + 1) % hls.levels.length;
      }, switchMs),
    );
  }
  const audioSwitchMs = Number(params.get("audioSwitchMs") ?? 0);
  if (audioSwitchMs > 0) {
    timers.push(
      setInterval(() => {
        if (hls.audioTracks.length > 1) hls.audioTrack = (hls.audioTrack + 1) % hls.audioTracks.length;
      }, audioSwitchMs),
    );
  }
  hls.loadSource(params.get("src"));
  hls.attachMedia(video);
  window.unmount = () => {
    timers.forEach(clearInterval);
    hls.destroy();
    video.remove();
    window.hls = undefined;
  };
};

if (params.get("spa") !== "1") window.mount();
