// A stand-in for ManagedMediaSource (Media Source Extensions 2, "ManagedMediaSource" and
// "ManagedSourceBuffer") in a browser without one: Chromium 156 exposes none, with or without
// --enable-blink-features=ManagedMediaSource, --enable-features=ManagedMediaSource or
// --enable-experimental-web-platform-features. It replaces the browser's part only, as an iPhone
// presents it: `ManagedMediaSource` and no `MediaSource` (hls.js 1.7 prefers plain MediaSource where
// both exist, `preferManagedMediaSource: false`), so hls.js adopts it as it would on iOS 17.1+, and
// hls.js and Nearcast run unchanged. The test acts as the user agent does under memory or power
// pressure:
//   window.mmsControl.end()     streaming = false, then `endstreaming` (the UA wants no more data)
//   window.mmsControl.start()   streaming = true, then `startstreaming`
//   window.mmsControl.evict(a, b)  the UA evicts [a, b) s from every SourceBuffer: `bufferedchange`
//                               with `removedRanges` (done with remove(), so only while idle)
// As in WebKit, `streaming` is false until the first `startstreaming`, queued after `sourceopen`.
// Not modelled: `addedRanges` on appends (hls.js reads only removedRanges) and the UA's own policy.
"use strict";

(() => {
  const sources = [];

  /** A TimeRanges-like object of one range, as BufferedChangeEvent.removedRanges carries. */
  const ranges = (start, end) => ({ length: 1, start: () => start, end: () => end });

  const NativeMediaSource = window.MediaSource;

  class ManagedMediaSource extends NativeMediaSource {
    #streaming = false;

    constructor() {
      super();
      sources.push(this);
      this.addEventListener("sourceopen", () => setTimeout(() => this.setStreaming(true)), { once: true });
    }

    get streaming() {
      return this.#streaming;
    }

    setStreaming(value) {
      if (this.#streaming === value) return;
      this.#streaming = value;
      this.dispatchEvent(new Event(value ? "startstreaming" : "endstreaming"));
    }
  }

  async function evict(start, end) {
    const ms = sources[sources.length - 1];
    for (const sb of Array.from(ms.sourceBuffers)) {
      if (sb.updating) throw new Error("a SourceBuffer is updating: evict only while hls.js is idle");
      await new Promise((resolve, reject) => {
        sb.addEventListener("updateend", resolve, { once: true });
        sb.addEventListener("error", reject, { once: true });
        sb.remove(start, end);
      });
      const event = new Event("bufferedchange");
      event.addedRanges = ranges(0, 0);
      event.addedRanges.length = 0;
      event.removedRanges = ranges(start, end);
      sb.dispatchEvent(event);
    }
  }

  window.ManagedMediaSource = ManagedMediaSource;
  delete window.MediaSource;
  window.mmsControl = {
    sources,
    end: () => sources[sources.length - 1].setStreaming(false),
    start: () => sources[sources.length - 1].setStreaming(true),
    evict,
  };
})();
