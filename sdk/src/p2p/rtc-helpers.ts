// Small promise wrappers around a standard RTCPeerConnection / RTCDataChannel, shared by the
// connector's offer and answer paths.
import { ICE_GATHERING_QUIET_MS, ICE_GATHERING_TIMEOUT_MS } from "./constants.js";

/** Closes a connection and its channel; either may already be closed. */
export function closeQuietly(connection: RTCPeerConnection, channel: RTCDataChannel | undefined): void {
  try {
    channel?.close();
    connection.close();
  } catch {
    // already closed underneath us
  }
}

/** How long {@link iceGathered} waits, ms. */
export interface IceGatheringTiming {
  /** Upper bound: resolve with what was gathered by then. @default ICE_GATHERING_TIMEOUT_MS (3000) */
  timeoutMs: number;
  /** Resolve once candidates came and then none for this long. @default ICE_GATHERING_QUIET_MS (500) */
  quietMs: number;
}

const DEFAULT_GATHERING: IceGatheringTiming = {
  timeoutMs: ICE_GATHERING_TIMEOUT_MS,
  quietMs: ICE_GATHERING_QUIET_MS,
};

/**
 * Resolves when ICE gathering is done, so that a non-trickle offer or answer carries every candidate:
 * when the gathering state turns `complete`; or once at least one candidate came and then none for
 * `quietMs` (a configured STUN server that never answers — UDP firewalled — would otherwise hold every
 * offer and answer for the whole timeout); or after `timeoutMs` with what was gathered. While a TURN
 * server is configured and no relay candidate has come, only `complete` or the timeout end the wait.
 */
export function iceGathered(
  connection: RTCPeerConnection,
  timing: IceGatheringTiming = DEFAULT_GATHERING,
): Promise<void> {
  if (connection.iceGatheringState === "complete") return Promise.resolve();
  const awaitingRelay = usesTurn(connection);
  return new Promise((resolve) => {
    const timer = setTimeout(done, timing.timeoutMs);
    let quiet: ReturnType<typeof setTimeout> | undefined;
    let relayed = false;
    function done() {
      clearTimeout(timer);
      clearTimeout(quiet);
      connection.removeEventListener("icegatheringstatechange", check);
      connection.removeEventListener("icecandidate", onCandidate);
      resolve();
    }
    function check() {
      if (connection.iceGatheringState === "complete") done();
    }
    function candidateSeen(candidate: string) {
      relayed ||= / typ relay/.test(candidate);
      clearTimeout(quiet);
      if (!awaitingRelay || relayed) quiet = setTimeout(done, timing.quietMs);
    }
    function onCandidate(event: RTCPeerConnectionIceEvent) {
      // A null candidate is the end-of-candidates signal.
      if (!event.candidate) return done();
      candidateSeen(event.candidate.candidate);
    }
    connection.addEventListener("icegatheringstatechange", check);
    connection.addEventListener("icecandidate", onCandidate);
    // Candidates gathered before this call (their events already fired) are in the description.
    const early = connection.localDescription?.sdp.match(/^a=candidate:.*$/gm) ?? [];
    for (const line of early) candidateSeen(line);
  });
}

/** Whether the connection's configuration names a TURN server (relay candidates are expected). */
function usesTurn(connection: RTCPeerConnection): boolean {
  let servers: RTCIceServer[] | undefined;
  try {
    servers = connection.getConfiguration?.().iceServers;
  } catch {
    return false;
  }
  return (servers ?? []).some((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).some((url) => /^turns?:/i.test(url)),
  );
}

/** Resolves when the channel opens; rejects if it closes first. */
export function channelOpen(channel: RTCDataChannel): Promise<void> {
  if (channel.readyState === "open") return Promise.resolve();
  return new Promise((resolve, reject) => {
    channel.addEventListener("open", () => resolve(), { once: true });
    channel.addEventListener("close", () => reject(new Error("channel closed before opening")), {
      once: true,
    });
  });
}

/** The promise, or a rejection after `ms` milliseconds. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });
}
