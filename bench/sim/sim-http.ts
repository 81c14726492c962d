// HTTP in the simulator: a (Range) request for the rest of a segment, from the viewer's access link to
// the origin and back: one way to the CDN, its first-byte delay, then 64-KiB chunks through the
// viewer's download FIFO at the CDN's per-request rate (link-model.ts). The origin counts the request
// and each chunk's bytes as it sends them.
import type { HttpTransferEvents } from "../../sdk/src/engine/segment-load.js";
import { MAX_CHUNK_BYTES } from "../../sdk/src/p2p/protocol-constants.js";
import type { Load } from "./sim-load.js";
import type { SimViewer } from "./sim-viewer.js";

/** What the fetch asks of the engine as chunks arrive. */
export interface HttpSink {
  /** The load is still the engine's current one (else the rest of the response is dropped). */
  current(): boolean;
  /** `bytes` more of the segment arrived, in order. */
  chunk(bytes: number): void;
}

/**
 * Fetch `load`'s segment from byte `from` to its end for viewer `v`; `events.fetched` gets the
 * timing once the last chunk is in. The simulator never aborts a fetch: a load that is no longer
 * current, or a viewer that left, stops taking its chunks.
 */
export function fetchOverAccessLink(
  v: SimViewer,
  load: Load,
  from: number,
  events: HttpTransferEvents,
  sink: HttpSink,
): void {
  const o = v.world.options;
  const queue = v.world.queue;
  const requestMs = queue.now;
  const oneWay = v.profile.latencyMs;
  const firstByteMs = requestMs + 2 * oneWay + o.cdnLatencyMs;
  queue.at(requestMs + oneWay, () => v.world.origin.request(v.rendition, load.msn));
  let offset = from;
  let arriveMs = firstByteMs;
  const sendNext = () => {
    if (!sink.current() || v.left) return;
    const size = Math.min(MAX_CHUNK_BYTES, load.totalBytes - offset);
    v.world.origin.bytes(v.rendition, load.msn, size);
    const at = offset;
    offset += size;
    arriveMs = v.downlink.receive(arriveMs, size, o.cdnBytesPerSec);
    queue.at(arriveMs, () => {
      if (!sink.current() || v.left) return;
      sink.chunk(size);
      if (at + size < load.totalBytes) return sendNext();
      events.fetched({ requestStartMs: requestMs, firstByteMs, endMs: queue.now }, load.totalBytes - from);
    });
  };
  queue.at(firstByteMs, sendNext);
}
