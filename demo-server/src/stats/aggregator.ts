// Offload aggregation: per stream and rendition, bytes in 5-s buckets and exact running totals, the
// viewers behind them, and the origin's own byte count beside them. Pure: no timers, no I/O, the
// clock is injected; the service drives sampling and sweeping. The bounded tables of clients and of
// streams are client-table.ts and stream-table.ts.
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
  MAX_STREAMS,
  STREAM_IDLE_EXPIRY_MS,
  VIEWER_WINDOW_MS,
} from "./constants.js";
import { ClientTable, newClient, type StreamActivity } from "./client-table.js";
import { LabelAllocator } from "./label-allocator.js";
import { OTHER_STREAM } from "./stream-identity.js";
import { addTo, type ByteTriple, type OriginState, type StreamState } from "./stream-state.js";
import { StreamTable } from "./stream-table.js";
import type { TransferCredit } from "./transfer-ledger.js";

export { HTTP, OTHER_RENDITION, P2P, swarmInfoHash, UPLOAD } from "./stream-state.js";
export type { ByteTriple, OriginState, RenditionState, StreamState } from "./stream-state.js";
export type { StreamActivity } from "./client-table.js";

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

export type IngestResult =
  { ok: true; accepted: number; duplicates: number } | { ok: false; reason: "server_full"; message: string };

export class StatsAggregator {
  readonly startedAtMs: number;
  readonly limits: AggregatorLimits;
  readonly labels: LabelAllocator;
  /** Bytes per metric label since the label was given out (`nearcast_reported_bytes_total`). */
  readonly labelBytes = new Map<string, ByteTriple>();
  /**
   * Segments whose bytes from peers failed verification, per metric label, as viewers reported them
   * (`nearcast_integrity_failures_total`).
   */
  readonly labelIntegrityFailures = new Map<string, number>();
  private readonly clients: ClientTable;
  private readonly streamTable: StreamTable;
  private readonly originStates = new Map<string, OriginState>();

  constructor(private readonly options: AggregatorOptions) {
    this.limits = { ...DEFAULT_AGGREGATOR_LIMITS, ...options.limits };
    this.startedAtMs = options.clock();
    this.labels = new LabelAllocator(this.limits.maxMetricLabels);
    this.clients = new ClientTable(this.limits);
    this.streamTable = new StreamTable(this.limits, this.labels, options.isOriginStream ?? (() => false));
  }

  get streams(): ReadonlyMap<string, StreamState> {
    return this.streamTable.states;
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
    if (!this.clients.makeRoom(newClients.size, now)) {
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

  /** Whether this clientId has reported (and is still remembered). */
  hasClient(clientId: string): boolean {
    return this.clients.has(clientId);
  }

  /** Whether the report `(clientId, seq)` was counted already. */
  isCounted(clientId: string, seq: number): boolean {
    return this.clients.get(clientId)?.seqs.has(seq) ?? false;
  }

  /** Whether a report for `streamId` lands in a stream tracked already (or in `other`, when full). */
  knowsStream(streamId: string): boolean {
    return this.streamTable.knows(streamId);
  }

  /**
   * Adds P2P bytes that both sides of a transfer reported: received from a peer and uploaded by it,
   * in one rendition's swarm, spread from `sinceMs` (the earlier claim) to now.
   */
  credit(credit: TransferCredit): void {
    const now = this.now();
    const stream = this.streamTable.streamFor(credit.streamId, now);
    const amounts: ByteTriple = [0, credit.bytes, credit.bytes];
    const from = Math.min(now, Math.max(credit.sinceMs, now - MAX_REPORT_SPAN_MS));
    this.addToStream(stream, amounts, from, now);
    const rendition = this.streamTable.renditionFor(stream, credit.rendition, credit.streamId, now);
    addTo(rendition.totals, amounts);
    rendition.ring.addSpread(from, now, amounts);
    rendition.lastReportMs = now;
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
    return this.clients.activity(this.now());
  }

  /** Forgets idle clients, streams and renditions. Returns the metric labels whose series end. */
  sweep(): string[] {
    const now = this.now();
    this.clients.sweep(now);
    const released = this.streamTable.sweep(now);
    for (const label of released) {
      this.labelBytes.delete(label);
      this.labelIntegrityFailures.delete(label);
    }
    return released;
  }

  /** Gives metric labels to the most-watched streams (see LabelAllocator). Returns released labels. */
  rebalanceLabels(activity = this.activity()): string[] {
    const candidates = [...this.streamTable.states.values()]
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

  /** Counts one report; false if its seq was already counted. */
  private apply(report: StatsReport, spanFromMs: number, now: number): boolean {
    let client = this.clients.get(report.clientId);
    if (client?.seqs.has(report.seq)) return false;
    const stream = this.streamTable.streamFor(report.streamId, now);
    client ??= newClient(stream.key, now);
    client.seqs.add(report.seq);
    this.clients.touch(report.clientId, client);

    const { httpBytes, p2pBytes, uploadedBytes } = report.deltas;
    this.addToStream(stream, [httpBytes, p2pBytes, uploadedBytes], spanFromMs, now);
    const label = this.labels.labelOf(stream.key);
    if (report.integrityFailures) {
      stream.integrityFailures += report.integrityFailures;
      this.labelIntegrityFailures.set(
        label,
        (this.labelIntegrityFailures.get(label) ?? 0) + report.integrityFailures,
      );
    }

    const renditions = new Set<string>();
    for (const entry of report.renditions) {
      const rendition = this.streamTable.renditionFor(stream, entry.rendition, report.streamId, now);
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

  private addToStream(stream: StreamState, amounts: ByteTriple, fromMs: number, now: number): void {
    addTo(stream.totals, amounts);
    stream.ring.addSpread(fromMs, now, amounts);
    stream.lastReportMs = now;
    addTo(this.labelTotals(this.labels.labelOf(stream.key)), amounts);
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
