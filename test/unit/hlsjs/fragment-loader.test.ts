import type { FragmentLoaderContext, HlsConfig, LoaderCallbacks, LoaderStats } from "hls.js";
import { describe, expect, it } from "vitest";
import { Engine } from "../../../sdk/src/engine/engine.js";
import { createFragmentLoaderClass } from "../../../sdk/src/hlsjs/fragment-loader.js";

/** Stands in for hls.js's XhrLoader: fills the stats object it holds, as XhrLoader does. */
class DefaultLoader {
  stats: LoaderStats = {
    aborted: false,
    loaded: 0,
    retry: 0,
    total: 0,
    chunkCount: 0,
    bwEstimate: 0,
    loading: { start: 0, first: 0, end: 0 },
    parsing: { start: 0, end: 0 },
    buffering: { start: 0, first: 0, end: 0 },
  };
  load(context: FragmentLoaderContext, _config: unknown, callbacks: LoaderCallbacks<FragmentLoaderContext>) {
    this.stats.loading = { start: 1, first: 2, end: 3 };
    this.stats.loaded = this.stats.total = 4;
    callbacks.onSuccess({ url: context.url, data: new ArrayBuffer(4) }, this.stats, context, null);
  }
  abort() {}
  destroy() {}
}

describe("fragment loader falling back to hls.js's own loader", () => {
  it("fills the stats object hls.js bound to the fragment before load()", () => {
    const engine = new Engine();
    const Loader = createFragmentLoaderClass({
      engine,
      toRequest: () => undefined,
      playerBandwidthEstimate: () => Number.NaN,
    });
    const loader = new Loader({ loader: DefaultLoader } as unknown as HlsConfig);
    const fragStats = loader.stats; // what hls.js's FragmentLoader assigns to frag.stats
    let seen: LoaderStats | undefined;
    const context = { url: "https://cdn/sub.vtt", frag: {} } as unknown as FragmentLoaderContext;
    loader.load(context, {} as never, {
      onSuccess: (_response, stats) => (seen = stats),
      onError: () => undefined,
      onTimeout: () => undefined,
    });
    expect(seen).toBe(fragStats);
    expect(fragStats.loaded).toBe(4);
    expect(fragStats.loading.end).toBe(3);
    engine.destroy();
  });
});
