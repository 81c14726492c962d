// Pure helpers of the demo page, kept apart from the DOM so they can be unit-tested.

export type StreamKind = "live" | "vod" | "vod-fmp4" | "custom";

export interface PlayerSource {
  kind: StreamKind;
  url: string;
  label: string;
  p2p: boolean;
  /** Send stats reports to this page's server (`?report=0` turns it off). */
  report: boolean;
}

const BUILT_IN: Record<Exclude<StreamKind, "custom">, { path: string; label: string }> = {
  live: { path: "/streams/demo/live/master.m3u8", label: "the live demo stream" },
  vod: { path: "/streams/demo/vod/master.m3u8", label: "the VOD demo stream" },
  "vod-fmp4": { path: "/streams/demo-fmp4/vod/master.m3u8", label: "the VOD demo stream (fMP4)" },
};

/**
 * Read `?src=<manifest URL>` or `?stream=live|vod|vod-fmp4`, `?p2p=0|1` (P2P on by default) and
 * `?report=0|1` (stats reports to this server, on by default).
 */
export function pickSource(params: URLSearchParams, origin: string): PlayerSource {
  const p2p = params.get("p2p") !== "0";
  const report = params.get("report") !== "0";
  const src = params.get("src");
  if (src) {
    try {
      const url = new URL(src, origin).toString();
      return { kind: "custom", url, label: url, p2p, report };
    } catch {
      // fall through to the default stream: a bad URL should not leave the page blank
    }
  }
  const requested = params.get("stream");
  const kind = requested && requested in BUILT_IN ? (requested as keyof typeof BUILT_IN) : "live";
  const entry = BUILT_IN[kind];
  return { kind, url: new URL(entry.path, origin).toString(), label: entry.label, p2p, report };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export interface PeerRow {
  peerId: string;
  /** A short, HTML-safe label for the peer id. */
  label: string;
  downloadedBytes: number;
  uploadedBytes: number;
}

/** One row per peer (a peer met in several rendition swarms is summed), most useful first. */
export function peerRows(
  peers: readonly { peerId: string; downloadedBytes: number; uploadedBytes: number }[],
): PeerRow[] {
  const byId = new Map<string, PeerRow>();
  for (const p of peers) {
    const row = byId.get(p.peerId) ?? {
      peerId: p.peerId,
      label: peerLabel(p.peerId),
      downloadedBytes: 0,
      uploadedBytes: 0,
    };
    row.downloadedBytes += p.downloadedBytes;
    row.uploadedBytes += p.uploadedBytes;
    byId.set(p.peerId, row);
  }
  return [...byId.values()].sort(
    (a, b) => b.downloadedBytes + b.uploadedBytes - (a.downloadedBytes + a.uploadedBytes),
  );
}

/** A peer id as the page shows it everywhere (own id, peers table): its last 8 id characters. */
export function peerLabel(peerId: string): string {
  return peerId.replace(/[^A-Za-z0-9-]/g, "").slice(-8) || "peer";
}

/** The headline of what this viewer received from peers, with a tone for the tile. */
export interface OffloadTile {
  text: string;
  /** `good`: some bytes came from peers; `neutral`: none did (not a success to show in green). */
  tone: "good" | "neutral";
}

/**
 * The share of this viewer's bytes that came from peers. Nothing downloaded yet shows "–"; nothing
 * from peers while this tab served others shows that it only uploads, rather than a green "0.0%"
 * that reads like a result.
 */
export function offloadTile(stats: {
  httpDownloadedBytes: number;
  p2pDownloadedBytes: number;
  p2pUploadedBytes: number;
}): OffloadTile {
  const total = stats.httpDownloadedBytes + stats.p2pDownloadedBytes;
  if (total === 0) return { text: "–", tone: "neutral" };
  if (stats.p2pDownloadedBytes === 0) {
    return { text: stats.p2pUploadedBytes > 0 ? "— (this tab only uploads)" : "0%", tone: "neutral" };
  }
  return { text: formatPercent(stats.p2pDownloadedBytes / total), tone: "good" };
}

/** Why a tracker refused, in words (the reason keys of demo-server/src/net/refusal-reasons.ts). */
const REFUSALS: Record<string, string> = {
  token_missing: "token required",
  token_invalid: "token invalid",
  token_expired: "token expired",
  origin_not_allowed: "this page's origin is not allowed",
  token_scope: "the token does not cover this stream",
  info_hash_not_allowed: "stream not allowed on this tracker",
  swarm_full: "swarm full",
  swarm_limit: "tracker full",
  connection_swarm_limit: "too many renditions on one connection",
};

/**
 * The tracker line of the panel from the SDK's `tracker-state` event: "connected", "refused: token
 * required", "refused for a rendition: swarm full" (an announce refused, `swarmKey` set), "unreachable,
 * retrying (…)". `p2p` false: "off".
 */
export function trackerStatus(
  p2p: boolean,
  event: { state: string; error?: string; reason?: string; swarmKey?: string } | undefined,
): { text: string; problem: boolean } {
  if (!p2p) return { text: "off (?p2p=0)", problem: false };
  if (event === undefined) return { text: "connecting…", problem: false };
  switch (event.state) {
    case "connected":
      return { text: "connected", problem: false };
    case "refused": {
      const reason = event.reason ?? "";
      const scope = event.swarmKey === undefined ? "" : " for a rendition";
      const words = REFUSALS[reason] ?? (reason || "no reason given");
      return { text: `refused${scope}: ${words}`, problem: true };
    }
    case "disconnected":
      return { text: `unreachable, retrying${event.error ? ` (${event.error})` : ""}`, problem: true };
    default:
      return { text: "connecting…", problem: false };
  }
}

/** Elapsed seconds as m:ss (or h:mm:ss), for the chart's time axis. */
export function formatElapsed(seconds: number): string {
  if (!(seconds >= 0)) return "";
  const s = Math.floor(seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const secs = String(s % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}
