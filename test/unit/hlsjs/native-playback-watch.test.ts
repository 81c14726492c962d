import { describe, expect, it } from "vitest";
import { nativeHlsSource, nativePlaybackMessage } from "../../../sdk/src/hlsjs/native-playback-watch.js";

/** The parts of a media element `nativeHlsSource` reads. */
function media(currentSrc: string, src = currentSrc, sourceChild = ""): HTMLMediaElement {
  return {
    currentSrc,
    getAttribute: (name: string) => (name === "src" && src ? src : null),
    querySelector: () => (sourceChild ? { src: sourceChild } : null),
  } as unknown as HTMLMediaElement;
}

describe("nativeHlsSource", () => {
  const hls = { media: null, url: null };

  it("names an element playing an .m3u8 with the browser's own player", () => {
    expect(nativeHlsSource(media("https://cdn/x/master.m3u8?token=1"), hls)).toBe(
      "https://cdn/x/master.m3u8?token=1",
    );
    expect(nativeHlsSource(media("", "", "https://cdn/live.M3U8"), hls)).toBe("https://cdn/live.M3U8");
  });

  it("names any source equal to the URL hls.js was given, whatever its path", () => {
    const url = "https://cdn/play?id=7";
    expect(nativeHlsSource(media(url), { media: null, url })).toBe(url);
    expect(nativeHlsSource(media(url), hls)).toBeUndefined();
  });

  it("ignores MediaSource object URLs, non-HLS media, empty elements and hls.js's own element", () => {
    expect(nativeHlsSource(media("blob:https://page/1234"), hls)).toBeUndefined();
    expect(nativeHlsSource(media("https://cdn/ad.mp4"), hls)).toBeUndefined();
    expect(nativeHlsSource(media(""), hls)).toBeUndefined();
    const element = media("https://cdn/x/master.m3u8");
    expect(nativeHlsSource(element, { media: element, url: null })).toBeUndefined();
  });

  it("says what happened and what to do", () => {
    const message = nativePlaybackMessage("https://cdn/x.m3u8");
    expect(message).toContain("https://cdn/x.m3u8");
    expect(message).toContain("Hls.isSupported()");
  });
});
