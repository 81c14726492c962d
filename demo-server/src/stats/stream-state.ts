// The per-stream state the aggregator keeps, and the small helpers that build and fill it.
import { createHash } from "node:crypto";
import { BucketRing } from "./bucket-ring.js";

/** Channels of the report rings. */
export const HTTP = 0;
export const P2P = 1;
export const UPLOAD = 2;
const REPORT_CHANNELS = 3;

/** Renditions beyond the per-stream bound are summed under this name. */
export const OTHER_RENDITION = "(other renditions)";

/** http, p2p, upload. */
export type ByteTriple = [number, number, number];

export interface RenditionState {
  readonly name: string;
  readonly ring: BucketRing;
  readonly totals: ByteTriple;
  lastReportMs: number;
}

export interface StreamState {
  readonly key: string;
  readonly name: string;
  readonly originStream: string | undefined;
  readonly createdMs: number;
  readonly streamIds: Set<string>;
  readonly ring: BucketRing;
  readonly totals: ByteTriple;
  readonly renditions: Map<string, RenditionState>;
  /** Tracker info-hash (hex) → rendition, for every (streamId, rendition) pair seen. */
  readonly swarms: Map<string, string>;
  lastReportMs: number;
  /** Segments whose bytes from peers failed verification, as this stream's viewers reported. */
  integrityFailures: number;
}

export interface OriginState {
  readonly ring: BucketRing;
  /** Media bytes since the stats service started. */
  total: number;
}

export function newRendition(name: string, now: number): RenditionState {
  return { name, ring: new BucketRing(REPORT_CHANNELS), totals: [0, 0, 0], lastReportMs: now };
}

export function newStream(
  key: string,
  name: string,
  originStream: string | undefined,
  now: number,
): StreamState {
  return {
    key,
    name,
    originStream,
    createdMs: now,
    streamIds: new Set(),
    ring: new BucketRing(REPORT_CHANNELS),
    totals: [0, 0, 0],
    renditions: new Map(),
    swarms: new Map(),
    lastReportMs: now,
    integrityFailures: 0,
  };
}

export function addTo(target: ByteTriple, amounts: readonly number[]): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) + (amounts[i] ?? 0);
}

/**
 * The tracker's info-hash of a swarm, as the SDK derives it: SHA-1 of `<streamId>|<rendition>`
 * (sdk/src/hlsjs/segment-mapping.ts `swarmKeyOf`, sdk/src/p2p/ids.ts `infoHashOf`), in hex.
 */
export function swarmInfoHash(streamId: string, rendition: string): string {
  return createHash("sha1").update(`${streamId}|${rendition}`, "utf8").digest("hex");
}
