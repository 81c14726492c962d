import { REFUSED_SWARM_RETRY_MAX_MS, REFUSED_SWARM_RETRY_MIN_MS } from "./constants.js";
import { setRecent } from "../core/bounded-recent.js";

/**
 * `failure reason`s that concern one message, not the swarm (a Nearcast tracker names them in
 * `nearcast_reason`, demo-server/src/net/refusal-reasons.ts): an answer to a peer that left, or from
 * a membership the tracker no longer holds, a `stopped` for a membership already gone. The swarm stays
 * announced. Every other failure of an announce for a joined swarm refuses that swarm — all of them
 * from a tracker that sends no key (WebTorrent's `failure reason` says only that the request failed),
 * and a frame the tracker cannot read too: it would refuse the next announce the same way.
 */
const MESSAGE_REFUSALS: ReadonlySet<string> = new Set([
  "unknown_peer",
  "answer_without_membership",
  "stopped_not_owner",
]);

/** Whether a failure with this `nearcast_reason` (undefined: none sent) refuses the swarm. */
export function isSwarmRefusal(reasonKey: string | undefined): boolean {
  return reasonKey === undefined || !MESSAGE_REFUSALS.has(reasonKey);
}

/** Refused (tracker, swarm) pairs remembered at most, oldest forgotten first. */
const MAX_REFUSALS = 256;

/**
 * Which swarms each tracker refused, and until when this viewer keeps from announcing them there:
 * REFUSED_SWARM_RETRY_MIN_MS, doubling at each refusal in a row up to REFUSED_SWARM_RETRY_MAX_MS. An
 * accepted announce forgets the refusal.
 */
export class SwarmRefusals {
  private readonly entries = new Map<string, { untilMs: number; backoffMs: number }>();

  /** The tracker refused the swarm at `nowMs`; returns how long it is left alone. */
  refused(trackerUrl: string, swarmKey: string, nowMs: number): number {
    const key = `${trackerUrl}\n${swarmKey}`;
    const previous = this.entries.get(key);
    const backoffMs = previous
      ? Math.min(REFUSED_SWARM_RETRY_MAX_MS, previous.backoffMs * 2)
      : REFUSED_SWARM_RETRY_MIN_MS;
    setRecent(this.entries, key, { untilMs: nowMs + backoffMs, backoffMs }, MAX_REFUSALS);
    return backoffMs;
  }

  /** Whether announcing the swarm to the tracker waits out a refusal now. */
  blocks(trackerUrl: string, swarmKey: string, nowMs: number): boolean {
    const entry = this.entries.get(`${trackerUrl}\n${swarmKey}`);
    return entry !== undefined && nowMs < entry.untilMs;
  }

  accepted(trackerUrl: string, swarmKey: string): void {
    this.entries.delete(`${trackerUrl}\n${swarmKey}`);
  }
}
