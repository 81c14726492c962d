// The playhead of an HTML media element, whichever player drives it (hls.js, Shaka): position,
// contiguous buffer ahead, rate, and whether playback is waiting for data.
import type { PlaybackState } from "../core/types.js";

/** Position, buffer ahead and rate of a media element, as the scheduler needs them. */
export function readPlayback(media: HTMLMediaElement | null | undefined): PlaybackState | undefined {
  if (!media) return undefined;
  const position = media.currentTime;
  const buffered = media.buffered;
  let ahead = 0;
  // hls.js treats gaps under maxBufferHole (0.1 s by default) as contiguous; so do we.
  for (let i = 0; i < buffered.length; i++) {
    const start = buffered.start(i);
    const end = buffered.end(i);
    if (start <= position + 0.1 + ahead && end > position + ahead) ahead = end - position;
  }
  return {
    positionSec: position,
    bufferedAheadSec: Math.max(0, ahead),
    playbackRate: media.playbackRate || 1,
    // Below HAVE_FUTURE_DATA (3) an unpaused player cannot go on: start-up or a stall.
    waiting: !media.paused && media.readyState < 3,
  };
}
