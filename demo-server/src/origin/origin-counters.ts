// Ground truth for "how many bytes did the CDN serve": media bytes are recorded as the socket accepts
// them (see send-media.ts), so an aborted request counts what was sent, not the file size, and a Range
// request counts only its range. Playlists are counted apart from media.

/** Counters shared by every level of the snapshot. */
export interface TrafficCounters {
  /** Media bytes (segments and init segments) written to sockets. */
  mediaBytes: number;
  /** Media GET requests answered with 200 or 206 (HEAD and errors not counted). */
  mediaRequests: number;
  /**
   * Of `mediaRequests`, those answered 206 to a `Range` (a player's resume, a P2P client's spot
   * check), so what verification costs the origin can be told apart from whole-file fetches.
   */
  rangeMediaRequests: number;
  /** Of `mediaBytes`, the bytes of 206 responses. */
  rangeMediaBytes: number;
  /** Media requests whose client went away before the last byte. */
  abortedMediaRequests: number;
  /** Playlist bytes (master and media, VOD and live) written to sockets. */
  playlistBytes: number;
  /** Playlist GET requests answered with 200. */
  playlistRequests: number;
}

export interface SegmentCounters {
  bytes: number;
  requests: number;
  /** Of `requests` and `bytes`, the 206 answers to a `Range` and their bytes. */
  rangeRequests: number;
  rangeBytes: number;
}

export interface RenditionCounters extends TrafficCounters {
  /**
   * Per segment, keyed by the last path segment of its URL (`seg-00003.ts`, `seg-live-812.ts`,
   * `init.mp4`). Bounded: only the most recently requested keys are kept.
   */
  segments: Record<string, SegmentCounters>;
  /** Segment keys dropped from `segments` to keep it bounded (their bytes stay in the totals). */
  evictedSegments: number;
}

export interface StreamCounters extends TrafficCounters {
  renditions: Record<string, RenditionCounters>;
}

/** JSON body of `GET /api/origin/stats`. */
export interface OriginStatsSnapshot {
  /** When counting started (server start or last reset), ISO 8601. */
  since: string;
  /** Time of this snapshot, ISO 8601. */
  at: string;
  totals: TrafficCounters;
  streams: Record<string, StreamCounters>;
  /** The CDN emulation in force. 0 = off. */
  cdn: { latencyMs: number; bandwidthKbps: number; playlistLatencyMs: number };
}

/** Where a request landed; `rendition` is absent for master playlists. */
export interface TrafficTarget {
  stream: string;
  rendition?: string;
}

interface RenditionState {
  counters: TrafficCounters;
  segments: Map<string, SegmentCounters>;
  evictedSegments: number;
}

interface StreamState {
  counters: TrafficCounters;
  renditions: Map<string, RenditionState>;
}

/** @default 2000 — enough for a 1-hour live window of 2 s segments per rendition. */
export const DEFAULT_MAX_SEGMENT_KEYS = 2000;

/** Fresh counters, every field 0. */
export function zeroCounters(): TrafficCounters {
  return {
    mediaBytes: 0,
    mediaRequests: 0,
    rangeMediaRequests: 0,
    rangeMediaBytes: 0,
    abortedMediaRequests: 0,
    playlistBytes: 0,
    playlistRequests: 0,
  };
}

export class OriginCounters {
  private totals = zeroCounters();
  private streams = new Map<string, StreamState>();
  private sinceMs: number;

  constructor(
    private readonly cdn: OriginStatsSnapshot["cdn"],
    private readonly now: () => number = Date.now,
    private readonly maxSegmentKeys = DEFAULT_MAX_SEGMENT_KEYS,
  ) {
    this.sinceMs = now();
  }

  /** A media GET that will send a body; `partial` when it answers a `Range` (206). */
  recordMediaRequest(target: TrafficTarget, segmentKey: string, partial = false): void {
    this.add(target, "mediaRequests", 1);
    if (partial) this.add(target, "rangeMediaRequests", 1);
    const segment = this.segment(target, segmentKey);
    if (segment !== undefined) {
      segment.requests += 1;
      if (partial) segment.rangeRequests += 1;
    }
  }

  /** `bytes` of a media body accepted by the socket; `partial` as for {@link recordMediaRequest}. */
  recordMediaBytes(target: TrafficTarget, segmentKey: string, bytes: number, partial = false): void {
    this.add(target, "mediaBytes", bytes);
    if (partial) this.add(target, "rangeMediaBytes", bytes);
    const segment = this.segment(target, segmentKey);
    if (segment !== undefined) {
      segment.bytes += bytes;
      if (partial) segment.rangeBytes += bytes;
    }
  }

  recordMediaAborted(target: TrafficTarget): void {
    this.add(target, "abortedMediaRequests", 1);
  }

  recordPlaylist(target: TrafficTarget, bytes: number): void {
    this.add(target, "playlistRequests", 1);
    this.add(target, "playlistBytes", bytes);
  }

  reset(): void {
    this.totals = zeroCounters();
    this.streams = new Map();
    this.sinceMs = this.now();
  }

  snapshot(): OriginStatsSnapshot {
    const streams: Record<string, StreamCounters> = {};
    for (const [name, stream] of this.streams) {
      const renditions: Record<string, RenditionCounters> = {};
      for (const [renditionName, rendition] of stream.renditions) {
        renditions[renditionName] = {
          ...rendition.counters,
          segments: Object.fromEntries([...rendition.segments].map(([key, value]) => [key, { ...value }])),
          evictedSegments: rendition.evictedSegments,
        };
      }
      streams[name] = { ...stream.counters, renditions };
    }
    return {
      since: new Date(this.sinceMs).toISOString(),
      at: new Date(this.now()).toISOString(),
      totals: { ...this.totals },
      streams,
      cdn: { ...this.cdn },
    };
  }

  private add(target: TrafficTarget, field: keyof TrafficCounters, amount: number): void {
    this.totals[field] += amount;
    const stream = this.stream(target.stream);
    stream.counters[field] += amount;
    if (target.rendition !== undefined) this.rendition(stream, target.rendition).counters[field] += amount;
  }

  private stream(name: string): StreamState {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      stream = { counters: zeroCounters(), renditions: new Map() };
      this.streams.set(name, stream);
    }
    return stream;
  }

  private rendition(stream: StreamState, name: string): RenditionState {
    let rendition = stream.renditions.get(name);
    if (rendition === undefined) {
      rendition = { counters: zeroCounters(), segments: new Map(), evictedSegments: 0 };
      stream.renditions.set(name, rendition);
    }
    return rendition;
  }

  /** The segment's counters, moved to most-recent position; evicts the least recent key when full. */
  private segment(target: TrafficTarget, key: string): SegmentCounters | undefined {
    if (target.rendition === undefined) return undefined;
    const rendition = this.rendition(this.stream(target.stream), target.rendition);
    const segment = rendition.segments.get(key) ?? { bytes: 0, requests: 0, rangeRequests: 0, rangeBytes: 0 };
    rendition.segments.delete(key);
    rendition.segments.set(key, segment);
    if (rendition.segments.size > this.maxSegmentKeys) {
      const oldest = rendition.segments.keys().next();
      if (oldest.done !== true) rendition.segments.delete(oldest.value);
      rendition.evictedSegments += 1;
    }
    return segment;
  }
}
