// One simulated viewer's engine: the SDK's own delivery code (engine/segment-load.ts, running the
// policy of core/policy/) on the virtual clock, with the SDK's SegmentStore and TransferEstimates.
// What is modelled instead of run: the transports — peers (sim-swarm.ts over sim-link.ts) and HTTP
// over the viewer's access link — and the segment's bytes, which are counted, not carried.
//
// Bytes in the store are scaled: one stored byte per KiB of segment (a 10,000-viewer run could not
// hold real segments). Offsets the engine uses are whole 64-KiB chunks or a segment's end, so the
// scaling is exact where it matters. The store keeps at most STORE_MAX_ENTRIES segments (48 s, more
// than the 40-s live window): it then evicts those furthest behind the playhead, as a full real store
// would; no live viewer asks for a segment that old.
import type { Decision, PeerCandidate, ScheduleInput } from "../../sdk/src/core/policy/decide.js";
import { DeliveryPolicy } from "../../sdk/src/core/policy/delivery-policy.js";
import { TransferEstimates } from "../../sdk/src/core/policy/transfer-estimates.js";
import { SegmentStore } from "../../sdk/src/core/segment-store.js";
import type { SegmentStoreChange } from "../../sdk/src/core/segment-store-types.js";
import type { LoadBytes } from "../../sdk/src/core/policy/load-context.js";
import {
  SegmentLoad,
  type HttpPort,
  type HttpTransferEvents,
  type LoadPorts,
} from "../../sdk/src/engine/segment-load.js";
import { MAX_CHUNK_BYTES } from "../../sdk/src/p2p/protocol-constants.js";
import { diagnoseDecision } from "./http-diagnosis.js";
import { SimSwarm, TRACE, type Download } from "./sim-swarm.js";
import { cutThroughEnd } from "./sim-trust.js";
import { cutThroughFromMs, trustMode, verifyCompleteLoad } from "./sim-verify.js";
import type { SimViewer } from "./sim-viewer.js";

const STORE_BYTES_PER_UNIT = 1024;
const STORE_MAX_ENTRIES = 24;
export const CHUNK_BYTES = MAX_CHUNK_BYTES;
const ZEROS = new Uint8Array(MAX_CHUNK_BYTES / STORE_BYTES_PER_UNIT + 1);

/** Store units for a byte offset (offsets are chunk multiples or a segment's end). */
const units = (bytes: number) => Math.ceil(bytes / STORE_BYTES_PER_UNIT);

/** One segment load (engine.loadSegment): its bytes as counts, and what the player records of it. */
export class Load implements LoadBytes {
  readonly requestMs: number;
  readonly peersAtRequest: number;
  length = 0;
  httpBytes = 0;
  p2pBytes = 0;
  /** The bytes are mirrored into the store (SegmentAssembly's `mirrored`). */
  mirrored: boolean | undefined;
  /** Peer bytes arrived before any were mirrored: none are, until verified (SegmentAssembly's `held`). */
  held = false;
  /** When the first peer bytes arrived (the trust ladder's digest ask goes out then). */
  firstPeerByteMs: number | undefined;
  /** The chunk digests are in: held bytes are passed on chunk by chunk (verified cut-through). */
  cutThrough = false;
  /** Held bytes `[0, releasedEnd)` were mirrored after passing their chunk digests. */
  releasedEnd = 0;
  /** The policy's last decision, "kind:reason". */
  decision: string | undefined;
  run: SegmentLoad | undefined;
  /** SIM_DIAG: this load was counted as started / its HTTP decision recorded. */
  diagStarted = false;
  diagHttp = false;

  constructor(
    v: SimViewer,
    readonly msn: number,
    readonly totalBytes: number,
    public onDone: (load: Load) => void,
  ) {
    this.requestMs = v.world.queue.now;
    this.peersAtRequest = v.links.size;
  }

  get complete(): boolean {
    return this.length === this.totalBytes;
  }
}

/** The simulator never aborts a fetch: a viewer that leaves drops its load (see dispose). */
const UNSTOPPABLE = { abort: () => {} };

export class SimEngine implements HttpPort {
  readonly store: SegmentStore;
  /** The engine's own HTTP throughput, first-byte and segment-size estimates. */
  readonly estimates = new TransferEstimates();
  readonly swarm: SimSwarm;
  private readonly policy: DeliveryPolicy;
  /** What every load of this viewer runs on, but its segment and bytes (one load at a time). */
  private readonly ports: Omit<LoadPorts, "segment" | "bytes">;
  load: Load | undefined;
  httpRequests = 0;
  /** The highest segment the player asked for (loads go in order), or got ahead of it. */
  askedUpTo = -1;
  /** --prefetch-on-news: the load started ahead of the player (running or done), until it asks. */
  private prefetched: Load | undefined;
  prefetches = 0;
  httpBytes = 0;
  p2pBytes = 0;
  readonly decisions = new Map<string, number>();
  /** Segment → bytes held (-1: complete), mirrored from the store's change notifications. */
  private readonly held = new Map<number, number>();

  constructor(private readonly v: SimViewer) {
    this.store = new SegmentStore({
      maxBytes: Math.floor((64 * 1024 * 1024) / STORE_BYTES_PER_UNIT),
      keepBehindSec: 30,
      maxEntries: STORE_MAX_ENTRIES,
      onChange: (change) => this.onStoreChange(change),
    });
    const swarm = (this.swarm = new SimSwarm(v));
    const o = v.world.options;
    this.policy = new DeliveryPolicy(
      {
        httpSafetyMarginMs: o.httpSafetyMarginMs,
        p2pStallTimeoutMs: o.p2pStallTimeoutMs,
        maxUploadBytesPerSec: v.profile.maxUploadBytesPerSec,
      },
      o.variant,
    );
    const queue = v.world.queue;
    this.ports = {
      deadlineMs: () => v.player.model.bufferAheadSec(queue.now) * 1000,
      estimates: this.estimates,
      clock: { now: () => queue.now, at: (timeMs, fn) => queue.at(timeMs, fn) },
      p2p: { peers: swarm, peerId: v.peerId, uploading: v.profile.uploadEnabled, swarm },
      http: this,
      announce: {
        fetching: () => v.announceFetching(this.load!.msn),
        fetchCancelled: () => v.cancelFetching(this.load!.msn),
      },
      observe: (decision, input) => this.observe(decision, input),
    };
  }

  private get now(): number {
    return this.v.world.queue.now;
  }

  /** The current load waits for peers (a hold or the first-peer wait) for segment `msn`. */
  waitingFor(msn: number): boolean {
    return this.load?.msn === msn && this.swarm.isWaiting;
  }

  get isWaiting(): boolean {
    return this.load !== undefined && this.swarm.isWaiting;
  }

  /** engine.loadSegment for live segment `msn`; `onDone` runs when the bytes are all there. */
  loadSegment(msn: number, onDone: (load: Load) => void): void {
    // --prefetch-on-news: the player asks for a segment already got or being got ahead of it.
    const ahead = this.prefetched;
    this.prefetched = undefined;
    if (ahead?.msn === msn) {
      if (this.load === ahead) {
        ahead.onDone = onDone;
        return;
      }
      return onDone(ahead);
    }
    this.startLoad(msn, onDone);
  }

  /**
   * --prefetch-on-news (an experiment, not an SDK rule): get `msn` now, as the player will ask for it
   * next; the load runs the SDK's policy as any other and is handed to the player when it asks.
   */
  prefetch(msn: number): void {
    const v = this.v;
    if (this.load || v.left || this.askedUpTo !== msn - 1 || this.prefetched) return;
    if (this.store.get(v.rendition, String(msn))?.complete) return;
    this.prefetches++;
    // Its onDone is the player's once it asks (loadSegment); until then nothing waits on it.
    const load = new Load(v, msn, v.stream.bytesOf(msn), () => {});
    this.prefetched = load;
    this.askedUpTo = msn;
    this.load = load;
    v.world.diag?.bump(v.world.diag.asked, msn);
    this.run(load, false, () => this.verify(load));
  }

  private startLoad(msn: number, onDone: (load: Load) => void): void {
    const v = this.v;
    this.store.setPlayhead(v.player.model.positionSec);
    const load = new Load(v, msn, v.stream.bytesOf(msn), onDone);
    this.load = load;
    this.askedUpTo = msn;
    v.world.diag?.bump(v.world.diag.asked, msn);
    // Engine.cached: a copy the store completed meanwhile (fetched for a neighbour, say).
    if (this.store.get(v.rendition, String(msn))?.complete) return this.finish(load);
    this.run(load, false, () => this.verify(load));
  }

  /** Run the SDK's SegmentLoad for `load` (over HTTP alone with `httpOnly`); `done` when its bytes are in. */
  private run(load: Load, httpOnly: boolean, done: () => void): void {
    const segment = { id: String(load.msn), live: true, durationSec: this.v.stream.segmentMs / 1000 };
    load.run = new SegmentLoad(
      this.policy,
      { ...this.ports, segment, bytes: load, ...(httpOnly ? { httpOnly } : {}) },
      {
        done,
        failed: (error) => {
          throw new Error(`sim: a load failed (${String(error)})`);
        },
      },
    );
    load.run.start();
  }

  /** Count the decision (and trace it with SIM_TRACE=1). */
  private observe(decision: Decision, input: ScheduleInput): void {
    const load = this.load!;
    const key = `${decision.kind}:${decision.reason}`;
    load.decision = key;
    if (TRACE) this.traceDecision(load, input.candidates, decision);
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
    if (this.v.world.diag) diagnoseDecision(this.v.world.diag, this.v, load, decision);
  }

  /** One line per decision on stderr with SIM_TRACE=1: when, who, which segment, what and why. */
  private traceDecision(load: Load, candidates: readonly PeerCandidate[], decision: Decision): void {
    const v = this.v;
    const index = (peerId: string) => v.linksByPeerId.get(peerId)?.remote.index;
    const cands = candidates
      .map((c) => `v${index(c.peerId)}${c.complete ? "C" : "F"}${Math.round(c.throughputBytesPerSec / 1000)}`)
      .join(",");
    const target =
      decision.kind === "p2p" ? ` -> v${index(decision.peerId)} budget=${Math.round(decision.budgetMs)}` : "";
    TRACE?.(
      `${(this.now / 1000).toFixed(3)} v${v.index} #${load.msn} ${load.decision} ` +
        `deadline=${Math.round(v.player.model.bufferAheadSec(this.now) * 1000)} have=${load.length} ` +
        `held=${Math.round(load.run?.policy.heldMs ?? 0)} candidates(kB/s)=${cands}${target}`,
    );
  }

  /** Swarm.notifyChange for this viewer: a waiting load decides again. */
  wake(): void {
    this.swarm.notifyChange();
  }

  /** A data chunk from a neighbour arrived (Peer.receiveData → the engine's onChunk). */
  onPeerData(d: Download, offset: number, bytes: number): void {
    const load = this.load;
    if (d.done || !load || this.swarm.download !== d) return;
    if (offset !== load.length) throw new Error(`sim: chunk at ${offset}, expected ${load.length}`);
    this.append(load, bytes, "p2p");
    d.bytes += bytes;
    d.events.progress(bytes);
    if (load.length < load.totalBytes) return;
    this.swarm.end(d);
    d.link.throughput.sample(d.bytes, d.startedMs, this.now);
    d.events.done();
  }

  /** `absent` from the neighbour: it forgets what it announced about the segment; try elsewhere. */
  onPeerAbsent(d: Download): void {
    if (d.done || !this.load || this.swarm.download !== d) return;
    d.link.absent.set(d.msn, this.now);
    this.swarm.end(d, "absent");
    d.events.failed("absent");
  }

  /** The neighbour's connection closed under a transfer. */
  onPeerClosed(remote: SimViewer): void {
    const d = this.swarm.download;
    if (!this.load || !d || d.done || d.link.remote !== remote) return;
    this.swarm.end(d, "closed");
    d.events.failed("closed");
  }

  /** The viewer left: its load is forgotten (its neighbours see the connections close). */
  dispose(): void {
    this.load?.run?.dispose();
    this.load = undefined;
  }

  /** HTTP over the viewer's access link: a (Range) request for the rest of the current load's segment. */
  fetch(from: number, events: HttpTransferEvents): { abort(): void } {
    const v = this.v;
    const load = this.load!;
    this.httpRequests++;
    const o = v.world.options;
    const requestMs = this.now;
    const oneWay = v.profile.latencyMs;
    const firstByteMs = requestMs + 2 * oneWay + o.cdnLatencyMs;
    v.world.queue.at(requestMs + oneWay, () => v.world.origin.request(v.rendition, load.msn));
    let offset = from;
    let arriveMs = firstByteMs;
    const sendNext = () => {
      if (this.load !== load || v.left) return;
      const size = Math.min(CHUNK_BYTES, load.totalBytes - offset);
      v.world.origin.bytes(v.rendition, load.msn, size);
      const at = offset;
      offset += size;
      arriveMs = v.downlink.receive(arriveMs, size, o.cdnBytesPerSec);
      v.world.queue.at(arriveMs, () => {
        if (this.load !== load || v.left) return;
        this.append(load, size, "http");
        if (at + size < load.totalBytes) return sendNext();
        events.fetched({ requestStartMs: requestMs, firstByteMs, endMs: this.now }, load.totalBytes - from);
      });
    };
    v.world.queue.at(firstByteMs, sendNext);
    return UNSTOPPABLE;
  }

  /** SegmentAssembly.append + mirror into the store (so neighbours can be served from the first chunk). */
  private append(load: Load, bytes: number, source: "http" | "p2p"): void {
    const offset = load.length;
    load.length += bytes;
    if (source === "http") {
      load.httpBytes += bytes;
      this.httpBytes += bytes;
    } else {
      load.p2pBytes += bytes;
      this.p2pBytes += bytes;
      if (load.firstPeerByteMs === undefined) {
        load.firstPeerByteMs = this.now;
        this.startCutThrough(load);
      }
      // Peer bytes are passed on only once verified (SegmentAssembly's holdUnverifiedP2p).
      if (load.mirrored !== true && trustMode(this.v) !== "off") load.held = true;
    }
    if (load.held) return this.release(load);
    this.mirror(load, offset, bytes);
  }

  /** The digest ask goes out with the first peer bytes; from its `ok` answer, chunks are verified. */
  private startCutThrough(load: Load): void {
    const fromMs = cutThroughFromMs(this.v, load);
    if (fromMs === undefined) return;
    this.v.world.queue.at(Math.max(fromMs, this.now), () => {
      if (this.load !== load || this.v.left || load.firstPeerByteMs === undefined) return;
      load.cutThrough = true;
      this.release(load);
    });
  }

  /** SegmentAssembly.release: mirror the held bytes whose chunks are verified, as far as they go. */
  private release(load: Load): void {
    if (!load.held || !load.cutThrough) return;
    const end = cutThroughEnd(load.length, load.totalBytes);
    if (end <= load.releasedEnd) return;
    // In the engine's chunks, as the store takes them (a prefix released at the answer spans many).
    for (let at = load.releasedEnd; at < end; at += CHUNK_BYTES)
      this.mirror(load, at, Math.min(CHUNK_BYTES, end - at));
    if (load.length < load.totalBytes) this.v.world.trust.cutThroughBytes += end - load.releasedEnd;
    load.releasedEnd = end;
  }

  /** SegmentAssembly.mirror: bytes `[offset, offset + bytes)` into the store, from the segment's start. */
  private mirror(load: Load, offset: number, bytes: number): void {
    if (load.mirrored === false) return;
    const key = String(load.msn);
    const rendition = this.v.rendition;
    if (load.mirrored === undefined) {
      const timing = { startTimeSec: this.v.player.timelineSec, durationSec: this.v.stream.segmentMs / 1000 };
      load.mirrored = offset === 0 && this.store.begin(rendition, key, units(load.totalBytes), timing);
      if (!load.mirrored) return;
    }
    const size = units(offset + bytes) - units(offset);
    const result = this.store.append(rendition, key, units(offset), ZEROS.subarray(0, size));
    if (result === "appended" || result === "completed") return;
    if (result !== "already-complete" && result !== "not-found") this.store.delete(rendition, key);
    load.mirrored = false;
  }

  /**
   * The load's bytes are all in (segment-delivery.ts deliver, after SegmentLoad): with peer bytes,
   * the trust ladder's verdict first, then publish the held copy, or fetch again over HTTP.
   */
  private verify(load: Load): void {
    if (this.load !== load) return;
    if (load.p2pBytes === 0 || trustMode(this.v) === "off") return this.finish(load);
    const outcome = verifyCompleteLoad(this.v, load);
    this.v.world.queue.at(outcome.atMs, () => {
      if (this.load !== load || this.v.left) return;
      if (outcome.verdict === "verified") {
        this.publish(load);
        return this.finish(load);
      }
      if (trustMode(this.v) === "allow-unverified") return this.finish(load);
      this.refetch(load);
    });
  }

  /**
   * SegmentAssembly.publish: the verified copy goes to the store whole, to be shared (after a
   * cut-through prefix: its rest, into the copy already mirrored).
   */
  private publish(load: Load): void {
    if (!load.held) return;
    if (load.releasedEnd > 0) {
      load.cutThrough = true;
      this.release(load);
      load.held = false;
      return;
    }
    load.held = false;
    const timing = { startTimeSec: this.v.player.timelineSec, durationSec: this.v.stream.segmentMs / 1000 };
    const data = new Uint8Array(units(load.totalBytes));
    this.store.put(this.v.rendition, String(load.msn), data, timing, { confirmed: true });
  }

  /** segment-delivery.ts overHttp: the peer bytes are thrown away, the segment comes over HTTP alone. */
  private refetch(load: Load): void {
    this.v.world.trust.discardedP2pBytes += load.p2pBytes;
    load.length = 0;
    load.httpBytes = 0;
    load.p2pBytes = 0;
    load.held = false;
    load.cutThrough = false;
    load.releasedEnd = 0;
    load.firstPeerByteMs = undefined;
    load.mirrored = undefined;
    this.run(load, true, () => this.finish(load));
  }

  private finish(load: Load): void {
    if (this.load !== load) return;
    this.load = undefined;
    this.estimates.sampleSegment(load.totalBytes);
    // engine.loadSegment's finally: uploads waiting on this load re-check the store.
    this.v.uploader.notify(load.msn);
    load.onDone(load);
  }

  /**
   * p2p-network.onStoreChange: wake waiting uploads; announce new and completed segments. Also
   * keeps `held` (what the store holds of each segment, from these same notifications), which the
   * uploader reads instead of copying a snapshot out of the store for every chunk.
   */
  private onStoreChange(change: SegmentStoreChange): void {
    const v = this.v;
    const announce = v.profile.uploadEnabled;
    const now = this.now;
    for (const r of change.removed) {
      const msn = Number(r.segmentId);
      this.held.delete(msn);
      v.uploader.notify(msn);
      if (!announce) continue;
      v.board.record(msn, v.index).removedAt = now;
      v.broadcast(msn);
    }
    for (let i = 0; i < change.added.length + change.updated.length; i++) {
      const added = i < change.added.length;
      const a = added ? change.added[i]! : change.updated[i - change.added.length]!;
      const msn = Number(a.segmentId);
      this.held.set(msn, a.complete ? -1 : a.bytesAvailable * STORE_BYTES_PER_UNIT);
      v.uploader.notify(msn);
      // Partial growth is not announced: uploads stream it.
      if (!announce || (!added && !a.complete)) continue;
      const rec = v.board.record(msn, v.index);
      if (rec.addedAt < 0) {
        rec.addedAt = now;
        rec.totalBytes = v.stream.bytesOf(msn);
      }
      if (a.complete) rec.completeAt = now;
      v.broadcast(msn, a.complete ? "complete" : "added");
    }
  }

  /** Bytes of the segment the store holds, from its change notifications (0 = none). */
  heldBytes(msn: number): number {
    const held = this.held.get(msn);
    if (held === undefined) return 0;
    return held < 0 ? this.v.stream.bytesOf(msn) : held;
  }
}
