// The experiment's Service Worker: records every fetch it sees (URL, destination, mode, Range) and
// answers each one itself. Options from its own URL (sw.js?…):
//   rebuild=segments|all  answer media segments (or segments and playlists) with a Response built
//                         from bytes the SW holds, as a P2P Service Worker would with bytes from
//                         peers, instead of passing fetch()'s response through
//   status=206|200|copy   the status of those rebuilt responses (206 with Content-Range by default:
//                         media elements ask for `Range: bytes=0-`); copy: the origin's status and
//                         every header it sent, around the same bytes
"use strict";
const options = new URL(self.location.href).searchParams;
const rebuild = options.get("rebuild") ?? "";
const status = options.get("status") ?? "206";
const seen = [];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const request = event.request;
  seen.push({
    url: request.url,
    destination: request.destination,
    mode: request.mode,
    range: request.headers.get("range") ?? "",
  });
  const isMedia = new URL(request.url).pathname.startsWith("/media/");
  const isPlaylist = request.url.includes(".m3u8");
  if (!isMedia || !rebuild || (isPlaylist && rebuild !== "all")) return event.respondWith(fetch(request));
  event.respondWith(
    fetch(request.url).then(async (upstream) => {
      const bytes = await upstream.arrayBuffer();
      const headers = { "Content-Type": upstream.headers.get("content-type") ?? "" };
      if (status === "copy")
        return new Response(bytes, { status: upstream.status, headers: upstream.headers });
      if (status === "200") return new Response(bytes, { status: 200, headers });
      const length = bytes.byteLength;
      headers["Content-Range"] = `bytes 0-${length - 1}/${length}`;
      headers["Content-Length"] = String(length);
      return new Response(bytes, { status: 206, headers });
    }),
  );
});
self.addEventListener("message", (event) => {
  if (event.data === "seen") event.source.postMessage({ seen });
});
