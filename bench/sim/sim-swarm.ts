// A simulated viewer's swarm as the SDK's delivery code sees it (sdk/src/p2p/swarm.ts and Peer): the
// policy's PeerView read from the announcement board through each link's latency, waits woken by news
// as it arrives, and peer transfers over the simulated links. Modelling only: which peer to ask, for
// how long, and when to give up is the SDK's (core/policy via engine/segment-load.ts).
import type { Decision, PeerCandidate } from "../../sdk/src/core/policy/decide.js";
import type { PeerView } from "../../sdk/src/core/policy/load-context.js";
import { awaitingFirstPeer } from "../../sdk/src/core/policy/waits.js";
import type {
  Cancellable,
  PeerLink,
  PeerTransferEvents,
  SwarmPort,
} from "../../sdk/src/engine/segment-load.js";
import type { ScheduledEvent } from "./event-queue.js";
import { visibleLength, visibleState } from "./sim-availability.js";
import type { Load } from "./sim-load.js";
import type { SimLink } from "./sim-link.js";
import type { SimViewer } from "./sim-viewer.js";

/** SIM_TRACE=1: every scheduling decision and failed peer try on stderr (to find where offload goes). */
export const TRACE = process.env.SIM_TRACE ? (line: string) => process.stderr.write(line + "\n") : undefined;

/** One line per decision on stderr with SIM_TRACE=1: when, who, which segment, what and why. */
export function traceDecision(
  v: SimViewer,
  load: Load,
  candidates: readonly PeerCandidate[],
  decision: Decision,
): void {
  const now = v.world.queue.now;
  const index = (peerId: string) => v.linksByPeerId.get(peerId)?.remote.index;
  const cands = candidates
    .map((c) => `v${index(c.peerId)}${c.complete ? "C" : "F"}${Math.round(c.throughputBytesPerSec / 1000)}`)
    .join(",");
  const target =
    decision.kind === "p2p" ? ` -> v${index(decision.peerId)} budget=${Math.round(decision.budgetMs)}` : "";
  TRACE?.(
    `${(now / 1000).toFixed(3)} v${v.index} #${load.msn} ${load.decision} ` +
      `deadline=${Math.round(v.player.model.bufferAheadSec(now) * 1000)} have=${load.length} ` +
      `held=${Math.round(load.run?.policy.heldMs ?? 0)} candidates(kB/s)=${cands}${target}`,
  );
}

/** A peer transfer in flight (Peer.request as the engine's transport makes it). */
export class Download {
  bytes = 0;
  done = false;

  constructor(
    private readonly swarm: SimSwarm,
    readonly link: SimLink<SimViewer>,
    readonly msn: number,
    readonly startedMs: number,
    readonly events: PeerTransferEvents,
  ) {}

  /** The engine cut the transfer: the holder hears of it one latency later. */
  cancel(): void {
    if (this.done) return;
    const requester = this.swarm.viewer;
    const holder = this.link.remote;
    requester.world.queue.after(this.link.latencyMs, () => holder.uploader.handleCancel(requester, this));
    this.swarm.end(this, "cut");
  }
}

/** A neighbour as the load's transport (PeerLink). */
class NeighbourLink implements PeerLink {
  constructor(
    private readonly swarm: SimSwarm,
    private readonly link: SimLink<SimViewer>,
    private readonly msn: number,
  ) {}

  request(offset: number, events: PeerTransferEvents): Download {
    const v = this.swarm.viewer;
    const link = this.link;
    const d = new Download(this.swarm, link, this.msn, v.world.queue.now, events);
    this.swarm.download = d;
    link.pending++;
    const holder = link.remote;
    v.world.queue.after(link.latencyMs, () => holder.uploader.handleRequest(v, d, offset));
    return d;
  }
}

export class SimSwarm implements PeerView, SwarmPort, Cancellable {
  /** The wake of the load waiting for a change (Swarm.waitForChange), if one is, and its timer. */
  private waiter: (() => void) | undefined;
  private waitEvent: ScheduledEvent | undefined;
  private readonly timeUp = () => this.notifyChange();
  /** The peer transfer of the current load, if one runs. */
  download: Download | undefined;

  constructor(private readonly v: SimViewer) {}

  get viewer(): SimViewer {
    return this.v;
  }

  private get now(): number {
    return this.v.world.queue.now;
  }

  /** Peer.canServe of every neighbour, as the announcements it sent have reached us by now. */
  candidates(segmentId: string): PeerCandidate[] {
    const v = this.v;
    const msn = Number(segmentId);
    const now = this.now;
    const list: PeerCandidate[] = [];
    for (const link of v.links.values()) {
      const rec = v.board.get(msn, link.remote.index);
      const absentAt = link.absentAt(msn);
      const state = visibleState(rec, now, link, absentAt);
      if (!state) continue;
      list.push({
        peerId: link.remote.peerId,
        complete: state === "complete",
        fetching: state === "fetching",
        throughputBytesPerSec: link.throughput.bytesPerSec,
        pendingRequests: link.pending,
        tieBreak: v.world.random(),
        // Swarm.candidates: when the `fetching` note arrived, while no availability entry replaced it.
        ...(state === "fetching" && rec && visibleLength(rec, now, link, absentAt) === undefined
          ? { fetchingSinceMs: rec.fetchingAt + link.latencyMs }
          : {}),
      });
    }
    return list;
  }

  announcedLength(segmentId: string): number | undefined {
    const msn = Number(segmentId);
    for (const link of this.v.links.values()) {
      const length = visibleLength(
        this.v.board.get(msn, link.remote.index),
        this.now,
        link,
        link.absentAt(msn),
      );
      if (length !== undefined) return length;
    }
    return undefined;
  }

  get awaitingFirstPeer(): boolean {
    const v = this.v;
    let availabilityReceived = false;
    for (const link of v.links.values()) if (link.availabilityAtMs <= this.now) availabilityReceived = true;
    return awaitingFirstPeer({
      sinceJoinMs: this.now - v.joinedSwarmMs,
      peerLeft: v.peerLeft,
      trackerAnswered: v.trackerAnswered,
      othersReported: v.othersReported,
      availabilityReceived,
    });
  }

  get connectedPeers(): number {
    return this.v.links.size;
  }

  get othersReported(): number | undefined {
    return this.v.othersReported;
  }

  get isWaiting(): boolean {
    return this.waiter !== undefined;
  }

  /**
   * Swarm.waitForChange for the current load: woken by any neighbour's news. Messages already on
   * their way when the wait starts are found here and wake it on arrival; later ones wake it from the
   * sender's side (SimViewer.broadcast → {@link notifyChange}). One wait at a time: the handle is the
   * swarm itself.
   */
  waitForChange(maxWaitMs: number, wake: () => void): Cancellable {
    const msn = this.v.engine.load?.msn ?? -1;
    const now = this.now;
    // setTimeout waits at least 1 ms: a hold with a sliver left still ends.
    let wakeAt = now + Math.max(1, maxWaitMs);
    for (const link of this.v.links.values()) {
      if (link.availabilityAtMs > now) wakeAt = Math.min(wakeAt, link.availabilityAtMs);
      const rec = this.v.board.get(msn, link.remote.index);
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
    this.waitEvent = this.v.world.queue.at(wakeAt, this.timeUp);
    this.waiter = wake;
    return this;
  }

  /** The wait is over without a wake (the load was aborted or disposed). */
  cancel(): void {
    this.waitEvent?.cancel();
    this.waitEvent = undefined;
    this.waiter = undefined;
  }

  /** Swarm.notifyChange for this viewer: a waiting load decides again. */
  notifyChange(): void {
    const wake = this.waiter;
    if (!wake) return;
    this.cancel();
    wake();
  }

  /** The connected neighbour with this peer id, as a transport for the current load. */
  peer(peerId: string): PeerLink | undefined {
    const link = this.v.linksByPeerId.get(peerId);
    const msn = this.v.engine.load?.msn;
    return link && msn !== undefined ? new NeighbourLink(this, link, msn) : undefined;
  }

  /** The transfer stopped (done, cut, refused, closed): the link has one request less in flight. */
  end(d: Download, failure?: string): void {
    d.done = true;
    d.link.pending--;
    if (this.download === d) this.download = undefined;
    if (failure)
      TRACE?.(
        `${(this.now / 1000).toFixed(3)} v${this.v.index} #${d.msn} fail from v${d.link.remote.index} after ${Math.round(this.now - d.startedMs)} ms, ${d.bytes} B`,
      );
  }
}
