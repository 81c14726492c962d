// Chromium 156 here answers canPlayType("application/vnd.apple.mpegurl") with "maybe" and plays HLS
// by itself. A page that gives the stream to that player instead of the hls.js instance Nearcast
// follows gets no P2P at all; the SDK must say so with one `warning` (issue 23), and stay quiet
// while hls.js does drive the element.
import type { Page } from "puppeteer-core";
import { describe, expect, it } from "vitest";
import { startTestOrigin, type TestOrigin } from "../support/test-origin.js";
import { useBrowserRig } from "./support/rig.js";
import { openViewer, type Viewer } from "./support/viewer.js";

const rig = useBrowserRig();
const MANIFEST = "/s/vod/ts-ladder/master.m3u8";
const NATIVE = "not driving playback";

async function open(
  name: string,
  query: string,
): Promise<{ viewer: Viewer; origin: TestOrigin; src: string }> {
  const { browser, open: opened, origins } = rig();
  const origin = await startTestOrigin();
  origins.push(origin);
  const src = origin.url + MANIFEST;
  const viewer = await openViewer(
    browser,
    `${origin.url}/page/index.html?p2p=0&${query}&src=${encodeURIComponent(src)}`,
    { name },
  );
  opened.push(viewer);
  return { viewer, origin, src };
}

const warnings = (page: Page) => page.evaluate(() => (window as unknown as { warnings: string[] }).warnings);

/** Resolves once the page's first <video> played past `sec` (whoever drives it), with a deadline. */
async function playedPast(page: Page, sec: number): Promise<void> {
  await page.waitForFunction(
    (s) => (document.querySelector("video")?.currentTime ?? 0) > s,
    {
      timeout: 30_000,
      polling: 200,
    },
    sec,
  );
}

describe("native HLS chosen over hls.js", () => {
  it("warns once when the page plays the stream natively after attaching hls.js", async () => {
    const { viewer, src } = await open("native-first", "spa=1");
    const canPlay = await viewer.page.evaluate(async (url) => {
      const w = window as unknown as {
        Hls: new (c: object) => object;
        nearcast: { hlsConfig(): object; attach(h: object): void };
      };
      // The pattern issue 23 is about: hls.js made and followed, then native chosen by canPlayType.
      const hls = new w.Hls({ ...w.nearcast.hlsConfig() });
      w.nearcast.attach(hls);
      const video = document.createElement("video");
      video.muted = true;
      document.getElementById("player")!.append(video);
      const answer = video.canPlayType("application/vnd.apple.mpegurl");
      if (answer) video.src = url;
      await video.play().catch(() => undefined);
      return answer;
    }, src);
    expect(canPlay, "Chromium's answer for HLS").toBe("maybe");
    await playedPast(viewer.page, 2);
    const seen = await warnings(viewer.page);
    expect(seen.length, `warnings: ${JSON.stringify(seen)}`).toBe(1);
    expect(seen[0]).toMatch(/^native-playback: /);
    expect(seen[0]).toContain(NATIVE);
    expect(seen[0]).toContain(src);
  });

  it("warns once when native playback takes the element over from hls.js", async () => {
    const { viewer, src } = await open("hijack", "");
    await viewer.waitForPlaying();
    expect(await warnings(viewer.page), "while hls.js plays").toEqual([]);
    await viewer.page.evaluate((url) => {
      const video = document.querySelector("video")!;
      video.src = url;
      void video.play().catch(() => undefined);
    }, src);
    await viewer.page.waitForFunction(
      () => (window as unknown as { warnings: string[] }).warnings.length > 0,
      { timeout: 20_000, polling: 100 },
    );
    await playedPast(viewer.page, 2);
    const seen = await warnings(viewer.page);
    expect(seen.length, `warnings: ${JSON.stringify(seen)}`).toBe(1);
    expect(seen[0]).toMatch(/^native-playback: /);
    expect(seen[0]).toContain(NATIVE);
  });

  it("stays quiet while hls.js drives the element", async () => {
    const { viewer } = await open("hls-first", "");
    await viewer.waitForPlaying();
    await playedPast(viewer.page, 6);
    expect(await warnings(viewer.page)).toEqual([]);
  });
});
