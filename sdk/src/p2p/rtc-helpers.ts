// Small promise wrappers around a standard RTCPeerConnection / RTCDataChannel, shared by the
// connector's offer and answer paths.
import { ICE_GATHERING_TIMEOUT_MS } from "./constants.js";

/** Closes a connection and its channel; either may already be closed. */
export function closeQuietly(connection: RTCPeerConnection, channel: RTCDataChannel | undefined): void {
  try {
    channel?.close();
    connection.close();
  } catch {
    // already closed underneath us
  }
}

/** Resolves when ICE gathering completes (non-trickle offers carry every candidate), or after ICE_GATHERING_TIMEOUT_MS with what was gathered. */
export function iceGathered(connection: RTCPeerConnection): Promise<void> {
  if (connection.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ICE_GATHERING_TIMEOUT_MS);
    function done() {
      clearTimeout(timer);
      connection.removeEventListener("icegatheringstatechange", check);
      resolve();
    }
    function check() {
      if (connection.iceGatheringState === "complete") done();
    }
    connection.addEventListener("icegatheringstatechange", check);
  });
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
