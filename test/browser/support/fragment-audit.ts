// In-page instruments for the demo player, shared by the integrity tests and the liar bench: every
// fragment payload hls.js receives is hashed in the page (to compare with the origin's file), the
// SDK's peer events are recorded, and a page can be made to lie (corrupt every data frame it sends
// to peers). Plus the origin-side truth: the SHA-256 of the demo server's file behind a media URL.
import type { Page } from "puppeteer-core";
import type { CatalogRendition } from "../../../demo-server/src/origin/catalog-types.js";
import type { RunningServer } from "../../../demo-server/src/server.js";
import { runAudience, type AudienceOptions, type AudienceResult } from "./audience.js";
import type { Viewer } from "./viewer.js";

/** One fragment payload hls.js received, hashed in the page. */
export interface FragRecord {
  url: string;
  sn: number | string;
  bytes: number;
  sha256: string;
  part: boolean;
}

/** An SDK event the page recorded (`integrity-failure`, `peer-connected`, `peer-disconnected`). */
export interface PageEvent {
  name: string;
  atMs: number;
  peerId?: string;
  peerIds?: string[];
  reason?: string;
  segmentId?: string;
}

/** What one page recorded, read before it closes. */
export interface PageFindings {
  frags: FragRecord[];
  events: PageEvent[];
  /** Data frames this page corrupted (0 unless it was made a liar). */
  liedFrames: number;
  peerId: string | undefined;
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
  window.__hashing = 0;
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
      // Read by hls.js when the first level loads, after this setter runs (see CORRUPT_DATA_FRAMES).
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
              window.__hashing++;
              crypto.subtle.digest("SHA-256", copy).then(function (digest) {
                const hex = Array.from(new Uint8Array(digest), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
                window.__frags.push({ url: url, sn: sn, bytes: copy.byteLength, sha256: hex, part: Boolean(ctx.part) });
                window.__hashing--;
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
 * The liar's page: flip every payload byte of every outgoing data frame (type 0x11, 14-byte header),
 * so the frames stay well formed and only their content lies. It also plays one segment behind the
 * live edge (hls.js `liveSyncDurationCount` 1, the others keep the default 3): with the smallest
 * buffer its new-segment hold has no slack, so it is the first to fetch each new live segment and
 * announces `fetching`, and the honest viewers ask it. Without that, who asks the liar for anything
 * is a coin toss at the live edge.
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

/** Before the page loads: record every fragment payload and the SDK's peer events. */
export async function recordFragments(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(RECORD_FRAGMENTS);
}

/** Before the page loads: make it a liar (see CORRUPT_DATA_FRAMES). */
export async function corruptDataFrames(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(CORRUPT_DATA_FRAMES);
}

/** What the page recorded, once the hashes still being computed are in. */
export async function readFindings(viewer: Viewer): Promise<PageFindings> {
  await viewer.page.waitForFunction("window.__hashing === 0", { timeout: 5_000 });
  return viewer.page.evaluate(
    `({ frags: window.__frags, events: window.__events, liedFrames: window.__liedFrames || 0, peerId: window.nearcast && window.nearcast.engine.peerId })`,
  ) as Promise<PageFindings>;
}

/**
 * The SHA-256 of the demo server's file behind a media URL (VOD key, or a live name mapped to the
 * source segment it loops), or undefined for a URL the demo origin does not serve.
 */
export function demoOriginDigest(server: RunningServer, url: string): string | undefined {
  const match = /\/streams\/([^/]+)\/(vod|live)\/([^/]+)\/([^/?]+)/.exec(new URL(url).pathname);
  if (!match) return undefined;
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

/** Fragments whose bytes are not the origin's, as "url (sn N)" (empty when every one matches). */
export function wrongFragments(server: RunningServer, findings: PageFindings): string[] {
  return findings.frags
    .filter((f) => f.sha256 !== demoOriginDigest(server, f.url))
    .map((f) => `${f.url} (sn ${f.sn}, ${f.bytes} B)`);
}

export interface AuditedAudienceOptions extends Omit<
  AudienceOptions,
  "beforeLoad" | "beforeClose" | "onOpen"
> {
  /** The viewer (by join order) whose page lies; none when undefined. */
  liar?: number;
  /** Viewer `index` plays with P2P off (its page path gets `&p2p=0`). */
  p2pOff?: number;
  onOpen?: (viewer: Viewer) => void;
}

export interface AuditedAudience {
  result: AudienceResult;
  /** What each page recorded, by join order. */
  pages: PageFindings[];
}

/** {@link runAudience} with every page's fragments recorded, and optionally one liar. */
export async function runAuditedAudience(options: AuditedAudienceOptions): Promise<AuditedAudience> {
  const { liar, p2pOff, ...audience } = options;
  let pages: PageFindings[] = [];
  const result = await runAudience({
    ...audience,
    pathFor: (index) => (index === p2pOff ? `${options.path}&p2p=0` : undefined),
    beforeLoad: async (index, page) => {
      await recordFragments(page);
      if (index === liar) await corruptDataFrames(page);
    },
    beforeClose: async (viewers) => {
      pages = await Promise.all(viewers.map(readFindings));
    },
  });
  return { result, pages };
}
