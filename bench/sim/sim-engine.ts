// One simulated viewer's engine: the delivery loop of sdk/src/engine/segment-delivery.ts (deliver, and
// segment-transfers.ts's fromPeer, fromHttp) as an event-driven state machine on the virtual clock. It calls the SDK's real
// scheduler (`decide`, `newSegmentHoldMs`), keeps segment bytes in the SDK's real SegmentStore and
// estimates with the engine's own TransferEstimates, with the same inputs the engine gives them. What it models instead
// of running: sockets (link-model.ts), the Peer/Swarm bookkeeping (sim-availability.ts, sim-link.ts)
// and the uploader (sim-uploader.ts).
//
// Bytes in the store are scaled: one stored byte per KiB of segment (a 10,000-viewer run could not
// hold real segments). Offsets the engine uses are whole 64-KiB chunks or a segment's end, so the
// scaling is exact where it matters. The store keeps at most STORE_MAX_ENTRIES segments (48 s, more than the 40-s live window):
// it then evicts those furthest behind the playhead, as a full real store would; no live viewer asks
// for a segment that old.
import {
  decide,
  fitHoldToSlack,
  NEW_SEGMENT_HOLD_MIN_MS,
  NEW_SEGMENT_HOLD_SPREAD_MS,
  newSegmentHoldMs,
  NON_RELAY_HOLD_EXTRA_MS,
  relaysInRealTime,
  type Decision,
  type PeerCandidate,
  type ScheduleInput,
} from "../../sdk/src/core/scheduler.js";
import { SegmentStore, type SegmentStoreChange } from "../../sdk/src/core/segment-store.js";
import { peerTransferLimits } from "../../sdk/src/engine/peer-budget.js";
import { TransferEstimates } from "../../sdk/src/engine/transfer-estimates.js";
import { MAX_CHUNK_BYTES } from "../../sdk/src/p2p/protocol-constants.js";
import { visibleLength, visibleState } from "./sim-availability.js";
import type { SimLink } from "./sim-link.js";
import type { SimViewer } from "./sim-viewer.js";

/** Swarm.awaitingFirstPeer's start-up window. */
const FIRST_PEER_WAIT_WINDOW_MS = 5000;
/** The engine's peer-transfer watchdog ticks every 50 ms. */
const WATCHDOG_TICK_MS = 50;
const STORE_BYTES_PER_UNIT = 1024;
const STORE_MAX_ENTRIES = 24;
export const CHUNK_BYTES = MAX_CHUNK_BYTES;
/** SIM_TRACE=1: every scheduling decision and failed peer try on stderr (to find where offload goes). */
const TRACE = process.env.SIM_TRACE ? (line: string) => process.stderr.write(line + "\n") : undefined;
const ZEROS = new Uint8Array(MAX_CHUNK_BYTES / STORE_BYTES_PER_UNIT + 1);

/** Store units for a byte offset (offsets are chunk multiples or a segment's end). */
const units = (bytes: number) => Math.ceil(bytes / STORE_BYTES_PER_UNIT);

/** A peer transfer in flight (engine.fromPeer). */
export interface Download {
  readonly link: SimLink<SimViewer>;
  readonly msn: number;
  readonly startedMs: number;
  lastProgressMs: number;
  /** The scheduler's grant; the engine's watchdog grows it with the bytes received (peer-budget.ts). */
  readonly grantedMs: number;
  bytes: number;
  done: boolean;
}

/** One segment load (engine.loadSegment → deliver). */
export interface Load {
  readonly msn: number;
  readonly totalBytes: number;
  readonly requestMs: number;
  readonly peersAtRequest: number;
  length: number;
  httpBytes: number;
  p2pBytes: number;
  mirrored: boolean | undefined;
  readonly failed: Set<string>;
  heldMs: number;
  holdMs: number;
  /** The hold was fitted to the slack at the first decision (scheduler.ts `fitHoldToSlack`). */
  holdFitted: boolean;
  /** This viewer can pass the segment on in real time (else: longer hold, no `fetching`). */
  relays: boolean;
  download: Download | undefined;
  waiting: { reason: string; sinceMs: number; cancel: () => void } | undefined;
  decision: string | undefined;
  onDone: (load: Load) => void;
}

export class SimEngine {
  readonly store: SegmentStore;
  /** The engine's own HTTP throughput, first-byte and segment-size estimates. */
  readonly estimates = new TransferEstimates();
  load: Load | undefined;
  httpRequests = 0;
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
  }

  private get now(): number {
    return this.v.world.queue.now;
  }

  /** engine.loadSegment for live segment `msn`; `onDone` runs when the bytes are all there. */
  loadSegment(msn: number, onDone: (load: Load) => void): void {
    const v = this.v;
    const totalBytes = v.stream.bytesOf(msn);
    this.store.setPlayhead(v.player.model.positionSec);
    const load: Load = {
      msn,
      totalBytes,
      requestMs: this.now,
      peersAtRequest: v.links.size,
      length: 0,
      httpBytes: 0,
      p2pBytes: 0,
      mirrored: undefined,
      failed: new Set(),
      heldMs: 0,
      holdFitted: false,
      holdMs: newSegmentHoldMs(
        String(msn),
        v.peerId,
        v.world.options.variant?.holdMinMs,
        v.world.options.variant?.holdSpreadMs,
      ),
      relays: true,
      download: undefined,
      waiting: undefined,
      decision: undefined,
      onDone,
    };
    // segment-delivery.ts: a viewer that cannot relay this rendition in real time holds longer and
    // announces no `fetching` (the segment's size: announced by a neighbour, else the estimate).
    if (v.world.options.variant?.weakUplinkRules !== false) {
      let announced: number | undefined;
      for (const link of v.links.values()) {
        announced ??= visibleLength(v.board.get(msn, link.remote.index), this.now, link, link.absentAt(msn));
      }
      load.relays = relaysInRealTime(
        v.profile.uploadEnabled,
        v.profile.maxUploadBytesPerSec,
        announced ?? this.estimates.segmentBytes,
        v.stream.segmentMs / 1000,
      );
      if (!load.relays) load.holdMs += NON_RELAY_HOLD_EXTRA_MS;
    }
    this.load = load;
    if (this.store.get(v.rendition, String(msn))?.complete) return this.finish(load);
    this.step(load);
  }

  /** The scheduling loop of engine.deliver: decide, then wait, ask a peer, or go to HTTP. */
  step(load: Load): void {
    const v = this.v;
    if (this.load !== load || v.left) return;
    if (load.length === load.totalBytes) return this.finish(load);
    const now = this.now;
    const candidates: PeerCandidate[] = [];
    let announced: number | undefined;
    let availabilityReceived = false;
    const board = v.board;
    for (const link of v.links.values()) {
      if (link.availabilityAtMs <= now) availabilityReceived = true;
      const rec = board.get(load.msn, link.remote.index);
      const absentAt = link.absentAt(load.msn);
      announced ??= visibleLength(rec, now, link, absentAt);
      const state = visibleState(rec, now, link, absentAt);
      if (!state) continue;
      candidates.push({
        peerId: link.remote.peerId,
        complete: state === "complete",
        fetching: state === "fetching",
        throughputBytesPerSec: link.throughput.value(0),
        pendingRequests: link.pending,
        tieBreak: v.world.random(),
        // Swarm.candidates: when the `fetching` note arrived, while no availability entry replaced it.
        ...(state === "fetching" && rec && visibleLength(rec, now, link, absentAt) === undefined
          ? { fetchingSinceMs: rec.fetchingAt + link.latencyMs }
          : {}),
      });
    }
    const o = v.world.options;
    const input: ScheduleInput = {
      segmentBytesEstimate: announced ?? this.estimates.segmentBytes,
      deadlineMs: v.player.model.bufferAheadSec(now) * 1000,
      httpBandwidthBps: this.estimates.httpBandwidthBps,
      httpFirstByteMs: this.estimates.httpFirstByteMs,
      safetyMarginMs: o.httpSafetyMarginMs,
      candidates,
      failedPeers: load.failed,
      awaitingFirstPeer: this.awaitingFirstPeer(availabilityReceived),
      live: true,
      connectedPeers: v.links.size,
      holdLeftMs: 0,
    };
    if (!load.holdFitted) {
      const min = o.variant?.holdMinMs ?? NEW_SEGMENT_HOLD_MIN_MS;
      const spread = o.variant?.holdSpreadMs ?? NEW_SEGMENT_HOLD_SPREAD_MS;
      load.holdMs = fitHoldToSlack(load.holdMs, input, min + spread);
      load.holdFitted = true;
    }
    input.holdLeftMs = load.holdMs - load.heldMs;
    const decision: Decision = decide(input);
    load.decision = `${decision.kind}:${decision.reason}`;
    if (TRACE) this.traceDecision(load, candidates, decision);
    this.decisions.set(load.decision, (this.decisions.get(load.decision) ?? 0) + 1);
    if (decision.kind === "http") return this.fromHttp(load);
    if (decision.kind === "wait") return this.wait(load, decision.reason, decision.maxWaitMs);
    const link = v.linksByPeerId.get(decision.peerId);
    if (!link) {
      load.failed.add(decision.peerId);
      return this.step(load);
    }
    this.fromPeer(load, link, decision.budgetMs);
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
        `held=${Math.round(load.heldMs)} candidates(kB/s)=${cands}${target}`,
    );
  }

  /** Swarm.awaitingFirstPeer. */
  private awaitingFirstPeer(availabilityReceived: boolean): boolean {
    const v = this.v;
    if (v.peerLeft || this.now - v.joinedSwarmMs > FIRST_PEER_WAIT_WINDOW_MS) return false;
    if (v.trackerAnswered && v.othersReported === 0) return false;
    return !availabilityReceived;
  }

  /**
   * Swarm.waitForChange: woken by any neighbour's news. Messages already on their way when the
   * wait starts are found here and wake it on arrival; later ones wake it from the sender's side.
   */
  private wait(load: Load, reason: string, maxWaitMs: number): void {
    const now = this.now;
    // setTimeout waits at least 1 ms: a hold with a sliver left still ends.
    let wakeAt = now + Math.max(1, maxWaitMs);
    for (const link of this.v.links.values()) {
      if (link.availabilityAtMs > now) wakeAt = Math.min(wakeAt, link.availabilityAtMs);
      const rec = this.v.board.get(load.msn, link.remote.index);
      if (!rec) continue;
      const latest = Math.max(rec.fetchingAt, rec.addedAt, rec.completeAt, rec.removedAt, rec.cancelledAt);
      // Only news sent in the last latency can still be on its way.
      if (latest < 0 || latest + link.latencyMs <= now) continue;
      for (const sent of [rec.fetchingAt, rec.addedAt, rec.completeAt, rec.removedAt, rec.cancelledAt]) {
        if (sent < 0) continue;
        const arrival = Math.max(sent, link.connectedAtMs) + link.latencyMs;
        if (arrival > now) wakeAt = Math.min(wakeAt, arrival);
      }
    }
    const event = this.v.world.queue.at(wakeAt, () => this.wake());
    load.waiting = { reason, sinceMs: now, cancel: () => event.cancel() };
  }

  /** Swarm.notifyChange for this viewer: a waiting load re-decides. */
  wake(): void {
    const load = this.load;
    const waiting = load?.waiting;
    if (!load || !waiting) return;
    waiting.cancel();
    load.waiting = undefined;
    if (waiting.reason === "new-segment-hold") load.heldMs += this.now - waiting.sinceMs;
    this.step(load);
  }

  /** engine.fromPeer: ask the neighbour for the rest of the segment; the watchdog gives up on stalls. */
  private fromPeer(load: Load, link: SimLink<SimViewer>, budgetMs: number): void {
    const now = this.now;
    const download: Download = {
      link,
      msn: load.msn,
      startedMs: now,
      lastProgressMs: now,
      grantedMs: budgetMs,
      bytes: 0,
      done: false,
    };
    load.download = download;
    link.pending++;
    // segment-delivery.ts: gossip one hop (`fetching` as a peer download starts from byte 0).
    if (this.v.world.options.variant?.announceP2pFetching !== false && load.length === 0 && load.relays)
      this.v.announceFetching(load.msn);
    const holder = link.remote;
    const offset = load.length;
    this.v.world.queue.after(link.latencyMs, () => holder.uploader.handleRequest(this.v, download, offset));
    this.scheduleWatchdog(load, download);
  }

  /** segment-transfers.ts's watchdog limits now: the grant plus the HTTP time of the bytes received. */
  private limits(d: Download): { budgetMs: number; stallMs: number } {
    return peerTransferLimits(
      d.grantedMs,
      d.bytes,
      this.estimates.httpBandwidthBps,
      this.v.world.options.p2pStallTimeoutMs,
    );
  }

  private scheduleWatchdog(load: Load, d: Download): void {
    // The limits only grow (with bytes), so the earliest instant they could trip is computed from
    // today's; a tick that finds them not passed (bytes arrived meanwhile) schedules the next.
    const { budgetMs, stallMs } = this.limits(d);
    const trigger = Math.min(d.lastProgressMs + stallMs, d.startedMs + budgetMs);
    let tick = d.startedMs + WATCHDOG_TICK_MS * (Math.floor((trigger - d.startedMs) / WATCHDOG_TICK_MS) + 1);
    // Rounding can land the tick on "now" with the limit not yet passed: the next tick then.
    if (tick <= this.now) tick += WATCHDOG_TICK_MS;
    this.v.world.queue.at(tick, () => {
      if (d.done || this.load !== load) return;
      const now = this.now;
      const limits = this.limits(d);
      if (now - d.lastProgressMs > limits.stallMs || now - d.startedMs > limits.budgetMs) {
        const holder = d.link.remote;
        this.v.world.queue.after(d.link.latencyMs, () => holder.uploader.handleCancel(this.v, d));
        return this.failDownload(load, d);
      }
      this.scheduleWatchdog(load, d);
    });
  }

  /** A data chunk from a neighbour arrived (Peer.receiveData → the engine's onChunk). */
  onPeerData(d: Download, offset: number, bytes: number): void {
    const load = this.load;
    if (d.done || !load || load.download !== d) return;
    if (offset !== load.length) throw new Error(`sim: chunk at ${offset}, expected ${load.length}`);
    this.append(load, bytes, "p2p");
    d.lastProgressMs = this.now;
    d.bytes += bytes;
    if (load.length < load.totalBytes) return;
    d.done = true;
    d.link.pending--;
    const seconds = Math.max(this.now - d.startedMs, 1) / 1000;
    d.link.throughput.sample(seconds, d.bytes / seconds);
    load.download = undefined;
    this.step(load);
  }

  /** `absent` from the neighbour: it forgets what it announced about the segment; try elsewhere. */
  onPeerAbsent(d: Download): void {
    const load = this.load;
    if (d.done || !load || load.download !== d) return;
    d.link.absent.set(d.msn, this.now);
    this.failDownload(load, d);
  }

  /** The neighbour's connection closed under a transfer. */
  onPeerClosed(link: SimLink<SimViewer>): void {
    const load = this.load;
    const d = load?.download;
    if (load && d && d.link === link && !d.done) this.failDownload(load, d);
  }

  private failDownload(load: Load, d: Download): void {
    TRACE?.(
      `${(this.now / 1000).toFixed(3)} v${this.v.index} #${load.msn} fail from v${d.link.remote.index} after ${Math.round(this.now - d.startedMs)} ms, ${d.bytes} B`,
    );
    d.done = true;
    d.link.pending--;
    load.download = undefined;
    load.failed.add(d.link.remote.peerId);
    this.step(load);
  }

  /** engine.fromHttp: announce `fetching`, then a (Range) request for the rest of the segment. */
  private fromHttp(load: Load): void {
    const v = this.v;
    if (load.relays) v.announceFetching(load.msn);
    this.httpRequests++;
    const o = v.world.options;
    const requestMs = this.now;
    const from = load.length;
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
        const timing = { requestStartMs: requestMs, firstByteMs, endMs: this.now };
        this.estimates.sampleHttp(timing, load.totalBytes - from);
        this.finish(load);
      });
    };
    v.world.queue.at(firstByteMs, sendNext);
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
    }
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
      v.broadcast(msn);
    }
  }

  /** Bytes of the segment the store holds, from its change notifications (0 = none). */
  heldBytes(msn: number): number {
    const held = this.held.get(msn);
    if (held === undefined) return 0;
    return held < 0 ? this.v.stream.bytesOf(msn) : held;
  }
}
