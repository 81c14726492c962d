// The demo origin as one unit for the composition root: catalog + counters + router.
import { Router } from "express";
import type express from "express";
import { loadCatalog } from "./catalog.js";
import type { Catalog, HlsDirSpec } from "./catalog-types.js";
import { CDN_OFF, type CdnEmulation } from "./cdn-emulation.js";
import { DEFAULT_MAX_SEGMENT_KEYS, OriginCounters } from "./origin-counters.js";
import type { OriginStatsSnapshot } from "./origin-counters.js";
import { createOriginRouter } from "./origin-router.js";

export interface OriginOptions {
  /** Folder of stream subfolders; undefined = only `hlsDirs`. */
  mediaDir: string | undefined;
  hlsDirs: readonly HlsDirSpec[];
  liveWindowSegments: number;
  cdn: CdnEmulation;
  clock: () => number;
  /** Per-rendition bound of the per-segment counters. */
  maxSegmentKeys?: number;
  warn?: (message: string) => void;
  /** Publish segment digests in media playlists. @default true */
  publishDigests?: boolean;
}

/** Handle on a running origin, exposed as `RunningServer.origin`. */
export interface OriginHandle {
  readonly catalog: Catalog;
  readonly router: express.Router;
  /** Same JSON as `GET /api/origin/stats`. */
  getStats(): OriginStatsSnapshot;
  /** Same as `POST /api/origin/stats/reset`. */
  resetStats(): void;
}

/** Loads the catalog (throws CatalogError naming the path on bad media) and builds the router. */
export async function createOrigin(options: OriginOptions): Promise<OriginHandle> {
  const catalog = await loadCatalog({
    mediaDir: options.mediaDir,
    hlsDirs: options.hlsDirs,
    warn: options.warn,
  });
  const counters = new OriginCounters(
    { ...options.cdn },
    options.clock,
    options.maxSegmentKeys ?? DEFAULT_MAX_SEGMENT_KEYS,
  );
  const router = createOriginRouter({
    catalog,
    counters,
    cdn: options.cdn,
    liveWindowSegments: options.liveWindowSegments,
    clock: options.clock,
    publishDigests: options.publishDigests ?? true,
  });
  return {
    catalog,
    router,
    getStats: () => counters.snapshot(),
    resetStats: () => counters.reset(),
  };
}

/**
 * The handle of a switched-off origin (`origin: false`): no streams, counters that stay at zero, a
 * router that matches nothing. Reads no media folder.
 */
export function disabledOrigin(clock: () => number): OriginHandle {
  const counters = new OriginCounters({ ...CDN_OFF }, clock, DEFAULT_MAX_SEGMENT_KEYS);
  return {
    catalog: { streams: new Map() },
    router: Router(),
    getStats: () => counters.snapshot(),
    resetStats: () => counters.reset(),
  };
}
