// Before a trust scenario's first viewer: makes sure the origin is what the scenario claims — one
// that publishes no Nearcast digests, behind a digest service that will not serve a swarm this
// small — so the ladder Nearcast climbs is the CDN spot checks, not a stronger rung by accident.
import { SEGMENT_DIGEST_TAG } from "../../demo-server/src/origin/playlist-digests.js";

/** What was checked, for the results JSON and the progress log. */
export interface OriginTrustCheck {
  /** Media playlists read (one per variant of the master playlist). */
  playlists: string[];
  /** `#EXT-X-NEARCAST-SHA256` / `-MAP-SHA256` lines found in them (0, or the check throws). */
  digestLines: number;
  /** The server's digest service's smallest swarm, or null when it is off. */
  digestMinSwarm: number | null;
}

const DIGEST_LINE = new RegExp(`^${SEGMENT_DIGEST_TAG.replace("SHA256", "(?:MAP-)?SHA256")}:`, "gm");
const FETCH_TIMEOUT_MS = 10_000;

async function text(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.text();
}

/**
 * Reads the master playlist at `masterUrl` and every media playlist it lists; throws when any
 * carries a digest line, or when the digest service would serve `viewers` viewers (`digestMinSwarm`
 * ≤ viewers). Network errors and timeouts (10 s per playlist) throw too.
 */
export async function checkOriginUnverified(
  masterUrl: string,
  viewers: number,
  digestMinSwarm: number | undefined,
): Promise<OriginTrustCheck> {
  const master = await text(masterUrl);
  const variants = master
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith("#"))
    .map((uri) => new URL(uri, masterUrl).href);
  if (variants.length === 0) throw new Error(`${masterUrl} lists no media playlist`);
  let digestLines = (master.match(DIGEST_LINE) ?? []).length;
  for (const url of variants) digestLines += ((await text(url)).match(DIGEST_LINE) ?? []).length;
  if (digestLines > 0)
    throw new Error(`the origin publishes ${digestLines} digest lines: not an origin without digests`);
  if (digestMinSwarm !== undefined && digestMinSwarm <= viewers)
    throw new Error(
      `the digest service serves swarms from ${digestMinSwarm} viewers: ${viewers} viewers would get its digests`,
    );
  return {
    playlists: variants.map((url) => new URL(url).pathname),
    digestLines,
    digestMinSwarm: digestMinSwarm ?? null,
  };
}
