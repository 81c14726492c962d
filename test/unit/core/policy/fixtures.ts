// Inputs of `decide` for the policy's table tests: a 2-second 540p segment (~250 kB) on a CDN
// measured at 8 Mbit/s with 100 ms to the first byte, ~350 ms by HTTP.
import type { PeerCandidate, ScheduleInput } from "../../../../sdk/src/core/policy/decide.js";

export const peer = (peerId: string, over: Partial<PeerCandidate> = {}): PeerCandidate => ({
  peerId,
  complete: false,
  fetching: false,
  throughputBytesPerSec: 0,
  pendingRequests: 0,
  ...over,
});

export const input = (over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  segmentBytesEstimate: 250_000,
  deadlineMs: 6000,
  httpBandwidthBps: 8_000_000,
  httpFirstByteMs: 100,
  safetyMarginMs: 2500,
  candidates: [],
  failedPeers: new Set(),
  awaitingFirstPeer: false,
  live: false,
  connectedPeers: 0,
  holdLeftMs: 0,
  ...over,
});
