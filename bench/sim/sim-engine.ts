// One simulated viewer's engine: the SDK's own delivery code (engine/segment-load.ts, running the
// policy of core/policy/) on the virtual clock, with the SDK's SegmentStore (sim-store.ts) and
// TransferEstimates. What is modelled instead of run: the transports — peers (sim-swarm.ts over
// sim-link.ts) and HTTP over the viewer's access link — and the segment's bytes, which are counted,
// not carried (sim-load.ts).
import type { Decision, ScheduleInput } from "../../sdk/src/core/policy/decide.js";
import { DeliveryPolicy } from "../../sdk/src/core/policy/delivery-policy.js";
import { TransferEstimates } from "../../sdk/src/core/policy/transfer-estimates.js";
import {
  SegmentLoad,
  type HttpPort,
  type HttpTransferEvents,
  type LoadPorts,
} from "../../sdk/src/engine/segment-load.js";
import { diagnoseDecision } from "./http-diagnosis.js";
import { fetchOverAccessLink } from "./sim-http.js";
import { SimSwarm, TRACE, traceDecision, type Download } from "./sim-swarm.js";
import { SimAssembly } from "./sim-assembly.js";
import { Load } from "./sim-load.js";
import { SimStore } from "./sim-store.js";
import { trustMode, verifyCompleteLoad } from "./sim-verify.js";
import type { SimViewer } from "./sim-viewer.js";

/** The simulator never aborts a fetch: a viewer that leaves drops its load (see dispose). */
const UNSTOPPABLE = { abort: () => {} };

export class SimEngine implements HttpPort {
  readonly store: SimStore;
  /** The bytes of each load as SegmentAssembly takes them (peer bytes held until verified). */
  readonly assembly: SimAssembly;
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
  readonly decisions = new Map<string, number>();

  constructor(private readonly v: SimViewer) {
    this.store = new SimStore(v);
    this.assembly = new SimAssembly(v, this.store, (load) => this.load === load);
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
    if (this.store.complete(msn)) return;
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
    if (this.store.complete(msn)) return this.finish(load);
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
    if (TRACE) traceDecision(this.v, load, input.candidates, decision);
    this.decisions.set(key, (this.decisions.get(key) ?? 0) + 1);
    if (this.v.world.diag) diagnoseDecision(this.v.world.diag, this.v, load, decision);
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
    this.assembly.append(load, bytes, "p2p");
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
    const load = this.load!;
    this.httpRequests++;
    fetchOverAccessLink(this.v, load, from, events, {
      current: () => this.load === load,
      chunk: (bytes) => this.assembly.append(load, bytes, "http"),
    });
    return UNSTOPPABLE;
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
      this.assembly.release(load);
      load.held = false;
      return;
    }
    load.held = false;
    this.store.putVerified(load);
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
}
