// Issue 8, identity case 1: two videos behind one path, chosen by query (`/watch/index.m3u8?v=A` and
// `?v=B`, same ladder, same segment names, every viewer with its own `?token=`). Viewers of A and of B
// play in one run, one browser, one tracker; every fragment hls.js receives must be that viewer's own
// video's bytes (SHA-256 against the origin's file), with no fatal error, while viewers of the same
// video still trade segments. Two shapes: segment URIs that differ only by the query, without
// digests (what the default stream and segment keys must get right on their own), and segment URIs
// that differ by path, with digests published.
import { beforeAll, describe, expect, it } from "vitest";
import { queryVideosRoute } from "../support/identity-streams.js";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { useBrowserRig } from "./support/rig.js";
import { runShape } from "./support/matrix-run.js";

const WATCH_MS = 15_000;
const VIEWERS = 4;

const rig = useBrowserRig();
let origin: TestOrigin | undefined;

beforeAll(async () => {
  origin = await startTestOrigin({ routes: [queryVideosRoute()] });
  rig().origins.push(origin);
});

const videoOf = (i: number) => (i % 2 === 0 ? "A" : "B");

describe("two videos behind one path, chosen by query: 4 Chromium viewers (A, B, A, B), P2P on", () => {
  it.each([
    { name: "segment URIs differ only by query, no digests", shape: "q", digests: "n" },
    { name: "segment URIs differ by path, digests published", shape: "p", digests: "d" },
  ])("$name", { timeout: 120_000 }, async ({ shape, digests }) => {
    const { browser, trackerUrl, open } = rig();
    if (!origin) throw new Error("set-up failed");
    const results = await runShape({
      browser,
      origin,
      manifest: `/id/v/${shape}/${digests}/watch/index.m3u8`,
      manifestQuery: (i) => `?v=${videoOf(i)}&token=viewer${i}`,
      // The videos are 20 s long: with hls.js's default 30-s buffer a viewer fetches all of it in
      // its first second, before its first peer connection may be up on a slow machine (CI once saw
      // one pair trade nothing). A 4-s buffer fetches during playback, as a long VOD would.
      query: "p2p=1&buffer=4",
      trackerUrl,
      name: `query-${shape}${digests}`,
      viewers: VIEWERS,
      watchMs: WATCH_MS,
      onOpen: (v) => open.push(v),
      log: (line) => console.log(line),
    });
    const p2pByVideo: Record<string, number> = { A: 0, B: 0 };
    for (const [i, r] of results.entries()) {
      const video = videoOf(i);
      expect(r.badFrags, `${r.name} (video ${video}): fragments that are not its own video's bytes`).toEqual(
        [],
      );
      expect(r.frags.length, `${r.name}: fragments`).toBeGreaterThan(3);
      expect(r.report.fatalErrors, `${r.name}: fatal errors`).toEqual([]);
      expect(r.report.advancedSec, `${r.name}: played`).toBeGreaterThan(WATCH_MS / 2000);
      // Every URL the player loaded is its own video's (the origin would serve the other's otherwise).
      for (const f of r.frags)
        expect(f.url.includes(`v=${video}`) || f.url.includes(`/media/${video}/`), f.url).toBe(true);
      // Its peers are all in its own video's swarms.
      for (const peer of r.stats?.peers ?? [])
        expect(peer.swarmKey, `${r.name} peer`).toContain(`v=${video}`);
      p2pByVideo[video]! += r.stats?.p2pDownloadedBytes ?? 0;
      console.log(
        `[identity-query] ${shape}${digests} ${r.name} video ${video}: ${r.frags.length} frags, ` +
          `p2p ${r.stats?.p2pDownloadedBytes ?? 0} B, http ${r.stats?.httpDownloadedBytes ?? 0} B, ` +
          `integrity failures ${r.stats?.integrityFailures ?? 0}`,
      );
    }
    // Viewers of the same video still share (the swarm key keeps `v`, drops the per-viewer token).
    expect(p2pByVideo.A, "bytes A viewers got from peers").toBeGreaterThan(0);
    expect(p2pByVideo.B, "bytes B viewers got from peers").toBeGreaterThan(0);
    for (const r of results) expect(r.stats?.integrityFailures ?? 0, `${r.name} integrity failures`).toBe(0);
  });
});
