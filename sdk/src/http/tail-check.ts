// The cheap check of a body that came with no length at all (chunked, no Content-Length, no byte
// range: the response "ends cleanly but short" of p2p-media-loader #522): ask the origin for the
// last byte of the copy and the one after it.
import type { CopyVerdict, SegmentConfirmer } from "../core/copy-confirmation.js";
import { AbortError, HttpError } from "../core/errors.js";
import type { StatsCollector } from "../core/stats.js";
import { httpFetch } from "./http-fetcher.js";
import { requestPreparer, type RequestSetupConfig } from "./request-setup.js";

/** What the tail check needs from its engine. */
export interface TailCheckDeps {
  config: RequestSetupConfig;
  fetchImpl?: typeof fetch;
  /** Its request and bytes are counted as HTTP traffic, as they are at the origin. */
  stats: StatsCollector;
}

/**
 * A confirmer for copies whose length nothing stated (`none`) that came, at least in part, over
 * HTTP: `Range: bytes=L-1-L` on the segment's URL (through the same request hooks as the segment).
 * One byte back, equal to the copy's last, and where visible a Content-Range total of L: the origin's
 * resource is exactly this copy's length, confirmed. Two bytes (the resource is longer), another byte,
 * another total, or 416 (the resource is shorter): refuted. A probe that fails (network, 5xx,
 * timeout) gives no verdict: the copy is then not shared. One request of at most two bytes.
 */
export function tailCheck(deps: TailCheckDeps): SegmentConfirmer {
  return async (copy, options): Promise<CopyVerdict | undefined> => {
    const { request, data } = copy;
    if (copy.length !== "none" || copy.httpBytes === 0 || data.byteLength === 0) return undefined;
    const length = data.byteLength;
    const refuted = (detail: string): CopyVerdict => ({
      confirmed: false,
      by: "tail-check",
      reason: "tail-check",
      detail: `${detail} (a body of ${length} bytes with no length stated, for ${request.url})`,
    });
    deps.stats.httpRequests++;
    try {
      const probe = await httpFetch(request.url, {
        range: { start: length - 1, end: length + 1 },
        rangeMayPassEnd: true,
        signal: options.signal,
        policy: { ...options.http, retry: null },
        fetchImpl: deps.fetchImpl,
        prepare: requestPreparer(request, deps.config, options.playerRequestSetup),
      });
      deps.stats.addHttpBytes(request.swarmKey, probe.bytesReceived);
      if (probe.resourceLength !== undefined && probe.resourceLength !== length)
        return refuted(`the origin's resource is ${probe.resourceLength} bytes`);
      if (probe.length > 1) return refuted("the origin has bytes after the end");
      if (probe.data[0] !== data[length - 1]) return refuted("the origin's last byte differs");
      return { confirmed: true, by: "tail-check" };
    } catch (error) {
      if (error instanceof AbortError) throw error;
      if (error instanceof HttpError && error.status === 416)
        return refuted("the origin's resource is shorter");
      return undefined;
    }
  };
}
