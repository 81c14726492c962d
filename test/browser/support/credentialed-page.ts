// The embedding site of the credentialed-CDN test: a page on its own loopback origin that plays a
// stream from the CDN with hls.js + the built Nearcast script-tag bundle, configured the way a site
// protecting its CDN would configure hls.js, plus a Nearcast tracker at /tracker on the same server.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { REPO_ROOT } from "../../../demo-server/src/config.js";
import { createTracker, type Tracker } from "../../../demo-server/src/tracker/index.js";

export interface EmbeddingSite {
  /** `http://127.0.0.1:port` */
  readonly origin: string;
  readonly trackerUrl: string;
  readonly tracker: Tracker;
  close(): Promise<void>;
}

const FILES: Record<string, string> = {
  "/hls.min.js": path.join(REPO_ROOT, "node_modules", "hls.js", "dist", "hls.min.js"),
  "/nearcast.min.js": path.join(REPO_ROOT, "demo-server", "public", "sdk", "nearcast.min.js"),
};

/**
 * `startPlayer(options)` runs in the page. Per CDN mode, the page authorises hls.js's own requests
 * the usual way, and Nearcast must follow without being told:
 * - bearer: hls.js `xhrSetup` sets `Authorization`;
 * - cookie: hls.js `xhrSetup` sets `withCredentials`;
 * - query: hls.js `xhrSetup` signs playlist URLs only, Nearcast's `httpRequestSetup` signs segments.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>credentialed CDN</title></head>
<body><video id="video" muted playsinline></video>
<script src="/hls.min.js"></script>
<script src="/nearcast.min.js"></script>
<script>
window.loaded = [];
window.fatalErrors = [];
window.startPlayer = function (o) {
  var hlsConfig = { maxBufferLength: 8, maxMaxBufferLength: 8 };
  var nearcast = { trackerUrls: [o.trackerUrl], streamId: o.streamId, p2pStallTimeoutMs: 700 };
  if (o.mode === "bearer") {
    hlsConfig.xhrSetup = function (xhr) { xhr.setRequestHeader("Authorization", "Bearer " + o.secret); };
  } else if (o.mode === "cookie") {
    hlsConfig.xhrSetup = function (xhr) { xhr.withCredentials = true; };
  } else {
    hlsConfig.xhrSetup = function (xhr, url, context) {
      if (!context || !context.frag) xhr.open("GET", url + "?token=" + o.secret, true);
    };
    nearcast.httpRequestSetup = function (request) {
      return { url: request.url + "?token=" + o.secret, headers: request.headers, credentials: request.credentials };
    };
  }
  hlsConfig.nearcast = nearcast;
  var HlsWithNearcast = Nearcast.withNearcast(Hls);
  var hls = new HlsWithNearcast(hlsConfig);
  window.hls = hls;
  hls.nearcast.on("segment-loaded", function (e) { window.loaded.push(e); });
  hls.on(Hls.Events.ERROR, function (_, d) { if (d.fatal) window.fatalErrors.push(d.type + ":" + d.details); });
  var video = document.getElementById("video");
  hls.loadSource(o.manifestUrl);
  hls.attachMedia(video);
  video.play().catch(function () {});
};
</script></body></html>`;

/** Serves the page, the two scripts and a tracker on 127.0.0.1 (port 0). */
export async function startEmbeddingSite(): Promise<EmbeddingSite> {
  const tracker = createTracker();
  const server: Server = createServer((req, res) => {
    const file = FILES[req.url ?? ""];
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    } else if (file) {
      readFile(file).then(
        (body) => res.writeHead(200, { "content-type": "text/javascript" }).end(body),
        () => res.writeHead(500).end(`missing ${file}: run npm run build`),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  tracker.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    trackerUrl: `${origin.replace("http", "ws")}/tracker`,
    tracker,
    close: async () => {
      await tracker.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
