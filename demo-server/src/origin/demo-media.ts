// Whether the demo origin runs, and from which folders. The npm package ships without the demo media
// (15 MB nobody needs in production, issue 24); a checkout has it in demo-server/media. A server
// started without --media-dir therefore uses that folder when it is there and otherwise starts without
// it, saying so, instead of failing or serving 404s silently. An explicit --media-dir that is missing
// stays a start-up error (loadCatalog names the path).
import { existsSync } from "node:fs";
import path from "node:path";
import type { HlsDirSpec } from "./catalog-types.js";

/** The start-up log line and banner text when the default demo media is absent. */
export const DEMO_MEDIA_MISSING =
  "demo media not installed: the demo origin is off; pass --media-dir <dir> or --hls-dir, or run from a checkout";

/** The same with `--hls-dir` streams given: the origin runs with only those. */
export const DEMO_MEDIA_MISSING_HLS_ONLY =
  "demo media not installed: the demo origin serves only the --hls-dir streams; pass --media-dir <dir> " +
  "or run from a checkout for the demo streams";

export interface OriginPlan {
  /** Serve `/streams/…` and `/api/origin/…`. */
  origin: boolean;
  /** Folder of streams to load; undefined = only `hlsDirs`. */
  mediaDir: string | undefined;
  /** The default demo media was wanted but is not installed (the banner and log say so). */
  demoMediaMissing: boolean;
}

/**
 * Decides the origin from the options: `origin: false` reads no folder; an explicit `mediaDir` is used
 * as given (missing = CatalogError later); no `mediaDir` = `defaultDir` when it holds a folder,
 * otherwise only `hlsDirs`, or no origin at all when there are none.
 * @param exists file-system probe, replaced in unit tests
 */
export function planOrigin(
  options: { origin: boolean; mediaDir: string | undefined; hlsDirs: readonly HlsDirSpec[] },
  defaultDir: string,
  exists: (dir: string) => boolean = existsSync,
): OriginPlan {
  if (!options.origin) return { origin: false, mediaDir: undefined, demoMediaMissing: false };
  if (options.mediaDir !== undefined)
    return { origin: true, mediaDir: options.mediaDir, demoMediaMissing: false };
  if (exists(path.resolve(defaultDir)))
    return { origin: true, mediaDir: defaultDir, demoMediaMissing: false };
  return { origin: options.hlsDirs.length > 0, mediaDir: undefined, demoMediaMissing: true };
}
