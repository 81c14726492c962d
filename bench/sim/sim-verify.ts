// One viewer's trust ladder on the virtual clock: when a load with peer bytes is complete, the
// verdict's time and cost from sim-trust.ts, then what the SDK's delivery loop does with it
// (engine/segment-delivery.ts deliver): verified → publish the held copy (or its rest, after a
// cut-through prefix) to the store and deliver;
// unverifiable → fetched again over HTTP (or, with allowUnverifiedPeers, delivered but not shared).
import { verificationWaitMs } from "../../sdk/src/engine/segment-delivery.js";
import {
  digestAnswer,
  digestReadyMs,
  verifyLoad,
  type TrustMode,
  type VerifyInput,
  type VerifyOutcome,
} from "./sim-trust.js";
import type { Load } from "./sim-load.js";
import type { SimViewer } from "./sim-viewer.js";

/** The run's trust mode (undefined in the options: the SDK's default, the ladder). */
export function trustMode(v: SimViewer): TrustMode {
  return v.world.options.trust ?? "ladder";
}

/** The ladder's inputs for `load` as of now; in a swarm the service serves, its ask is counted. */
function ladderInput(v: SimViewer, load: Load): VerifyInput {
  const { world, profile, stream } = v;
  const o = world.options;
  const now = world.queue.now;
  const bytes = load.totalBytes;
  const serverRttMs = 2 * (profile.latencyMs + o.trackerLatencyMs);
  const lengthKnownMs = load.firstPeerByteMs ?? now;
  const swarmSize = world.tracker.count(v.rendition);
  const input = {
    swarmSize,
    lengthKnownMs,
    completeMs: now,
    waitMs: verificationWaitMs(v.player.model.bufferAheadSec(now) * 1000, o.httpSafetyMarginMs),
    segmentBytes: bytes,
    serverRttMs,
    cdnRttMs: 2 * profile.latencyMs + o.cdnLatencyMs,
    digestReadyMs: Number.POSITIVE_INFINITY,
    minSwarmSize: world.trust.minSwarmSize,
  };
  const trust = world.trust;
  // A swarm the service serves: it follows the playlist and fetches each segment once.
  if (swarmSize >= trust.minSwarmSize) {
    const firstAsk = trust.ask(v.rendition, load.msn, lengthKnownMs + serverRttMs / 2, bytes);
    const fetchMs = o.cdnLatencyMs + bytes / o.cdnBytesPerSec;
    input.digestReadyMs = digestReadyMs(
      stream.availableAtMs(load.msn),
      firstAsk,
      stream.rendition.targetDurationSec,
      fetchMs,
    );
  }
  return input;
}

/**
 * Called as `load`'s first peer bytes arrive (the digest ask goes out): when the service's answer
 * with chunk digests will be in, from which each verified chunk is passed on (SegmentTrust.cutThrough,
 * which segment-delivery.ts sets on every load the ladder runs for); undefined when it will not be
 * `ok` (a swarm below its min size, or late), or in `ladder-hold` / `off`.
 */
export function cutThroughFromMs(v: SimViewer, load: Load): number | undefined {
  const mode = trustMode(v);
  if (mode === "off" || mode === "ladder-hold") return undefined;
  const answer = digestAnswer(ladderInput(v, load));
  return answer.ok ? answer.answerMs : undefined;
}

/** The ladder's outcome for `load` (complete now, with peer bytes), its costs counted in the world. */
export function verifyCompleteLoad(v: SimViewer, load: Load): VerifyOutcome {
  const outcome = verifyLoad(ladderInput(v, load));
  const trust = v.world.trust;
  trust.spotRequests += outcome.spotRequests;
  trust.spotBytes += outcome.spotBytes;
  if (outcome.by) trust.verified[outcome.by]++;
  else trust.unverifiable++;
  return outcome;
}
