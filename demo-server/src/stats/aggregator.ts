// Offload aggregation: per stream and rendition, bytes in 5-s buckets and exact running totals, the
// viewers behind them, and the origin's own byte count beside them. Pure: no timers, no I/O, the
// clock is injected; the service drives sampling and sweeping.
import type { StatsReport, StatsReportBatch } from "nearcast";
import { BucketRing } from "./bucket-ring.js";
import {
  CLIENT_IDLE_EXPIRY_MS,
  DEFAULT_REPORT_INTERVAL_MS,
  MAX_CLIENTS,
  MAX_METRIC_STREAM_LABELS,
  MAX_ORIGIN_STREAMS,
  MAX_RENDITIONS_PER_STREAM,
  MAX_REPORT_SPAN_MS,
  MAX_STREAM_IDS_PER_STREAM,
  MAX_STREAMS,
  STREAM_IDLE_EXPIRY_MS,
  VIEWER_WINDOW_MS,
} from "./constants.js";
import { LabelAllocator } from "./label-allocator.js";
import { SeqTracker } from "./seq-tracker.js";
import { identifyStream, OTHER_STREAM } from "./stream-identity.js";
import {
  addTo,
  newRendition,
  newStream,
  OTHER_RENDITION,
  swarmInfoHash,
  type ByteTriple,
  type OriginState,
  type RenditionState,
  type StreamState,
} from "./stream-state.js";

export { HTTP, OTHER_RENDITION, P2P, swarmInfoHash, UPLOAD } from "./stream-state.js";
export type { ByteTriple, OriginState, RenditionState, StreamState } from "./stream-state.js";

export interface AggregatorLimits {
  maxClients: number;
  maxStreams: number;
  maxRenditionsPerStream: number;
  maxMetricLabels: number;
  clientIdleMs: number;
  streamIdleMs: number;
  viewerWindowMs: number;
}

export const DEFAULT_AGGREGATOR_LIMITS: Readonly<AggregatorLimits> = {
  maxClients: MAX_CLIENTS,
  maxStreams: MAX_STREAMS,
  maxRenditionsPerStream: MAX_RENDITIONS_PER_STREAM,
  maxMetricLabels: MAX_METRIC_STREAM_LABELS,
  clientIdleMs: CLIENT_IDLE_EXPIRY_MS,
  streamIdleMs: STREAM_IDLE_EXPIRY_MS,
  viewerWindowMs: VIEWER_WINDOW_MS,
};

export interface AggregatorOptions {
  /** Epoch ms. */
  clock: () => number;
  /** Whether a name is a stream of the demo origin (so its counter can be compared). */
  isOriginStream?: (name: string) => boolean;
  limits?: Partial<AggregatorLimits>;
}

interface ClientState {
  lastReportMs: number;
  streamKey: string;
  peers: number;
  renditions: string[];
  final: boolean;
  readonly seqs: SeqTracker;
}

export interface StreamActivity {
  viewers: number;
  peers: number;
  renditionViewers: Map<string, number>;
}

export type IngestResult =
  { ok: true; accepted: number; duplicates: number } | { ok: false; reason: "server_full"; message: string };

export class StatsAggregator {
  readonly startedAtMs: number;
  readonly limits: AggregatorLimits;
  readonly labels: LabelAllocator;
  /** Bytes per metric label since the label was given out (`nearcast_bytes_total`). */
  readonly labelBytes = new Map<string, ByteTriple>();
  /**
   * Segments whose bytes from peers failed verification, per metric label, as viewers reported them
   * (`nearcast_integrity_failures_total`).
   */
  readonly labelIntegrityFailures = new Map<string, number>();
  /** In order of last report (a reporting client moves to the end): the front is the idlest. */
  private readonly clients = new Map<string, ClientState>();
  private readonly streamStates = new Map<string, StreamState>();
  private readonly originStates = new Map<string, OriginState>();
  private readonly isOriginStream: (name: string) => boolean;

  constructor(private readonly options: AggregatorOptions) {
    this.limits = { ...DEFAULT_AGGREGATOR_LIMITS, ...options.limits };
    this.startedAtMs = options.clock();
    this.isOriginStream = options.isOriginStream ?? (() => false);
    this.labels = new LabelAllocator(this.limits.maxMetricLabels);
  }

  get streams(): ReadonlyMap<string, StreamState> {
    return this.streamStates;
  }

  get origins(): ReadonlyMap<string, OriginState> {
    return this.originStates;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  now(): number {
    return this.options.clock();
  }

  /**
   * Counts a validated batch: each `(clientId, seq)` once. All or nothing: when the client table
   * cannot take the batch's new clients, nothing is counted.
   */
  ingest(batch: StatsReportBatch): IngestResult {
    const now = this.now();
    const newClients = new Set(batch.reports.map((r) => r.clientId).filter((id) => !this.clients.has(id)));
    if (!this.makeRoomForClients(newClients.size, now)) {
      return { ok: false, reason: "server_full", message: "too many active viewers; retry later" };
    }
    // Every report of one client in this batch covers the time since the client's previous request.
    const spanStart = new Map<string, number>();
    for (const report of batch.reports) {
      const last = this.clients.get(report.clientId)?.lastReportMs;
      const from =
        last === undefined ? now - DEFAULT_REPORT_INTERVAL_MS : Math.max(last, now - MAX_REPORT_SPAN_MS);
      if (!spanStart.has(report.clientId)) spanStart.set(report.clientId, Math.min(from, now));
    }
    let accepted = 0;
    let duplicates = 0;
    for (const report of batch.reports) {
      if (this.apply(report, spanStart.get(report.clientId) ?? now, now)) accepted++;
      else duplicates++;
    }
    return { ok: true, accepted, duplicates };
  }

  /** Adds origin media bytes served for `name` since the previous sample. */
  recordOriginBytes(name: string, bytes: number): void {
    if (!(bytes > 0)) return;
    let origin = this.originStates.get(name);
    if (origin === undefined) {
      if (this.originStates.size >= MAX_ORIGIN_STREAMS) return;
      origin = { ring: new BucketRing(1), total: 0 };
      this.originStates.set(name, origin);
    }
    origin.total += bytes;
    origin.ring.add(this.now(), [bytes]);
  }

  /** Viewers and peers per stream key, from the clients' latest reports. */
  activity(): Map<string, StreamActivity> {
    const now = this.now();
    const result = new Map<string, StreamActivity>();
    for (const client of this.clients.values()) {
      if (client.final || now - client.lastReportMs > this.limits.viewerWindowMs) continue;
      let entry = result.get(client.streamKey);
      if (entry === undefined) {
        entry = { viewers: 0, peers: 0, renditionViewers: new Map() };
        result.set(client.streamKey, entry);
      }
      entry.viewers += 1;
      entry.peers += client.peers;
      for (const rendition of client.renditions) {
        entry.renditionViewers.set(rendition, (entry.renditionViewers.get(rendition) ?? 0) + 1);
      }
    }
    return result;
  }

  /** Forgets idle clients, streams and renditions. Returns the metric labels whose series end. */
  sweep(): string[] {
    const now = this.now();
    for (const [id, client] of this.clients) {
      if (now - client.lastReportMs <= this.limits.clientIdleMs) break; // the rest are more recent
      this.clients.delete(id);
    }
    const released: string[] = [];
    for (const [key, stream] of this.streamStates) {
      if (now - stream.lastReportMs > this.limits.streamIdleMs) {
        this.streamStates.delete(key);
        const label = this.labels.release(key);
        if (label !== undefined) released.push(label);
        continue;
      }
      for (const [name, rendition] of stream.renditions) {
        if (now - rendition.lastReportMs > this.limits.streamIdleMs) stream.renditions.delete(name);
      }
    }
    for (const label of released) {
      this.labelBytes.delete(label);
      this.labelIntegrityFailures.delete(label);
    }
    return released;
  }

  /** Gives metric labels to the most-watched streams (see LabelAllocator). Returns released labels. */
  rebalanceLabels(activity = this.activity()): string[] {
    const candidates = [...this.streamStates.values()]
      .filter((stream) => stream.key !== OTHER_STREAM)
      .map((stream) => ({
        key: stream.key,
        name: stream.name,
        weight: activity.get(stream.key)?.viewers ?? 0,
      }));
    const released = this.labels.rebalance(candidates);
    for (const label of released) {
      this.labelBytes.delete(label);
      this.labelIntegrityFailures.delete(label);
    }
    return released;
  }

  /** True when `count` new clients fit, evicting clients that are no longer viewers if needed. */
  private makeRoomForClients(count: number, now: number): boolean {
    let free = this.limits.maxClients - this.clients.size;
    if (free >= count) return true;
    for (const [id, client] of this.clients) {
      if (free >= count) break;
      if (now - client.lastReportMs <= this.limits.viewerWindowMs && !client.final) break;
      this.clients.delete(id);
      free++;
    }
    return free >= count;
  }

  /** Counts one report; false if its seq was already counted. */
  private apply(report: StatsReport, spanFromMs: number, now: number): boolean {
    let client = this.clients.get(report.clientId);
    if (client?.seqs.has(report.seq)) return false;
    const stream = this.streamFor(report.streamId, now);
    if (client === undefined) {
      client = {
        lastReportMs: now,
        streamKey: stream.key,
        peers: 0,
        renditions: [],
        final: false,
        seqs: new SeqTracker(),
      };
    }
    client.seqs.add(report.seq);
    this.clients.delete(report.clientId);
    this.clients.set(report.clientId, client);

    const { httpBytes, p2pBytes, uploadedBytes } = report.deltas;
    const amounts: ByteTriple = [httpBytes, p2pBytes, uploadedBytes];
    addTo(stream.totals, amounts);
    stream.ring.addSpread(spanFromMs, now, amounts);
    stream.lastReportMs = now;
    const label = this.labels.labelOf(stream.key);
    addTo(this.labelTotals(label), amounts);
    if (report.integrityFailures) {
      stream.integrityFailures += report.integrityFailures;
      this.labelIntegrityFailures.set(
        label,
        (this.labelIntegrityFailures.get(label) ?? 0) + report.integrityFailures,
      );
    }

    const renditions = new Set<string>();
    for (const entry of report.renditions) {
      const rendition = this.renditionFor(stream, entry.rendition, report.streamId, now);
      const values: ByteTriple = [entry.httpBytes, entry.p2pBytes, entry.uploadedBytes];
      addTo(rendition.totals, values);
      rendition.ring.addSpread(spanFromMs, now, values);
      rendition.lastReportMs = now;
      renditions.add(rendition.name);
    }

    client.lastReportMs = now;
    client.streamKey = stream.key;
    client.peers = report.peers;
    client.renditions = [...renditions];
    client.final = report.final;
    return true;
  }

  private streamFor(streamId: string, now: number): StreamState {
    const identity = identifyStream(streamId, this.isOriginStream);
    let stream = this.streamStates.get(identity.key);
    if (stream === undefined) {
      const tracked = this.streamStates.size - (this.streamStates.has(OTHER_STREAM) ? 1 : 0);
      const overflow = tracked >= this.limits.maxStreams;
      const key = overflow ? OTHER_STREAM : identity.key;
      stream = this.streamStates.get(key);
      if (stream === undefined) {
        stream = newStream(
          key,
          overflow ? OTHER_STREAM : identity.name,
          overflow ? undefined : identity.originStream,
          now,
        );
        this.streamStates.set(key, stream);
        if (!overflow) this.labels.assign(key, identity.name);
      }
    }
    if (stream.streamIds.size < MAX_STREAM_IDS_PER_STREAM) stream.streamIds.add(streamId);
    return stream;
  }

  private renditionFor(stream: StreamState, name: string, streamId: string, now: number): RenditionState {
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

  private labelTotals(label: string): ByteTriple {
    let totals = this.labelBytes.get(label);
    if (totals === undefined) {
      totals = [0, 0, 0];
      this.labelBytes.set(label, totals);
    }
    return totals;
  }
}
