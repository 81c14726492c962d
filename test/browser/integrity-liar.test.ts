// A viewer whose data channel corrupts every data frame it sends (bytes flipped after the 14-byte
// header, so the frames stay well formed) joins first, then 3 honest viewers, on a live CMAF stream and
// on a VOD MPEG-TS stream, with the origin's digests published. Every FRAG_LOADED payload of every
// honest player is hashed in the page and compared with the origin's file: none may differ. The liar
// is banned after its first bad segment; no fatal errors, no stalls; and the honest viewers' offload
// stays within 0.05 of the same 3 honest viewers without the liar, measured in the same run: in the
// phase without the liar its place (first to join) goes to a player with P2P off, so both phases
// run 4 players on the same 2 cores, in the same join order, and the honest three have the same
// sources; what differs is only whether the fourth lies or stays out of the swarm.
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CatalogRendition } from "../../demo-server/src/origin/catalog-types.js";
import { startServer, type RunningServer } from "../../demo-server/src/server.js";
import { runAudience, type AudienceResult } from "./support/audience.js";
import { closeBrowser, launchBrowser } from "./support/chromium.js";
import { describePlayback } from "./support/playback-report.js";
import type { Viewer } from "./support/viewer.js";

const VIEWERS = 4;
const WATCH_MS = 30_000;
const STAGGER_MS = 2000;
/** The liar joins first, so it holds (and offers) every segment the others want next. */
const LIAR = 0;

let server: RunningServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startServer({ host: "127.0.0.1", port: 0 });
  browser = await launchBrowser();
});

afterAll(async () => {
  try {
    await closeBrowser(browser);
  } finally {
    await server?.close();
  }
});

interface FragRecord {
  url: string;
  sn: number | string;
  bytes: number;
  sha256: string;
}

/*
 * In-page scripts are strings: a function passed to evaluateOnNewDocument is serialised with
 * toString(), and the test transform wraps named functions in a helper the page does not have.
 */

/**
 * Every page: hash each fragment payload hls.js receives. At FRAG_LOADED hls.js has already handed
 * the payload to its transmuxer (the buffer is detached), so the loader hls.js uses is wrapped and
 * the bytes are copied as they are handed over (the same bytes FRAG_LOADED carries).
 */
const RECORD_FRAGMENTS = `
  window.__frags = [];
  window.__events = [];
  let engine;
  Object.defineProperty(window, "nearcast", {
    configurable: true,
    get() { return engine; },
    set(nearcast) {
      engine = nearcast;
      ["integrity-failure", "peer-connected", "peer-disconnected"].forEach(function (name) {
        nearcast.on(name, function (arg) {
          window.__events.push({ name: name, atMs: Date.now(), peerId: arg.peerId, peerIds: arg.peerIds, reason: arg.reason, segmentId: arg.segmentId });
        });
      });
    },
  });
  let current;
  Object.defineProperty(window, "hls", {
    configurable: true,
    get() { return current; },
    set(hls) {
      current = hls;
      // Read by hls.js when the first level loads, after this setter runs (see corruptDataFrames).
      if (window.__liveSyncSegments) hls.config.liveSyncDurationCount = window.__liveSyncSegments;
      const Inner = hls.config.fLoader;
      hls.config.fLoader = class extends Inner {
        load(context, config, callbacks) {
          const onSuccess = callbacks.onSuccess;
          const wrapped = Object.assign({}, callbacks, {
            onSuccess(response, stats, ctx, details) {
              const copy = response.data.slice(0);
              const url = ctx.url;
              const sn = ctx.frag.sn;
              crypto.subtle.digest("SHA-256", copy).then(function (digest) {
                const hex = Array.from(new Uint8Array(digest), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
                window.__frags.push({ url: url, sn: sn, bytes: copy.byteLength, sha256: hex, part: Boolean(ctx.part) });
              });
              return onSuccess(response, stats, ctx, details);
            },
          });
          return super.load(context, config, wrapped);
        }
      };
    },
  });
`;

/**
 * The liar's page: flip every payload byte of every outgoing data frame (type 0x11, 14-byte header).
 * It also plays one segment behind the live edge (hls.js `liveSyncDurationCount` 1, the others keep
 * the default 3): with the smallest buffer its new-segment hold has no slack, so it is the first to
 * fetch each new segment and announces `fetching`, and the honest viewers ask it. Without that, who
 * asks the liar for anything is a coin toss at the live edge: in CI it once uploaded 0 B in three
 * attempts, and the run tested nothing.
 */
const CORRUPT_DATA_FRAMES = `
  window.__liedFrames = 0;
  window.__liveSyncSegments = 1;
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    let view;
    if (ArrayBuffer.isView(data)) view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (data instanceof ArrayBuffer) view = new Uint8Array(data);
    if (view && view.byteLength > 14 && view[1] === 0x11) {
      const lie = view.slice();
      for (let i = 14; i < lie.length; i++) lie[i] = ~lie[i] & 0xff;
      window.__liedFrames++;
      return send.call(this, lie);
    }
    return send.call(this, data);
  };
`;

async function recordFragments(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(RECORD_FRAGMENTS);
}

async function corruptDataFrames(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(CORRUPT_DATA_FRAMES);
}

interface PageEvent {
  name: string;
  atMs: number;
  peerId?: string;
  peerIds?: string[];
  reason?: string;
  swarmKey?: string;
  segmentId?: string;
}

interface PageFindings {
  frags: FragRecord[];
  events: PageEvent[];
  liedFrames: number;
  peerId: string | undefined;
}

async function findings(viewer: Viewer): Promise<PageFindings> {
  return viewer.page.evaluate(
    `({ frags: window.__frags, events: window.__events, liedFrames: window.__liedFrames || 0, peerId: window.nearcast && window.nearcast.engine.peerId })`,
  ) as Promise<PageFindings>;
}

/** The SHA-256 of the origin's file behind a media URL (VOD key, or live name mapped to its source). */
function originDigest(url: string): string | undefined {
  const match = /\/streams\/([^/]+)\/(vod|live)\/([^/]+)\/([^/?]+)/.exec(new URL(url).pathname);
  if (!match || !server) return undefined;
  const [, streamName, mode, renditionName, file] = match;
  const rendition: CatalogRendition | undefined = server.origin.catalog.streams
    .get(streamName!)
    ?.renditions.get(renditionName!);
  if (!rendition) return undefined;
  if (
    rendition.init &&
    (file === rendition.init.key || (mode === "live" && file === `init${rendition.init.extension}`))
  )
    return rendition.init.sha256;
  if (mode === "vod") return rendition.segmentsByKey.get(file!)?.sha256;
  const msn = /^seg-live-(\d+)\./.exec(file!);
  return msn ? rendition.segments[Number(msn[1]) % rendition.segments.length]?.sha256 : undefined;
}

interface Phase {
  result: AudienceResult;
  pages: PageFindings[];
}

async function runPhase(path: string, name: string, withLiar: boolean): Promise<Phase> {
  if (!server || !browser) throw new Error("server or browser did not start");
  let pages: PageFindings[] = [];
  const result = await runAudience({
    server,
    browser,
    viewers: VIEWERS,
    path,
    // Without the liar, its place goes to a player that plays over HTTP only (see the file comment).
    pathFor: (index) => (!withLiar && index === LIAR ? `${path}&p2p=0` : undefined),
    watchMs: WATCH_MS,
    staggerMs: STAGGER_MS,
    name,
    beforeLoad: async (index, page) => {
      await recordFragments(page);
      if (withLiar && index === LIAR) await corruptDataFrames(page);
    },
    beforeClose: async (viewers) => {
      pages = await Promise.all(viewers.map(findings));
    },
  });
  for (const r of result.reports) console.log(`[integrity] ${describePlayback(r)}`);
  return { result, pages };
}

/** p2p (verified) / all bytes of the honest viewers: every viewer but the liar's place. */
function honestOffload(phase: Phase): number {
  let p2p = 0;
  let all = 0;
  phase.result.reports.forEach((r, i) => {
    if (i === LIAR || !r.finalStats) return;
    const useful = r.finalStats.p2pDownloadedBytes - r.finalStats.discardedP2pBytes;
    p2p += useful;
    all += useful + r.finalStats.httpDownloadedBytes;
  });
  return all > 0 ? p2p / all : 0;
}

describe.each([
  // Asserted on both since the phase without the liar runs 4 players too (a P2P-off one in the
  // liar's place): on live the difference was −0.008 and −0.039 in two runs (BENCHMARKS.md), where
  // comparing against 3 players alone gave −0.339 on a CPU-starved run.
  ["live CMAF", "/?src=/streams/demo-fmp4/live/master.m3u8"],
  ["VOD MPEG-TS", "/?stream=vod"],
])("a lying viewer among %s viewers, digests published", (label, path) => {
  it(
    "0 wrong fragments reach hls.js, the liar is banned at its first bad segment, offload holds",
    // The liar plays closest to the live edge, so the honest viewers do ask it (see
    // CORRUPT_DATA_FRAMES). A retry re-rolls the offload comparison, a 30-s sample of 3 viewers; a
    // real regression fails all 3 attempts.
    { timeout: 360_000, retry: 2 },
    async () => {
      const baseline = await runPhase(path, `${label}-no-liar`, false);
      const lied = await runPhase(path, `${label}-liar`, true);

      const liar = lied.pages[LIAR]!;
      expect(liar.liedFrames, "data frames the liar corrupted").toBeGreaterThan(0);
      let checked = 0;
      let failures = 0;
      for (const [i, page] of lied.pages.entries()) {
        if (i === LIAR) continue;
        for (const frag of page.frags) {
          const expected = originDigest(frag.url);
          expect(expected, `origin digest for ${frag.url}`).toBeDefined();
          expect(frag.sha256, `viewer ${i}: ${frag.url} (sn ${frag.sn})`).toBe(expected);
          checked++;
        }
        const report = lied.result.reports[i]!;
        const stats = report.finalStats!;
        expect(report.fatalErrors, `viewer ${i} fatal errors`).toEqual([]);
        expect(report.stalls, `viewer ${i} stalls`).toBe(0);
        // Banned at the first bad segment: at most one failure per viewer, and never connected again.
        expect(stats.integrityFailures, `viewer ${i} integrity failures`).toBeLessThanOrEqual(1);
        // (A viewer the liar never served has no reason to ban it.)
        if (stats.integrityFailures > 0) {
          const about = page.events.filter(
            (e) => e.peerId === liar.peerId || e.peerIds?.includes(liar.peerId ?? ""),
          );
          expect(
            stats.peers.map((p) => p.peerId),
            JSON.stringify(about),
          ).not.toContain(liar.peerId);
        }
        failures += stats.integrityFailures;
      }
      expect(failures, "honest viewers that caught the liar").toBeGreaterThanOrEqual(1);
      const before = honestOffload(baseline);
      const after = honestOffload(lied);
      console.log(
        `[integrity] ${label}: ${checked} fragments verified against the origin; ${failures} integrity failures; ` +
          `honest offload ${before.toFixed(3)} without the liar, ${after.toFixed(3)} with it; ` +
          `liar corrupted ${liar.liedFrames} frames`,
      );
      expect(checked).toBeGreaterThan(0);
      expect(
        Math.abs(after - before),
        "honest viewers' offload with vs without the liar",
      ).toBeLessThanOrEqual(0.05);
    },
  );
});
