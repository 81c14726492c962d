// How a simulated viewer meets peers: sdk/src/p2p/peer-connector.ts against the demo tracker, on
// the virtual clock. The numbers — how many offers, when to re-announce or retry, whom to answer —
// are the SDK's (sdk/src/p2p/connect-rules.ts); modelled here: the tracker (it answers every
// announce with its counts and relays each offer to a random member, one proximity tier) and
// WebRTC set-up (gathering and channel-open delays, pairs that never connect and time out after
// CONNECT_TIMEOUT_MS). Unanswered offers stay open until OFFER_TIMEOUT_MS, but hold back new ones only
// for CONNECT_TIMEOUT_MS, as the SDK's (pendingOffersSinceMs). A side that is full (past its
// `peerLimit`: a large swarm's answer headroom included) when the channel opens closes it (Swarm.add's refusal).
import {
  announceDelayMs,
  answersOffer,
  offersToMake,
  offersWanted,
  peerLimit,
  pendingOffersSinceMs,
  retryDelayMs,
} from "../../sdk/src/p2p/connect-rules.js";
import { DEFAULT_ANNOUNCE_INTERVAL_MS } from "../../demo-server/src/tracker/constants.js";
import { CONNECT_TIMEOUT_MS, OFFER_TIMEOUT_MS } from "../../sdk/src/p2p/constants.js";
import type { ScheduledEvent } from "./event-queue.js";
import { oneWayMs } from "./link-model.js";
import { pairHash } from "./random.js";
import { SimLink } from "./sim-link.js";
import type { SimViewer } from "./sim-viewer.js";

interface Offer {
  readonly from: SimViewer;
  readonly timer: ScheduledEvent;
  /** When the offer was made (virtual ms): older than pendingOffersSinceMs, it holds back no new one. */
  readonly madeMs: number;
}

export class SimConnector {
  private readonly pending = new Set<Offer>();
  /** Connections being set up on either side (PeerHandshakes.connecting). */
  connecting = 0;
  private lastRetryMs = Number.NEGATIVE_INFINITY;
  private announceTimer: ScheduledEvent | undefined;
  private trackerOpen = false;

  constructor(private readonly v: SimViewer) {}

  private get wanted(): number {
    return Math.max(0, this.v.world.options.maxPeers - this.v.links.size);
  }

  /** Swarm.answerRoom: connections still accepted by answering offers (a large swarm's headroom included). */
  private get answerRoom(): number {
    return Math.max(0, peerLimit(this.v.world.options.maxPeers, this.v.othersReported) - this.v.links.size);
  }

  /** PeerConnector.join, after the tracker's WebSocket opened (one round trip). */
  join(): void {
    const v = this.v;
    const t = v.world.options.trackerLatencyMs;
    v.world.queue.after(2 * t, () => {
      if (v.left) return;
      this.trackerOpen = true;
      // `started` with no offers: the tracker adds us and says how many others it knows.
      v.world.queue.after(t, () => {
        if (v.left) return;
        v.world.tracker.add(v.rendition, v);
        this.answerCounts();
      });
      this.announce();
    });
    this.scheduleAnnounce();
  }

  /** PeerConnector.refill: announce now if the swarm wants peers. */
  refill(): void {
    if (!this.v.left && this.trackerOpen && this.wanted > 0) this.announce();
  }

  destroy(): void {
    this.announceTimer?.cancel();
    for (const offer of this.pending) offer.timer.cancel();
    this.pending.clear();
    this.v.world.tracker.remove(this.v.rendition, this.v);
  }

  private scheduleAnnounce(): void {
    const v = this.v;
    const delayMs = announceDelayMs(this.wanted > 0, DEFAULT_ANNOUNCE_INTERVAL_MS, v.world.random());
    this.announceTimer = v.world.queue.after(delayMs, () => {
      if (v.left) return;
      if (this.trackerOpen) this.announce();
      this.scheduleAnnounce();
    });
  }

  retrySoon(): void {
    const v = this.v;
    const now = v.world.queue.now;
    if (v.left) return;
    const delayMs = retryDelayMs(this.lastRetryMs, now, v.world.random);
    if (delayMs === undefined) return;
    this.lastRetryMs = now;
    v.world.queue.after(delayMs, () => this.refill());
  }

  /**
   * The tracker got an announce of ours: its answer, one latency later, carries the swarm's counts
   * (Swarm.trackerReported), which size our next offers.
   */
  private answerCounts(): void {
    const v = this.v;
    const others = v.world.tracker.count(v.rendition) - 1;
    v.world.queue.after(v.world.options.trackerLatencyMs, () => {
      if (v.left) return;
      v.trackerAnswered = true;
      v.othersReported = others;
      v.engine.wake();
    });
  }

  /**
   * Create offers (ICE gathering), then announce them — with none, at once: the tracker answers
   * every announce with its counts — and the tracker relays each offer to a random member.
   */
  private announce(): void {
    const v = this.v;
    const o = v.world.options;
    const wanted = offersWanted(this.wanted, v.othersReported, v.links.size);
    // PeerConnector.announce: only offers younger than the connect timeout count as pending.
    const since = pendingOffersSinceMs(v.world.queue.now);
    let pending = 0;
    for (const offer of this.pending) if (offer.madeMs >= since) pending++;
    const count = offersToMake(wanted, pending);
    v.world.queue.after(count > 0 ? o.offerGatherMs : 0, () => {
      if (v.left) return;
      const offers: Offer[] = [];
      for (let i = 0; i < count; i++) {
        const offer: Offer = {
          from: v,
          madeMs: v.world.queue.now,
          timer: v.world.queue.after(OFFER_TIMEOUT_MS, () => this.pending.delete(offer)),
        };
        this.pending.add(offer);
        offers.push(offer);
      }
      v.world.queue.after(o.trackerLatencyMs, () => {
        if (v.left) return;
        this.answerCounts();
        if (offers.length === 0) return;
        const targets = v.world.tracker.pick(v.rendition, v, offers.length, v.world.random);
        targets.forEach((target, i) => {
          v.world.queue.after(o.trackerLatencyMs, () => target.connector.onOffer(offers[i]!));
        });
      });
    });
  }

  /** An offer relayed to us: answer it if we still want peers beyond those connecting. */
  private onOffer(offer: Offer): void {
    const v = this.v;
    if (v.left || !answersOffer(this.answerRoom, this.connecting)) return;
    const from = offer.from;
    if (v.links.has(from.index)) return;
    this.connecting++;
    const o = v.world.options;
    v.world.queue.after(o.answerGatherMs, () => {
      const answerSentMs = v.world.queue.now;
      if (v.left) return;
      v.world.queue.after(2 * o.trackerLatencyMs, () => from.connector.onAnswer(offer, v, answerSentMs));
    });
  }

  /** Our offer's answer arrived through the tracker: the connection opens, or times out. */
  private onAnswer(offer: Offer, answerer: SimViewer, answerSentMs: number): void {
    const v = this.v;
    const o = v.world.options;
    const q = v.world.queue;
    const failAnswerer = () =>
      q.at(answerSentMs + CONNECT_TIMEOUT_MS, () => {
        answerer.connector.connecting--;
        answerer.connector.retrySoon();
      });
    if (v.left || !this.pending.has(offer)) return void failAnswerer();
    offer.timer.cancel();
    this.pending.delete(offer);
    this.connecting++;
    if (pairHash(v.index, answerer.index, o.seed) < o.blockedPairShare) {
      q.after(CONNECT_TIMEOUT_MS, () => {
        this.connecting--;
        this.retrySoon();
      });
      return void failAnswerer();
    }
    const latency = oneWayMs(v.profile.latencyMs, answerer.profile.latencyMs);
    q.after(o.channelOpenMs + 2 * latency, () => open(v, answerer, latency));
  }
}

/** Both ends of a new channel decide at once whether to keep it (Swarm.add). */
function open(a: SimViewer, b: SimViewer, latency: number): void {
  const now = a.world.queue.now;
  if (!a.left) a.connector.connecting--;
  if (!b.left) b.connector.connecting--;
  const keeps = (x: SimViewer, y: SimViewer) =>
    !x.left &&
    !y.left &&
    !x.links.has(y.index) &&
    x.links.size < peerLimit(x.world.options.maxPeers, x.othersReported);
  const aKeeps = keeps(a, b);
  const bKeeps = keeps(b, a);
  if (a.links.has(b.index) || b.links.has(a.index)) return; // a duplicate of a live connection: dropped quietly
  const link = (y: SimViewer) =>
    new SimLink(y, latency, now, y.profile.uploadEnabled ? now + latency : Number.POSITIVE_INFINITY);
  if (aKeeps) a.addLink(link(b));
  if (bKeeps) b.addLink(link(a));
  // One side refused (full, or gone): the other sees the channel close.
  if (aKeeps && !bKeeps) a.world.queue.after(latency, () => a.peerClosed(b, "channel closed"));
  if (bKeeps && !aKeeps) b.world.queue.after(latency, () => b.peerClosed(a, "channel closed"));
  // The other end was gone before the channel opened: a failed attempt, retried soon.
  if (b.left && !a.left) a.connector.retrySoon();
  if (a.left && !b.left) b.connector.retrySoon();
}
