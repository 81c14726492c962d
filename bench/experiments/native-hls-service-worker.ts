// Experiment (issue 23): when Chromium plays HLS natively (`video.src = master.m3u8`, no MSE), do its
// playlist and segment requests pass through the page's Service Worker? If they do, a Service Worker
// could hand native playback bytes from peers; if not, native HLS is out of Nearcast's reach.
//
//   npx tsx bench/experiments/native-hls-service-worker.ts [shape] [sw options]
//     shape: a folder of test/media (ts-ladder, fmp4-ladder); sw options: see native-hls-sw/sw.js,
//     e.g. "rebuild=segments" (the SW answers segments with bytes it holds, as a P2P SW would)
//
// Serves native-hls-sw/ (a page + a Service Worker that records and answers every fetch) and
// test/media/<shape> as VOD on a loopback port, plays it in headless Chromium, and prints, for every
// request the server received, whether the Service Worker saw it. Run it under the heavy lock.
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { closeBrowser, launchBrowser } from "../../test/browser/support/chromium.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const shape = process.argv[2] ?? "ts-ladder";
/** The Service Worker's options (see native-hls-sw/sw.js), e.g. "rebuild=segments&status=206". */
const swOptions = process.argv[3] ?? "";
const roots: Record<string, string> = {
  "/exp/": path.join(here, "native-hls-sw"),
  "/media/": path.join(here, "../../test/media", shape),
};
const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".m3u8": "application/vnd.apple.mpegurl",
  ".ts": "video/mp2t",
  ".m4s": "video/iso.segment",
  ".mp4": "video/mp4",
};
const serverLog: { path: string; range: string; serviceWorker: string }[] = [];

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://x");
  const prefix = Object.keys(roots).find((p) => url.pathname.startsWith(p));
  const file = prefix && path.join(roots[prefix]!, url.pathname.slice(prefix.length));
  // Chromium marks requests a Service Worker script itself makes with this header ("script").
  serverLog.push({
    path: url.pathname,
    range: req.headers.range ?? "",
    serviceWorker: String(req.headers["service-worker"] ?? ""),
  });
  let size: number;
  try {
    size = statSync(file!).size;
  } catch {
    res.writeHead(404).end();
    return;
  }
  const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  const start = match ? Number(match[1]) : 0;
  const end = match?.[2] ? Number(match[2]) : size - 1;
  res.writeHead(match ? 206 : 200, {
    "Content-Type": TYPES[path.extname(file!)] ?? "application/octet-stream",
    "Content-Length": String(end - start + 1),
    "Accept-Ranges": "bytes",
    "Cache-Control": "no-store",
    ...(match ? { "Content-Range": `bytes ${start}-${end}/${size}` } : {}),
  });
  createReadStream(file!, { start, end }).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const src = `${origin}/media/master.m3u8`;
  await page.goto(
    `${origin}/exp/index.html?src=${encodeURIComponent(src)}&sw=${encodeURIComponent(swOptions)}`,
  );
  // Wait (with a deadline) for 6 s of media to have played: three 2-second segments at least.
  await page.waitForFunction(
    () =>
      (document.getElementById("video") as HTMLVideoElement).currentTime > 6 ||
      (window as unknown as { result: { error?: string } }).result.error,
    { timeout: 60_000, polling: 250 },
  );
  const result = await page.evaluate(() => ({
    ...(window as unknown as { result: object }).result,
    currentTime: (document.getElementById("video") as HTMLVideoElement).currentTime,
    currentSrc: (document.getElementById("video") as HTMLVideoElement).currentSrc,
  }));
  const seen = (await page.evaluate(() =>
    (window as unknown as { swSeen(): Promise<unknown> }).swSeen(),
  )) as { url: string; destination: string; mode: string; range: string }[];
  const seenPaths = new Map(seen.map((s) => [new URL(s.url).pathname, s]));
  console.log(`Chromium ${await browser.version()}, shape ${shape}, Service Worker options "${swOptions}"`);
  console.log(`page: ${JSON.stringify(result)}`);
  console.log("requests at the server (after the page), and whether the Service Worker saw each:");
  let media = 0;
  let mediaSeen = 0;
  for (const entry of serverLog.filter((e) => e.path.startsWith("/media/"))) {
    const sw = seenPaths.get(entry.path);
    media++;
    if (sw) mediaSeen++;
    console.log(
      `  ${entry.path.padEnd(32)} range=${entry.range || "-"} ${sw ? `SW saw it (destination=${sw.destination || '""'}, mode=${sw.mode})` : "NOT seen by the SW"}`,
    );
  }
  console.log(`media requests: ${media} at the server, ${mediaSeen} of them through the Service Worker`);
  console.log(`everything the SW saw: ${seen.map((s) => new URL(s.url).pathname).join(", ")}`);
} finally {
  await closeBrowser(browser);
  server.close();
}
