// Issue 8: an LL-HLS live stream plays through hls.js (defaults: lowLatencyMode on) and the SDK with
// 3 Chromium viewers and P2P on. EXT-X-SERVER-CONTROL with CAN-BLOCK-RELOAD (the origin holds
// `_HLS_msn`/`_HLS_part` reloads until that part exists) and PART-HOLD-BACK, EXT-X-PART-INF, and
// EXT-X-PART lines as resources of their own and as byte ranges of the segment file. Every part's
// and every segment's bytes hls.js receives must equal the origin's (SHA-256), with no fatal error
// while playback advances. Parts travel over HTTP by design (see the README); whole segments are
// Nearcast's to share.
import { describe, expect, it } from "vitest";
import { lowLatencyRoute } from "../support/ll-stream.js";
import { startTestOrigin } from "../support/test-origin.js";
import { useBrowserRig } from "./support/rig.js";
import { runShape } from "./support/matrix-run.js";

const WATCH_MS = 20_000;

const rig = useBrowserRig();

describe("LL-HLS live, hls.js defaults, 3 Chromium viewers, P2P on", () => {
  it.each([
    { name: "parts as URIs of their own", shape: "uri" },
    { name: "parts as byte ranges of the segment file", shape: "range" },
  ])("$name", { timeout: 120_000 }, async ({ shape }) => {
    const { browser, trackerUrl, open, origins } = rig();
    const origin = await startTestOrigin({ routes: [lowLatencyRoute()] });
    origins.push(origin);
    const sinceMs = Date.now();
    const results = await runShape({
      browser,
      origin,
      manifest: `/ll/${shape}/index.m3u8`,
      query: "p2p=1",
      trackerUrl,
      name: `ll-${shape}`,
      watchMs: WATCH_MS,
      onOpen: (v) => open.push(v),
      log: (line) => console.log(line),
    });
    const blocking = origin.log.filter((l) => l.atMs >= sinceMs && l.path.endsWith("/144p/index.m3u8"));
    for (const r of results) {
      const parts = r.frags.filter((f) => f.part);
      const segments = r.frags.filter((f) => !f.part && f.sn !== "initSegment");
      const errors = r.report.playerErrors.map((e) => `${e.details}${e.fatal ? "(fatal)" : ""}`);
      console.log(
        `[ll-hls] ${shape} ${r.name}: ${parts.length} parts${shape === "range" ? ` (${parts.filter((f) => f.rangeEnd > 0).length} as ranges)` : ""}, ` +
          `${segments.length} whole segments, advanced ${r.report.advancedSec.toFixed(1)} s, longest stall ${r.report.longestStallMs} ms, ` +
          `p2p ${r.stats?.p2pDownloadedBytes ?? 0} B, http ${r.stats?.httpDownloadedBytes ?? 0} B; hls.js errors: ${errors.join(", ") || "none"}`,
      );
      expect(r.badFrags, `${r.name}: parts or segments that differ from the origin's`).toEqual([]);
      expect(r.report.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
      expect(parts.length, `${r.name}: parts loaded`).toBeGreaterThan(5);
      if (shape === "range")
        expect(
          parts.every((f) => f.rangeEnd > f.rangeStart),
          `${r.name}: parts as byte ranges`,
        ).toBe(true);
      expect(r.report.advancedSec, `${r.name}: played`).toBeGreaterThan(WATCH_MS / 2000);
    }
    console.log(`[ll-hls] ${shape}: ${blocking.length} media playlist requests at the origin`);
  });
});
