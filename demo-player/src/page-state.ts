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
      label: p.peerId.replace(/[^A-Za-z0-9-]/g, "").slice(-8) || "peer",
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
