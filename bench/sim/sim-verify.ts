// One viewer's trust ladder on the virtual clock: when a load with peer bytes is complete, the
// verdict's time and cost from sim-trust.ts, then what the SDK's delivery loop does with it
// (engine/segment-delivery.ts deliver): verified → publish the held copy to the store and deliver;
// unverifiable → fetched again over HTTP (or, with allowUnverifiedPeers, delivered but not shared).
import { verificationWaitMs } from "../../sdk/src/engine/segment-delivery.js";
import { digestReadyMs, verifyLoad, type TrustMode, type VerifyOutcome } from "./sim-trust.js";
import type { Load } from "./sim-engine.js";
import type { SimViewer } from "./sim-viewer.js";

/** The run's trust mode (undefined in the options: the SDK's default, the ladder). */
export function trustMode(v: SimViewer): TrustMode {
  return v.world.options.trust ?? "ladder";
}

/** The ladder's outcome for `load` (complete now, with peer bytes), its costs counted in the world. */
export function verifyCompleteLoad(v: SimViewer, load: Load): VerifyOutcome {
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
  const outcome = verifyLoad(input);
  trust.spotRequests += outcome.spotRequests;
  trust.spotBytes += outcome.spotBytes;
  if (outcome.by) trust.verified[outcome.by]++;
  else trust.unverifiable++;
  return outcome;
}
