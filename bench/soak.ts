// Long-session soak (issue 12): 3 Chromium viewers with P2P on watch a 4 Mbit/s 720p live rendition
// for 15 minutes. Prints the series (heap after GC, store, in-flight loads, peer connections per
// viewer every 30 s) and the verdict: store within storeMaxBytes, heap growth over the last 5 minutes
// under 1 MB/min, no rise in peers or pending loads.
//
//   npx tsx bench/soak.ts [--minutes 15] [--viewers 3] [--kbps 4000] [--store-mib 64] [--stream NAME] [--plain]
//
// Then, per viewer and minute, the playback figures: media and live-edge seconds per wall second,
// distance behind live, buffer ahead, playbackRate, dropped frames, waiting time and seeks.
//
// --plain plays the same page with hls.js alone (no SDK): the baseline for the playback figures,
// whose SDK verdicts then read 0. Run it at the same time as the SDK soak (another process: each has
// its own servers on port 0 and its own Chromium): how fast a media element plays depends on the CPU
// it gets, so runs at different times or loads do not compare.
//
// The 2-minute version that was a browser test until the suite's tiers (issue 20) — the demo's 360p
// CMAF stream with a 2 MiB store, so the store fills and evicts many times:
//   npm run bench:soak -- --minutes 2 --stream demo-fmp4 --store-mib 2
//
// The 720p stream (60 s, looped live by the demo origin) is encoded with ffmpeg on first use into
// the system temp folder and reused afterwards; it is not committed (~30 MB).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../demo-server/src/server.js";
import { closeBrowser, launchBrowser } from "../test/browser/support/chromium.js";
import { judgeSoak, runSoak } from "../test/browser/support/soak-run.js";
import { playbackStretches } from "../test/browser/support/soak-playback.js";
import { startTestOrigin } from "../test/support/test-origin.js";
import { positiveArg } from "./lib/positive-arg.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "15" },
    viewers: { type: "string", default: "3" },
    kbps: { type: "string", default: "4000" },
    "store-mib": { type: "string", default: "64" },
    /** A stream of the demo server (e.g. demo-fmp4) instead of the 720p clip (no ffmpeg needed). */
    stream: { type: "string" },
    plain: { type: "boolean", default: false },
  },
  strict: true,
});
const minutes = positiveArg("minutes", values.minutes);
const viewers = Math.round(positiveArg("viewers", values.viewers));
const kbps = Math.round(positiveArg("kbps", values.kbps));
const storeMaxBytes = Math.round(positiveArg("store-mib", values["store-mib"]) * 1024 * 1024);

/** Encodes (once) 60 s of 720p H.264 at `kbps` + AAC as 2-second TS segments. */
function soakMedia(): string {
  const dir = path.join(os.tmpdir(), `nearcast-soak-720p-${kbps}k`);
  const playlist = path.join(dir, "720p", "index.m3u8");
  if (existsSync(playlist)) return dir;
  mkdirSync(path.dirname(playlist), { recursive: true });
  console.error(`[soak] encoding 60 s of 720p at ${kbps} kbit/s into ${dir} (once)…`);
  const result = spawnSync(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:beep_factor=2:sample_rate=48000:duration=60"],
      ...["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-pix_fmt", "yuv420p", "-bf", "0"],
      ...["-b:v", `${kbps}k`, "-minrate", `${kbps}k`, "-maxrate", `${kbps}k`, "-bufsize", `${kbps}k`],
      ...["-x264-params", "nal-hrd=cbr", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
      ...["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"],
      ...["-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod"],
      ...["-hls_segment_filename", path.join(dir, "720p", "seg-%03d.ts"), playlist],
    ],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error("ffmpeg failed (apt-get install -y ffmpeg)");
  writeFileSync(
    path.join(dir, "master.m3u8"),
    `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=${(kbps + 128) * 1100},RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"\n720p/index.m3u8\n`,
  );
  return dir;
}

const streamName = values.stream ?? "soak";
const server = await startServer({
  host: "127.0.0.1",
  port: 0,
  hlsDirs: values.stream === undefined ? [{ name: "soak", path: soakMedia() }] : [],
});
const pages = await startTestOrigin();
const browser = await launchBrowser();
const durationMs = minutes * 60_000;
const windowSec = Math.min(300, (durationMs / 1000) * (1 / 3));
/** Samples every 30 s, or often enough for 12 points in a short run. */
const sampleEveryMs = Math.min(30_000, Math.max(5_000, durationMs / 12));
try {
  console.error(
    `[soak] ${viewers} viewers × ${minutes} min, ${values.stream ?? `${kbps} kbit/s 720p`} live, storeMaxBytes ${storeMaxBytes}`,
  );
  const client = values.plain ? "plain hls.js" : "Nearcast";
  const result = await runSoak({
    browser,
    pageOrigin: pages.url,
    src: `${server.url}/streams/${streamName}/live/master.m3u8`,
    trackerUrl: `${server.url.replace(/^http/, "ws")}/tracker`,
    viewers,
    durationMs,
    sampleEveryMs,
    storeMaxBytes,
    plain: values.plain,
    log: (line) => console.log(line),
  });
  for (const r of result.reports)
    console.log(
      `[soak] ${r.name} (${client}): media time ${r.advancedSec.toFixed(1)} s in ` +
        `${(r.durationMs / 1000).toFixed(1)} s of wall time = ${(r.advancedSec / (r.durationMs / 1000)).toFixed(3)} ×; ` +
        `${r.stalls} stalls (${r.stalledMs} ms)`,
    );
  result.series.forEach((points, i) => {
    const start = result.start[i];
    if (!start) return;
    const probes = [start, ...points.map((p) => p.playback)];
    console.log(
      `[soak] v${i} (${client}) per minute: to s | media s per wall s | edge s per wall s | behind live s | ` +
        `buffer s | rate | dropped/frames | waiting ms | seeks (jump s)`,
    );
    for (const m of playbackStretches(probes, 60))
      console.log(
        `[soak] v${i} ${m.toSec.toFixed(0).padStart(4)} | ${m.advanceRate.toFixed(3)} | ${m.edgeRate?.toFixed(3) ?? "-"} | ` +
          `${m.latencySec.toFixed(1)} | ${m.bufferedAheadSec.toFixed(1)} | ${m.playbackRate} | ` +
          `${m.droppedFrames}/${m.totalFrames} | ${m.waitingMs.toFixed(0)} | ${m.seeks} (${m.seekJumpSec.toFixed(1)})`,
      );
    const [whole] = playbackStretches([start, probes[probes.length - 1]!], 0);
    if (whole)
      console.log(
        `[soak] v${i} (${client}) whole run: ${whole.wallSec.toFixed(1)} s wall, media ${whole.advanceRate.toFixed(3)} ×, ` +
          `edge ${whole.edgeRate?.toFixed(3) ?? "-"} ×, behind live ${start.latencySec.toFixed(1)} → ${whole.latencySec.toFixed(1)} s, ` +
          `dropped ${whole.droppedFrames}/${whole.totalFrames} frames, waiting ${whole.waitingMs.toFixed(0)} ms, ` +
          `${whole.seeks} seeks (${whole.seekJumpSec.toFixed(1)} s)`,
      );
  });
  const verdicts = judgeSoak(result.series, windowSec);
  let ok = true;
  for (const v of verdicts) {
    const storeOk = v.maxStoreBytes <= storeMaxBytes;
    const heapOk = v.heapSlopeLastWindowBytesPerMin < 1_000_000;
    const peersOk = v.peersSecondHalfMax <= Math.max(v.peersFirstHalfMax, viewers - 1);
    const pendingOk = v.pendingSecondHalfMax <= v.pendingFirstHalfMax + 1;
    ok &&= storeOk && heapOk && peersOk && pendingOk;
    console.log(
      `[soak] viewer ${v.viewer}: store max ${(v.maxStoreBytes / 1048576).toFixed(1)} MiB of ${(storeMaxBytes / 1048576).toFixed(0)} ${storeOk ? "ok" : "OVER"}; ` +
        `heap slope over the last ${(windowSec / 60).toFixed(1)} min ${(v.heapSlopeLastWindowBytesPerMin / 1e6).toFixed(3)} MB/min ${heapOk ? "ok" : "TOO HIGH"}; ` +
        `peers ${v.peersFirstHalfMax} → ${v.peersSecondHalfMax} ${peersOk ? "ok" : "ROSE"}; ` +
        `pending ${v.pendingFirstHalfMax} → ${v.pendingSecondHalfMax} ${pendingOk ? "ok" : "ROSE"}`,
    );
  }
  const stalls = result.reports.reduce((sum, r) => sum + r.stalls, 0);
  const fatal = result.reports.reduce((sum, r) => sum + r.fatalErrors.length, 0);
  console.log(
    `[soak] ${stalls} stalls, ${fatal} fatal hls.js errors; verdict: ${ok && fatal === 0 ? "PASS" : "FAIL"}`,
  );
  process.exitCode = ok && fatal === 0 ? 0 : 1;
} finally {
  await closeBrowser(browser);
  await pages.close();
  await server.close();
}
