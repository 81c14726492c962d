// A simulated load's bytes as the SDK's SegmentAssembly takes them: each chunk counted by source and
// mirrored into the store at once (so neighbours can be served from the first chunk), except peer
// bytes under the trust ladder, held until verified: from the digest service's `ok` answer on, passed
// on per verified chunk (verified cut-through, sim-trust.ts), otherwise only once verified whole.
import { MAX_CHUNK_BYTES } from "../../sdk/src/p2p/protocol-constants.js";
import type { Load } from "./sim-load.js";
import type { SimStore } from "./sim-store.js";
import { cutThroughEnd } from "./sim-trust.js";
import { cutThroughFromMs, trustMode } from "./sim-verify.js";
import type { SimViewer } from "./sim-viewer.js";

export class SimAssembly {
  /** Bytes this viewer received over HTTP / from peers, all loads. */
  httpBytes = 0;
  p2pBytes = 0;

  /** `current(load)`: the load is still the engine's (a dropped one takes no more bytes). */
  constructor(
    private readonly v: SimViewer,
    private readonly store: SimStore,
    private readonly current: (load: Load) => boolean,
  ) {}

  /** SegmentAssembly.append + mirror into the store (so neighbours can be served from the first chunk). */
  append(load: Load, bytes: number, source: "http" | "p2p"): void {
    const offset = load.length;
    load.length += bytes;
    if (source === "http") {
      load.httpBytes += bytes;
      this.httpBytes += bytes;
    } else {
      load.p2pBytes += bytes;
      this.p2pBytes += bytes;
      if (load.firstPeerByteMs === undefined) {
        load.firstPeerByteMs = this.v.world.queue.now;
        this.startCutThrough(load);
      }
      // Peer bytes are passed on only once verified (SegmentAssembly's holdUnverifiedP2p).
      if (load.mirrored !== true && trustMode(this.v) !== "off") load.held = true;
    }
    if (load.held) return this.release(load);
    this.store.mirror(load, offset, bytes);
  }

  /** The digest ask goes out with the first peer bytes; from its `ok` answer, chunks are verified. */
  private startCutThrough(load: Load): void {
    const fromMs = cutThroughFromMs(this.v, load);
    if (fromMs === undefined) return;
    this.v.world.queue.at(Math.max(fromMs, this.v.world.queue.now), () => {
      if (!this.current(load) || this.v.left || load.firstPeerByteMs === undefined) return;
      load.cutThrough = true;
      this.release(load);
    });
  }

  /** SegmentAssembly.release: mirror the held bytes whose chunks are verified, as far as they go. */
  release(load: Load): void {
    if (!load.held || !load.cutThrough) return;
    const end = cutThroughEnd(load.length, load.totalBytes);
    if (end <= load.releasedEnd) return;
    // In the engine's chunks, as the store takes them (a prefix released at the answer spans many).
    for (let at = load.releasedEnd; at < end; at += MAX_CHUNK_BYTES)
      this.store.mirror(load, at, Math.min(MAX_CHUNK_BYTES, end - at));
    if (load.length < load.totalBytes) this.v.world.trust.cutThroughBytes += end - load.releasedEnd;
    load.releasedEnd = end;
  }
}
