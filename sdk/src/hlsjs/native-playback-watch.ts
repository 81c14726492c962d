// Chrome 147+ answers `canPlayType("application/vnd.apple.mpegurl")` with "maybe", as Safari always
// did, so the embedding pattern "native HLS if canPlayType, else hls.js" now skips hls.js on Chrome —
// and every byte of P2P with it, silently. This watch notices when the hls.js instance Nearcast
// follows is not the one driving playback and says so once, so an embedder sees why offload is zero.
import type Hls from "hls.js";

/** What the watch reads of an hls.js instance (the real one, or a plain object in unit tests). */
export interface WatchedHls {
  readonly media: HTMLMediaElement | null;
  readonly url: string | null;
}

/**
 * Whether `media` plays an HLS stream with the browser's own player rather than through `hls`:
 * its source is not a MediaSource object URL (`blob:`), it is not the element `hls` drives, and the
 * source is `hls.url` or an `.m3u8`/`.m3u` path. An element playing an MP4 (an ad, a teaser) is not
 * HLS and never counts. Returns that source URL, or undefined.
 */
export function nativeHlsSource(media: HTMLMediaElement, hls: WatchedHls): string | undefined {
  const src = media.currentSrc || media.getAttribute("src") || media.querySelector("source")?.src || "";
  if (src === "" || src.startsWith("blob:") || hls.media === media) return undefined;
  if (hls.url && src === hls.url) return src;
  let path = src;
  try {
    path = new URL(src, "http://x").pathname;
  } catch {
    // not a URL: compare the raw text
  }
  return /\.m3u8?$/i.test(path) ? src : undefined;
}

/** The `warning` text for a native-playback source (exported for tests). */
export function nativePlaybackMessage(src: string): string {
  return (
    `hls.js is not driving playback: a media element plays ${src} with the browser's own HLS player, ` +
    "so no segment goes through Nearcast (P2P offload stays 0). Choose hls.js whenever " +
    "Hls.isSupported() (MediaSource or ManagedMediaSource), and native HLS only where it is not: " +
    "Chrome 147+ and Safari both answer canPlayType('application/vnd.apple.mpegurl') with \"maybe\"."
  );
}

/**
 * Watch `hls` until the returned function is called; call `warn` at most once. Checked: every media
 * element in the document when watching starts and when hls.js loads a source; any media element
 * that starts loading a source (`loadstart`, caught at the document in the capture phase); and the
 * element hls.js detaches from (hls.js detaches itself when a page sets `src` over its MediaSource).
 * Elements inside shadow roots are seen only through hls.js's own media. Without a `document`
 * (Node) only hls.js's media is checked.
 */
export function watchNativePlayback(hls: Hls, warn: (message: string) => void): () => void {
  const Events = (hls.constructor as typeof Hls).Events;
  const doc = globalThis.document as Document | undefined;
  let warned = false;
  let lastMedia: HTMLMediaElement | null = hls.media;
  const check = (media: HTMLMediaElement | null) => {
    if (warned || !media) return;
    const src = nativeHlsSource(media, hls);
    if (src === undefined) return;
    warned = true;
    warn(nativePlaybackMessage(src));
  };
  const checkDocument = () =>
    doc?.querySelectorAll("video, audio").forEach((m) => check(m as HTMLMediaElement));
  const onLoadStart = (event: Event) => {
    if (event.target instanceof HTMLMediaElement) check(event.target);
  };
  const onAttached = () => (lastMedia = hls.media);
  // hls.js detaches when the element moves to another source; that source may already be set.
  const onDetached = () => {
    const media = lastMedia;
    check(media);
    media?.addEventListener("loadstart", onLoadStart, { once: true });
  };
  hls.on(Events.MEDIA_ATTACHED, onAttached);
  hls.on(Events.MEDIA_DETACHED, onDetached);
  hls.on(Events.MANIFEST_LOADING, checkDocument);
  doc?.addEventListener("loadstart", onLoadStart, true);
  checkDocument();
  return () => {
    hls.off(Events.MEDIA_ATTACHED, onAttached);
    hls.off(Events.MEDIA_DETACHED, onDetached);
    hls.off(Events.MANIFEST_LOADING, checkDocument);
    doc?.removeEventListener("loadstart", onLoadStart, true);
    lastMedia?.removeEventListener("loadstart", onLoadStart);
  };
}
