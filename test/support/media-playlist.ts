/** A minimal media-playlist reader for the simulated player: sequence numbers, durations, URIs. */
export interface PlaylistSegment {
  msn: number;
  durationSec: number;
  url: string;
}

export interface MediaPlaylist {
  live: boolean;
  targetDurationSec: number;
  segments: PlaylistSegment[];
}

export function parseMediaPlaylist(text: string, baseUrl: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== "#EXTM3U") throw new Error("not an HLS playlist");
  let msn = 0;
  let target = 0;
  let duration: number | undefined;
  let live = true;
  const segments: PlaylistSegment[] = [];
  for (const line of lines) {
    if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) msn = Number(line.split(":")[1]);
    else if (line.startsWith("#EXT-X-TARGETDURATION:")) target = Number(line.split(":")[1]);
    else if (line.startsWith("#EXT-X-ENDLIST") || line === "#EXT-X-PLAYLIST-TYPE:VOD") live = false;
    else if (line.startsWith("#EXTINF:")) duration = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith("#") && duration !== undefined) {
      segments.push({ msn: msn++, durationSec: duration, url: new URL(line, baseUrl).toString() });
      duration = undefined;
    }
  }
  return { live, targetDurationSec: target, segments };
}
