// One segment load carried out as its policy (core/policy/load-policy.ts) says: waits, peer transfers
// under a watchdog, HTTP, announcements. Callback-driven on an injected clock, with the transports
// behind small interfaces, so the simulator (bench/sim) runs this very code on its virtual clock; the
// engine wraps it in a Promise (segment-delivery.ts).
import type { Logger } from "../core/logger.js";
import type { DeliveryPolicy } from "../core/policy/delivery-policy.js";
import type { LoadContext } from "../core/policy/load-context.js";
import type { LoadAction, LoadPolicy } from "../core/policy/load-policy.js";
import type { TransferTiming } from "../core/types.js";

/** Something started that can be stopped; once stopped, it calls back no more. */
export interface Cancellable {
  cancel(): void;
}

/** A clock with timers: performance.now() and setTimeout in the engine, the virtual clock in the simulator. */
export interface LoadClock {
  now(): number;
  /** Run `fn` at `timeMs` on this clock. */
  at(timeMs: number, fn: () => void): Cancellable;
}

/** What a peer transfer reports. Nothing after `done`, `failed`, or the transfer's `cancel`. */
export interface PeerTransferEvents {
  /** `bytes` more of the segment arrived and were added to the load's bytes. */
  progress(bytes: number): void;
  /** The peer delivered the rest of the segment. */
  done(): void;
  /** The peer refused, closed, or broke the protocol. */
  failed(reason: string): void;
}

/** One connected peer, for one load. */
export interface PeerLink {
  /** Ask for the segment's bytes from `offset` to its end; `cancel(reason)` stops the transfer. */
  request(offset: number, events: PeerTransferEvents): { cancel(reason: string): void };
}

/** The load's swarm, beyond what the policy reads of it. */
export interface SwarmPort {
  /** Call `wake` once, when the swarm changes (a peer joins, news of a segment) or after `maxWaitMs`. */
  waitForChange(maxWaitMs: number, wake: () => void): Cancellable;
  /** The connected peer with this id; undefined when it is gone. */
  peer(peerId: string): PeerLink | undefined;
}

/** What an HTTP fetch reports, once, unless it was aborted first. */
export interface HttpTransferEvents {
  /** The rest of the segment arrived (`bytes` of it, timed as `timing` on the estimates' clock). */
  fetched(timing: TransferTiming, bytes: number): void;
  /** The fetch failed; `retryable`: it may succeed elsewhere (a 5xx, a timeout, a network error). */
  fetchFailed(error: unknown, retryable: boolean): void;
}

export interface HttpPort {
  /** Fetch the segment's bytes from `offset` to its end. */
  fetch(offset: number, events: HttpTransferEvents): { abort(): void };
}

/** `fetching` / `fetch-cancelled` notes to this viewer's neighbours. */
export interface Announcer {
  fetching(): void;
  fetchCancelled(): void;
}

/** Everything one load runs on (the policy reads it as its {@link LoadContext}). */
export interface LoadPorts extends LoadContext {
  clock: LoadClock;
  p2p: (NonNullable<LoadContext["p2p"]> & { swarm: SwarmPort }) | undefined;
  http: HttpPort;
  announce: Announcer;
  log?: Logger;
}

/** How a load ends: `done` with the segment's bytes all held, or `failed` with what ended it. */
export interface LoadOutcome {
  done(): void;
  failed(error: unknown): void;
}

/** Stands for a transfer while its request is being made. */
const STARTING = { cancel: () => {} };

/**
 * Runs one load's policy. It is the listener of its own transports: at most one wait, peer transfer
 * or HTTP fetch is in flight, and whatever stops one cancels it, so no stale callback arrives.
 */
export class SegmentLoad implements PeerTransferEvents, HttpTransferEvents {
  readonly policy: LoadPolicy;
  private ended = false;
  /** The step in flight: at most one of them is set. */
  private waitTimer: Cancellable | undefined;
  private transfer: { cancel(reason: string): void } | undefined;
  private fetchInFlight: { abort(): void } | undefined;
  /** The peer transfer's next watchdog check. */
  private checkTimer: Cancellable | undefined;
  private waitSinceMs = 0;
  /** The error that ended the load, or that it recovers from (an HTTP failure peers covered). */
  private error: unknown;
  private readonly wake = () => this.waitOver();
  private readonly tick = () => this.checkTransfer();

  constructor(
    delivery: DeliveryPolicy,
    private readonly ports: LoadPorts,
    private readonly outcome: LoadOutcome,
  ) {
    this.policy = delivery.begin(ports);
  }

  /** Waiting for peers (a hold or the first-peer wait). */
  get isWaiting(): boolean {
    return this.waitTimer !== undefined;
  }

  start(): void {
    this.run(this.policy.next());
  }

  /** Stop everything in flight and fail with `error` (the neighbours are told as the policy says). */
  abort(error: unknown): void {
    if (this.ended) return;
    this.stopStep("aborted");
    this.error = error;
    this.run(this.policy.aborted());
  }

  /**
   * Forget the load without a word to anyone, its transfer included (its viewer is gone, and with it
   * every connection): its timers are stopped, and what the transports still report is ignored.
   */
  dispose(): void {
    this.ended = true;
    this.waitTimer?.cancel();
    this.checkTimer?.cancel();
  }

  progress(bytes: number): void {
    if (this.transfer && !this.ended) this.policy.peerProgress(bytes, this.ports.clock.now());
  }

  done(): void {
    if (this.transfer && !this.ended) this.transferEnded(true);
  }

  failed(reason: string): void {
    if (this.transfer && !this.ended) this.transferEnded(false, reason);
  }

  fetched(timing: TransferTiming, bytes: number): void {
    if (!this.fetchInFlight || this.ended) return;
    this.fetchInFlight = undefined;
    const estimates = this.ports.estimates;
    estimates.sampleHttp(timing, bytes);
    const fromBps = this.policy.probeFromBps;
    if (fromBps !== undefined)
      this.ports.log?.(
        "%s: abr-probe over HTTP: %d → %d bit/s",
        this.id,
        fromBps,
        estimates.httpBandwidthBps,
      );
    this.run(this.policy.httpDone());
  }

  fetchFailed(error: unknown, retryable: boolean): void {
    if (!this.fetchInFlight || this.ended) return;
    this.fetchInFlight = undefined;
    this.error = error;
    this.run(this.policy.httpFailed(retryable));
  }

  private get id(): string {
    return this.ports.segment.id;
  }

  private run(first: LoadAction): void {
    for (let action = first; ; action = this.policy.next()) {
      if (this.ended) return;
      switch (action.kind) {
        case "complete":
          this.ended = true;
          if (this.error !== undefined)
            this.ports.log?.("%s: peers covered an HTTP failure (%s)", this.id, this.error);
          return this.outcome.done();
        case "fail":
          this.ended = true;
          if (action.announceCancelled) this.ports.announce.fetchCancelled();
          return this.outcome.failed(this.error);
        case "wait": {
          const swarm = this.ports.p2p?.swarm;
          if (!swarm) throw new Error("a wait without a swarm");
          this.waitSinceMs = this.ports.clock.now();
          this.waitTimer = swarm.waitForChange(action.maxWaitMs, this.wake);
          return;
        }
        case "http":
          if (action.announceFetching) this.ports.announce.fetching();
          this.fetchInFlight = this.ports.http.fetch(this.ports.bytes.length, this);
          return;
        case "ask-peer": {
          const link = this.ports.p2p?.swarm.peer(action.peerId);
          if (!link) {
            // Gone meanwhile: the policy decides again without it.
            this.policy.peerUnavailable(action.peerId);
            continue;
          }
          if (action.announceFetching) this.ports.announce.fetching();
          this.transfer = STARTING;
          const transfer = link.request(this.ports.bytes.length, this);
          // A transport that answered at once (a closed peer) has ended the transfer already.
          if (this.transfer !== STARTING) return;
          this.transfer = transfer;
          this.checkTimer = this.ports.clock.at(action.checkAtMs, this.tick);
          return;
        }
      }
    }
  }

  private waitOver(): void {
    if (!this.waitTimer || this.ended) return;
    this.waitTimer = undefined;
    this.policy.waitEnded(this.ports.clock.now() - this.waitSinceMs);
    this.run(this.policy.next());
  }

  /** The watchdog: the policy says go on (and when to look again) or cut the peer. */
  private checkTransfer(): void {
    const transfer = this.transfer;
    if (!transfer || this.ended) return;
    const verdict = this.policy.checkTransfer(this.ports.clock.now());
    if (verdict.kind === "check-at") {
      this.checkTimer = this.ports.clock.at(verdict.atMs, this.tick);
      return;
    }
    this.checkTimer = undefined;
    transfer.cancel(verdict.reason);
    this.transferEnded(false, verdict.reason);
  }

  private transferEnded(ok: boolean, why?: string): void {
    const peerId = this.policy.transferPeerId;
    this.transfer = undefined;
    this.checkTimer?.cancel();
    this.checkTimer = undefined;
    if (why) this.ports.log?.("%s from %s failed: %s", this.id, peerId, why);
    this.policy.peerEnded(ok);
    this.run(this.policy.next());
  }

  /** Stop the step in flight (the load is aborted). */
  private stopStep(reason: string): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
    this.checkTimer?.cancel();
    this.checkTimer = undefined;
    this.transfer?.cancel(reason);
    this.transfer = undefined;
    this.fetchInFlight?.abort();
    this.fetchInFlight = undefined;
  }
}
