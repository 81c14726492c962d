// Issue 9 item 3: a CDN that requires credentials. A page on one loopback origin plays from a CDN
// on another that answers 401 to any request without the credential; hls.js is configured the way
// such sites configure it and Nearcast must follow. A hostile peer that stalls mid-segment forces
// Range resumes, which must carry the credential too.
//
// The CDN is on localhost (another site than the page's 127.0.0.1) except for the cookie case: there
// it is 127.0.0.1 on another port, cross-origin but same-site. Chromium binds cookies to scheme and
// port, and a cookie a browser sends cross-site must be `SameSite=None; Secure`, which needs https;
// same-site cross-origin still needs `credentials: "include"` and CORS with credentials, which is
// what this checks.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { BrowserContext } from "puppeteer-core";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../demo-server/src/config.js";
import { segmentId } from "../../sdk/src/engine/segment-identity.js";
import { HostilePeer } from "../support/hostile-peer.js";
import { waitFor } from "../support/wait-for.js";
import { startCredentialedCdn, type CdnAuthMode, type CredentialedCdn } from "./support/credentialed-cdn.js";
import { startEmbeddingSite, type EmbeddingSite } from "./support/credentialed-page.js";
import { useBrowserRig } from "./support/rig.js";

const SECRET = "s3cr3t-viewer-token";
const SEGMENT_DIR = path.join(REPO_ROOT, "demo-server", "media", "demo", "240p");
/**
 * Every segment of the stream by the id Nearcast gives it: its URL path at the CDN (`/demo/240p/…`),
 * no byte range, and no digest (the CDN serves the raw playlists, which publish none).
 */
const SEGMENTS = new Map(
  readdirSync(SEGMENT_DIR)
    .filter((f) => f.endsWith(".ts"))
    .map((f) => [
      segmentId("media", `/demo/240p/${f}`, undefined, undefined),
      new Uint8Array(readFileSync(path.join(SEGMENT_DIR, f))),
    ]),
);

const rig = useBrowserRig();
/** The page's own site, with its own tracker (the demo server's is not used here). */
let site: EmbeddingSite | undefined;

beforeAll(async () => {
  site = await startEmbeddingSite();
  rig().cleanups.push(() => site?.close());
});

interface PageState {
  loaded: { swarmKey: string; source: string; httpBytes: number; p2pBytes: number }[];
  fatalErrors: string[];
  currentTime: number;
}

async function watch(
  mode: CdnAuthMode,
): Promise<{ cdn: CredentialedCdn; state: PageState; hostile: HostilePeer }> {
  const { browser } = rig();
  if (!site) throw new Error("set-up failed");
  const cdn = await startCredentialedCdn({
    mode,
    secret: SECRET,
    pageOrigin: site.origin,
    hostName: mode === "cookie" ? "127.0.0.1" : "localhost",
  });
  let context: BrowserContext | undefined;
  let hostile: HostilePeer | undefined;
  try {
    // The CDN really refuses a request without the credential.
    expect((await fetch(cdn.manifestUrl)).status).toBe(401);
    cdn.requests.length = 0;

    context = await browser.createBrowserContext();
    if (mode === "cookie") {
      await context.setCookie({
        name: "cdn_session",
        value: SECRET,
        domain: "127.0.0.1",
        path: "/",
        // As if the CDN had set it over plain http.
        sourceScheme: "NonSecure",
      });
    }
    const page = await context.newPage();
    await page.goto(`${site.origin}/`);
    const streamId = `credentialed-${mode}`;
    await page.evaluate((o) => (window as unknown as { startPlayer(o: unknown): void }).startPlayer(o), {
      mode,
      secret: SECRET,
      manifestUrl: cdn.manifestUrl,
      trackerUrl: site.trackerUrl,
      streamId,
    });
    const read = () =>
      page.evaluate(() => {
        const w = window as unknown as PageState & { hls?: { media?: HTMLMediaElement } };
        return { loaded: w.loaded, fatalErrors: w.fatalErrors, currentTime: w.hls?.media?.currentTime ?? 0 };
      });
    const first = await waitFor(async () => (await read()).loaded[0], 30_000, `${mode}: first segment`, {
      intervalMs: 200,
    });
    // A peer that claims every segment, serves the first 16 KiB of a request and then goes silent.
    hostile = await HostilePeer.start({
      trackerUrl: site.trackerUrl,
      swarmKey: first.swarmKey,
      segments: SEGMENTS,
      behaviour: "stall",
      offers: 1,
    });
    // The event the test needs: the player got a segment the peer began and HTTP finished. Each
    // stall is one more chance; a copy whose spot check did not answer in time is refetched whole.
    const state = await waitFor(
      async () => {
        const s = await read();
        return s.loaded.some((l) => l.p2pBytes > 0 && l.httpBytes > 0) ? s : undefined;
      },
      60_000,
      `${mode}: a segment finished over HTTP after the peer stalled`,
      { intervalMs: 200 },
    );
    return { cdn, state, hostile };
  } finally {
    await hostile?.stop();
    await context?.close();
    await cdn.close();
  }
}

describe("Nearcast's HTTP requests carry the page's CDN credentials (real Chromium, real hls.js)", () => {
  for (const mode of ["bearer", "cookie", "query"] as const) {
    it(`${mode}: no request reaches the CDN unauthorized, Range resumes included`, async () => {
      const { cdn, state, hostile } = await watch(mode);
      const segments = cdn.requests.filter((r) => r.path.endsWith(".ts"));
      console.log(
        `[credentialed-cdn] ${mode}: ${cdn.requests.length} CDN requests (${segments.length} segments, ` +
          `${cdn.resumes().length} Range resumes, ${cdn.spotChecks().length} spot checks), ` +
          `${cdn.unauthorized()} unauthorized; ` +
          `${hostile.requests.length} requests to the stalling peer; played ${state.currentTime.toFixed(1)} s`,
      );
      expect(cdn.unauthorized(), "401s at the CDN").toBe(0);
      expect(cdn.requests.every((r) => r.authorized)).toBe(true);
      expect(hostile.requests.length, "segments asked of the stalling peer").toBeGreaterThan(0);
      expect(cdn.resumes().length, "Range resumes from where the peer stalled").toBeGreaterThan(0);
      // Status 0 = still being answered when the test looked.
      const answered = [...cdn.resumes(), ...cdn.spotChecks()].filter((r) => r.status !== 0);
      expect(
        answered.map((r) => r.status).filter((status) => status !== 206),
        "resumes not 206",
      ).toEqual([]);
      expect(state.fatalErrors).toEqual([]);
    });
  }
});
