// The aggregator's streams and their renditions, bounded: a stream beyond `maxStreams` is counted
// under OTHER_STREAM, a rendition beyond `maxRenditionsPerStream` under OTHER_RENDITION; streams and
// renditions without reports for `streamIdleMs` are forgotten.
import { MAX_STREAM_IDS_PER_STREAM } from "./constants.js";
import type { LabelAllocator } from "./label-allocator.js";
import { identifyStream, OTHER_STREAM } from "./stream-identity.js";
import {
  newRendition,
  newStream,
  OTHER_RENDITION,
  swarmInfoHash,
  type RenditionState,
  type StreamState,
} from "./stream-state.js";

/** The limits of `AggregatorLimits` that bound the stream table. */
export interface StreamLimits {
  maxStreams: number;
  maxRenditionsPerStream: number;
  streamIdleMs: number;
}

export class StreamTable {
  readonly states = new Map<string, StreamState>();

  constructor(
    private readonly limits: Readonly<StreamLimits>,
    /** Gives each new stream its metric label, and takes it back when the stream is forgotten. */
    private readonly labels: LabelAllocator,
    private readonly isOriginStream: (name: string) => boolean,
  ) {}

  /** Whether a report for `streamId` lands in a tracked stream (a full table sends new ones to `other`). */
  knows(streamId: string): boolean {
    const identity = identifyStream(streamId, this.isOriginStream);
    if (this.states.has(identity.key)) return true;
    return this.states.size - (this.states.has(OTHER_STREAM) ? 1 : 0) >= this.limits.maxStreams;
  }

  streamFor(streamId: string, now: number): StreamState {
    const identity = identifyStream(streamId, this.isOriginStream);
    let stream = this.states.get(identity.key);
    if (stream === undefined) {
      const tracked = this.states.size - (this.states.has(OTHER_STREAM) ? 1 : 0);
      const overflow = tracked >= this.limits.maxStreams;
      const key = overflow ? OTHER_STREAM : identity.key;
      stream = this.states.get(key);
      if (stream === undefined) {
        stream = newStream(
          key,
          overflow ? OTHER_STREAM : identity.name,
          overflow ? undefined : identity.originStream,
          now,
        );
        this.states.set(key, stream);
        if (!overflow) this.labels.assign(key, identity.name);
      }
    }
    if (stream.streamIds.size < MAX_STREAM_IDS_PER_STREAM) stream.streamIds.add(streamId);
    return stream;
  }

  renditionFor(stream: StreamState, name: string, streamId: string, now: number): RenditionState {
    let rendition = stream.renditions.get(name);
    if (rendition === undefined) {
      const full =
        stream.renditions.size >= this.limits.maxRenditionsPerStream - 1 && name !== OTHER_RENDITION;
      const effective = full ? OTHER_RENDITION : name;
      rendition = stream.renditions.get(effective);
      if (rendition === undefined) {
        rendition = newRendition(effective, now);
        stream.renditions.set(effective, rendition);
      }
    }
    const maxSwarms = MAX_STREAM_IDS_PER_STREAM * this.limits.maxRenditionsPerStream;
    if (
      rendition.name !== OTHER_RENDITION &&
      stream.streamIds.has(streamId) &&
      stream.swarms.size < maxSwarms
    ) {
      const hash = swarmInfoHash(streamId, rendition.name);
      if (!stream.swarms.has(hash)) stream.swarms.set(hash, rendition.name);
    }
    return rendition;
  }

  /** Forgets idle streams and renditions. Returns the metric labels released with the streams. */
  sweep(now: number): string[] {
    const released: string[] = [];
    for (const [key, stream] of this.states) {
      if (now - stream.lastReportMs > this.limits.streamIdleMs) {
        this.states.delete(key);
        const label = this.labels.release(key);
        if (label !== undefined) released.push(label);
        continue;
      }
      for (const [name, rendition] of stream.renditions) {
        if (now - rendition.lastReportMs > this.limits.streamIdleMs) stream.renditions.delete(name);
      }
    }
    return released;
  }
}
