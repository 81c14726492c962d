// The fragment loader's abort contract against hls.js 1.7's own loaders (src/utils/base-loader.ts,
// xhr-loader.ts): abort() of a load in flight marks its stats aborted and calls onAbort once (hls.js
// turns that into its `aborted` ERROR); once a load has ended, abort() and destroy() call nothing; and
// nothing is called after abort(). Issue 22 traced Nearcast-only `aborted` notices on live alt-audio to
// hls.js aborting loads that were still in flight (held for peers), not to a different contract.
import type { FragmentLoaderContext, HlsConfig, LoaderCallbacks, LoaderStats } from "hls.js";
import { describe, expect, it } from "vitest";
import type { Engine } from "../../../sdk/src/engine/engine.js";
import { AbortError } from "../../../sdk/src/core/errors.js";
import type { LoadOptions, SegmentRequest, SegmentResult } from "../../../sdk/src/core/types.js";
import { createFragmentLoaderClass } from "../../../sdk/src/hlsjs/fragment-loader.js";

/** An engine whose one load the test settles by hand; it rejects with AbortError on its signal. */
function pendingEngine() {
  const load: { options?: LoadOptions; resolve?: (r: SegmentResult) => void } = {};
  const engine = {
    isDestroyed: false,
    httpBandwidthBps: 0,
    httpFirstByteMs: 1,
    loadSegment: (_request: SegmentRequest, options: LoadOptions) =>
      new Promise<SegmentResult>((resolve, reject) => {
        load.options = options;
        load.resolve = resolve;
        options.signal?.addEventListener("abort", () => reject(new AbortError("aborted")));
      }),
  };
  return { engine: engine as unknown as Engine, load };
}

const result: SegmentResult = {
  data: new Uint8Array(8),
  source: "http",
  timing: { requestStartMs: 0, firstByteMs: 1, endMs: 2 },
  httpBytes: 8,
  p2pBytes: 0,
  httpRetries: 0,
};

/** Every callback hls.js passes, counted. */
function counting() {
  const calls: string[] = [];
  const aborts: LoaderStats[] = [];
  const callbacks: LoaderCallbacks<FragmentLoaderContext> = {
    onSuccess: () => calls.push("success"),
    onError: () => calls.push("error"),
    onTimeout: () => calls.push("timeout"),
    onAbort: (stats) => {
      calls.push("abort");
      aborts.push(stats);
    },
  };
  return { calls, aborts, callbacks };
}

function loaderWith(engine: Engine) {
  const Loader = createFragmentLoaderClass({
    engine,
    toRequest: () => ({ id: "s1", swarmKey: "k", track: "t", url: "https://cdn/a.m4s" }) as SegmentRequest,
    playerBandwidthEstimate: () => Number.NaN,
  });
  return new Loader({} as HlsConfig);
}

const context = { url: "https://cdn/a.m4s", frag: { type: "audio" } } as unknown as FragmentLoaderContext;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("fragment loader abort(), as hls.js's own loaders do it", () => {
  it("aborts a load in flight: stats.aborted, onAbort once, the engine's load cancelled, nothing after", async () => {
    const { engine, load } = pendingEngine();
    const loader = loaderWith(engine);
    const { calls, aborts, callbacks } = counting();
    loader.load(context, {} as never, callbacks);
    loader.abort();
    loader.abort();
    expect(calls).toEqual(["abort"]);
    expect(aborts[0]).toBe(loader.stats);
    expect(loader.stats.aborted).toBe(true);
    expect(load.options?.signal?.aborted).toBe(true);
    load.resolve?.(result);
    await settle();
    expect(calls).toEqual(["abort"]);
  });

  it("calls nothing on abort() or destroy() once the load has succeeded", async () => {
    const { engine, load } = pendingEngine();
    const loader = loaderWith(engine);
    const { calls, callbacks } = counting();
    loader.load(context, {} as never, callbacks);
    load.resolve?.(result);
    await settle();
    loader.abort();
    loader.destroy();
    expect(calls).toEqual(["success"]);
    expect(loader.stats.aborted).toBe(false);
  });

  it("destroy() of a load in flight cancels it and calls nothing, as hls.js's destroy does", async () => {
    const { engine, load } = pendingEngine();
    const loader = loaderWith(engine);
    const { calls, callbacks } = counting();
    loader.load(context, {} as never, callbacks);
    loader.destroy();
    expect(load.options?.signal?.aborted).toBe(true);
    await settle();
    expect(calls).toEqual([]);
  });
});
