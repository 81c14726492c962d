// Live follow: asked once about a live playlist, the service polls it and hashes each new segment as
// it appears — before any viewer asks, and no later than a viewer polling ten times as often sees it.
import { afterEach, expect, it } from "vitest";
import { parseMetrics, sample } from "../stats/prometheus-text.js";
import { waitFor } from "../../support/wait-for.js";
import { sha256OfFile, startDigestHarness, swarmKeyOf, type DigestHarness } from "./digest-harness.js";

/** The service polls at half the target duration (2 s here); its fetch of a segment may lag a
 *  viewer that polls every 100 ms by that poll interval, plus the fetch on a busy 2-core machine. */
const POLL_MS = 1000;
const FETCH_SLACK_MS = 1000;

let h: DigestHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Segment URIs of a media playlist, in order. */
function uris(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));
}

it("hashes new live segments as they appear, before anyone asks, and stops when the swarm empties", async () => {
  h = await startDigestHarness({ digests: { precomputeTail: 1 } });
  const harness = h;
  const manifestUrl = `${harness.origin.url}/s/live/ts-ladder/master.m3u8`;
  const playlistUrl = `${harness.origin.url}/s/live/ts-ladder/144p/index.m3u8`;
  const member = await harness.join(swarmKeyOf(manifestUrl));
  const client = harness.client();
  const base = `${harness.origin.url}/s/live/ts-ladder/144p/`;
  const listed = async () => uris(await (await fetch(playlistUrl)).text());
  const segmentFetches = (uri: string) =>
    harness.origin.log.filter((entry) => entry.path === `/s/live/ts-ladder/144p/${uri}`);

  // One ask about the newest segment starts the follow.
  const window = await listed();
  const newest = window[window.length - 1]!;
  const first = await client.get({
    swarmKey: member.swarmKey,
    peerId: member.peerId,
    manifestUrl,
    playlistUrl,
    url: base + newest,
  });
  expect(first).toMatchObject({
    ok: true,
    sha256: sha256OfFile(harness.origin.filePathOf(`/s/live/ts-ladder/144p/${newest}`)),
  });

  // A viewer polling every 100 ms: for each of the next two segments, the service's own fetch of it
  // (nobody asked) comes within a poll interval of the viewer seeing it.
  const seen = new Set(window);
  for (let round = 0; round < 2; round++) {
    const appeared = await waitFor(
      async () => {
        const fresh = (await listed()).find((uri) => !seen.has(uri));
        return fresh !== undefined ? { uri: fresh, atMs: Date.now() } : undefined;
      },
      10_000,
      "a new segment in the live playlist",
      { intervalMs: 100 },
    );
    seen.add(appeared.uri);
    const fetched = await waitFor(
      () => segmentFetches(appeared.uri).find((entry) => entry.status === 206 || entry.status === 200),
      POLL_MS + FETCH_SLACK_MS + 2000,
      `the service's fetch of ${appeared.uri}`,
    );
    expect(fetched.atMs - appeared.atMs, appeared.uri).toBeLessThanOrEqual(POLL_MS + FETCH_SLACK_MS);
    const answer = await client.get({
      swarmKey: member.swarmKey,
      peerId: member.peerId,
      manifestUrl,
      playlistUrl,
      url: base + appeared.uri,
    });
    expect(answer).toMatchObject({
      ok: true,
      sha256: sha256OfFile(harness.origin.filePathOf(`/s/live/ts-ladder/144p/${appeared.uri}`)),
    });
    expect(segmentFetches(appeared.uri)).toHaveLength(1);
  }
  let metrics = parseMetrics(await (await fetch(`${harness.server.url}/metrics`)).text());
  expect(sample(metrics, "nearcast_digest_precomputed_total", {})).toBeGreaterThanOrEqual(2);
  expect(sample(metrics, "nearcast_digest_tracked", { kind: "following" })).toBe(1);

  // The swarm empties: the follow stops at its next poll.
  await member.leave();
  await waitFor(
    async () => {
      metrics = parseMetrics(await (await fetch(`${harness.server.url}/metrics`)).text());
      return sample(metrics, "nearcast_digest_tracked", { kind: "following" }) === 0;
    },
    3 * POLL_MS + 2000,
    "the follow to stop after the swarm emptied",
    { intervalMs: 100 },
  );
});

it("binds a segment newer than its copy of the playlist by fetching the asker's playlist", async () => {
  // A live playlist the test grows by hand, with a 10-s target duration: the follow's own poll
  // (every 5 s) cannot be what lists the new segment within this test.
  let last = 1;
  const media = (i: number) => `/s/vod/ts-ladder/144p/seg-00${i}.ts`;
  h = await startDigestHarness({
    origin: {
      routes: [
        {
          prefix: "/grow/",
          answer: (url) => {
            if (url.pathname === "/grow/index.m3u8") {
              const lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:10", "#EXT-X-MEDIA-SEQUENCE:0"];
              for (let i = 0; i <= last; i++) lines.push("#EXTINF:2,", `seg-${i}.ts`);
              return { kind: "playlist", text: `${lines.join("\n")}\n` };
            }
            const i = Number(/seg-(\d)\.ts$/.exec(url.pathname)?.[1]);
            return Number.isInteger(i) && i <= last
              ? { kind: "media", file: harness.origin.filePathOf(media(i)) }
              : { kind: "status", status: 404, text: "no such segment" };
          },
          sourceOf: () => {
            throw new Error("not used");
          },
        },
      ],
    },
  });
  const harness = h;
  const playlistUrl = `${harness.origin.url}/grow/index.m3u8`;
  const member = await harness.join(swarmKeyOf(playlistUrl));
  const client = harness.client();
  const ask = (i: number) =>
    client.get({
      swarmKey: member.swarmKey,
      peerId: member.peerId,
      manifestUrl: playlistUrl,
      playlistUrl,
      url: `${harness.origin.url}/grow/seg-${i}.ts`,
    });
  expect(await ask(0)).toMatchObject({ ok: true });
  expect(await ask(2)).toEqual({ ok: false, reason: "refused", detail: "not_in_playlist" });
  last = 2;
  expect(await ask(2)).toMatchObject({ ok: true, sha256: sha256OfFile(harness.origin.filePathOf(media(2))) });
  expect(harness.origin.log.filter((entry) => entry.path === "/grow/seg-2.ts")).toHaveLength(1);
});
