// What a validated report batch may add to the figures. A batch counts only from a viewer the tracker
// admitted (its session), only for swarms that session joined, only at a rate a video player can
// reach, and its P2P bytes only as far as the other side of each transfer confirms them (see
// transfer-ledger.ts). Refusals and clipped bytes are counted by reason. Pure: the caller passes the
// time and the address.
import type { RenditionDeltas, StatsReport, StatsReportBatch } from "nearcast";
import type { SessionClaims } from "../net/session-token.js";
import { sessionCovers } from "../net/session-token.js";
import { REPORT_CLIP_REASONS, zeroCounts } from "../net/refusal-reasons.js";
import type { ReportClipReason, ReportRefusal } from "../net/refusal-reasons.js";
import {
  MAX_VIEWER_BITS_PER_SEC,
  NEW_CLIENTS_PER_IP,
  NEW_STREAMS_PER_IP,
  RENDITION_RATE_HEADROOM,
  REPORT_BURST_SEC,
} from "./constants.js";
import { KeyedRateLimiter } from "./rate-limiter.js";
import { swarmInfoHash } from "./stream-state.js";
import type { TransferClaim } from "./transfer-ledger.js";

export interface ReportGateOptions {
  /** The tracker's check of a session token (`SwarmAccess.verifySession`). */
  verifySession(token: string): SessionClaims | undefined;
  /** Count batches without a session (their P2P bytes unchecked). @default false */
  acceptAnonymous: boolean;
  /** Whether the aggregator already counted this report (a resend must not count twice here either). */
  isCounted(clientId: string, seq: number): boolean;
  /** Whether the aggregator tracks this clientId already. */
  knowsClient(clientId: string): boolean;
  /** Whether a report for `streamId` lands in a stream the aggregator tracks already. */
  knowsStream(streamId: string): boolean;
  /** Viewers tracked at once (bounds the per-viewer tables here too). */
  maxClients: number;
  /** @default MAX_VIEWER_BITS_PER_SEC */
  maxViewerBitsPerSec?: number;
}

export interface GateRefusal {
  ok: false;
  status: 401 | 403 | 429;
  reason: ReportRefusal;
  message: string;
  retryAfterMs?: number;
}

export type GateDecision =
  | GateRefusal
  | {
      ok: true;
      /** The batch with the numbers that count: clipped, and P2P left to `transfers`. */
      batch: StatsReportBatch;
      /** Each side's account of its transfers, for the ledger (empty for anonymous batches). */
      transfers: TransferClaim[];
      anonymous: boolean;
    };

interface Allowance {
  tokens: number;
  lastMs: number;
}

export class ReportGate {
  /** Bytes of accepted batches not counted, by reason (the ledger adds the unconfirmed ones). */
  readonly clipped: Record<ReportClipReason, number> = zeroCounts(REPORT_CLIP_REASONS);
  /** Session id → the one clientId it reports for, least recently used first. */
  private readonly bindings = new Map<string, { clientId: string; expiresAtMs: number }>();
  /** Bytes each clientId may still report, least recently used first. */
  private readonly allowances = new Map<string, Allowance>();
  private readonly newClients: KeyedRateLimiter;
  private readonly newStreams: KeyedRateLimiter;
  private readonly maxBytesPerSec: number;

  constructor(private readonly options: ReportGateOptions) {
    this.maxBytesPerSec = (options.maxViewerBitsPerSec ?? MAX_VIEWER_BITS_PER_SEC) / 8;
    this.newClients = new KeyedRateLimiter({ ...NEW_CLIENTS_PER_IP, maxKeys: 10_000 });
    this.newStreams = new KeyedRateLimiter({ ...NEW_STREAMS_PER_IP, maxKeys: 10_000 });
  }

  /**
   * Decides what `batch` (validated) may add. `address` is the sender's address key, or undefined for
   * a batch another instance accepted and shared (its address limits were applied there).
   */
  admit(batch: StatsReportBatch, address: string | undefined, nowMs: number): GateDecision {
    const seen = new Set<string>();
    const fresh = batch.reports.filter((report) => {
      const key = `${report.clientId}#${report.seq}`;
      if (seen.has(key) || this.options.isCounted(report.clientId, report.seq)) return false;
      seen.add(key);
      return true;
    });
    const claims = batch.session === undefined ? undefined : this.options.verifySession(batch.session);
    if (batch.session !== undefined && claims === undefined) {
      return refuse(401, "session_invalid", "session: not a valid session of this server (expired?)");
    }
    if (claims === undefined && !this.options.acceptAnonymous) {
      return refuse(401, "session_missing", "session: required (the tracker's announce replies carry it)");
    }
    if (claims !== undefined) {
      const refusal = this.bind(claims, batch.reports);
      if (refusal !== undefined) return refusal;
    }
    if (address !== undefined) {
      const refusal = this.limitNewcomers(fresh, address, nowMs);
      if (refusal !== undefined) return refusal;
    }
    const transfers: TransferClaim[] = [];
    const reports = fresh.flatMap((report) => this.gateReport(report, claims, transfers, nowMs) ?? []);
    // Duplicates go through untouched: the aggregator acknowledges them and counts nothing.
    const duplicates = batch.reports.filter((report) => !fresh.includes(report));
    return {
      ok: true,
      batch: { v: batch.v, reports: [...reports, ...duplicates] },
      transfers,
      anonymous: claims === undefined,
    };
  }

  /** Forgets expired session bindings and full allowances. */
  sweep(nowMs: number): void {
    for (const [id, binding] of this.bindings) if (binding.expiresAtMs <= nowMs) this.bindings.delete(id);
    for (const [id, allowance] of this.allowances) {
      if (nowMs - allowance.lastMs > REPORT_BURST_SEC * 1000) this.allowances.delete(id);
    }
    this.newClients.sweep(nowMs);
    this.newStreams.sweep(nowMs);
  }

  /** One session reports for one clientId: a harvested session cannot speak for many viewers. */
  private bind(claims: SessionClaims, reports: readonly StatsReport[]): GateRefusal | undefined {
    const clientIds = new Set(reports.map((r) => r.clientId));
    const bound = this.bindings.get(claims.sessionId)?.clientId;
    const clientId = bound ?? reports[0]?.clientId;
    if (clientId === undefined) return undefined;
    if (clientIds.size > 1 || !clientIds.has(clientId)) {
      return refuse(403, "session_reused", "session: already reporting for another clientId");
    }
    this.bindings.delete(claims.sessionId);
    this.bindings.set(claims.sessionId, { clientId, expiresAtMs: claims.expiresAtMs });
    if (this.bindings.size > 2 * this.options.maxClients) {
      this.bindings.delete(this.bindings.keys().next().value as string);
    }
    return undefined;
  }

  private limitNewcomers(
    reports: readonly StatsReport[],
    address: string,
    nowMs: number,
  ): GateRefusal | undefined {
    const newClients = new Set(reports.map((r) => r.clientId).filter((id) => !this.options.knowsClient(id)));
    const newStreams = new Set(reports.map((r) => r.streamId).filter((id) => !this.options.knowsStream(id)));
    const checks = [
      [newClients.size, this.newClients, "rate_limited_new_clients", "viewers"],
      [newStreams.size, this.newStreams, "rate_limited_new_streams", "streams"],
    ] as const;
    for (const [count, limiter, reason, what] of checks) {
      if (count === 0) continue;
      const decision = limiter.take(address, nowMs, count);
      if (!decision.ok) {
        const message = `too many new ${what} from this address; retry later`;
        return { ...refuse(429, reason, message), retryAfterMs: decision.retryAfterMs };
      }
    }
    return undefined;
  }

  /**
   * One report with the bytes that count; undefined for a report that names a stream nobody reports
   * yet without any rendition its session joined: a stream is created by bytes in a joined swarm,
   * never by a stream id alone.
   */
  private gateReport(
    report: StatsReport,
    claims: SessionClaims | undefined,
    transfers: TransferClaim[],
    nowMs: number,
  ): StatsReport | undefined {
    const renditions: RenditionDeltas[] = [];
    let listed = { http: 0, p2p: 0, upload: 0 };
    for (const entry of report.renditions) {
      listed = {
        http: listed.http + entry.httpBytes,
        p2p: listed.p2p + entry.p2pBytes,
        upload: listed.upload + entry.uploadedBytes,
      };
      const infoHash = swarmInfoHash(report.streamId, entry.rendition);
      if (claims !== undefined && !sessionCovers(claims, infoHash)) {
        this.clipped.swarm_not_joined += entry.httpBytes + entry.p2pBytes + entry.uploadedBytes;
        continue;
      }
      renditions.push(entry);
    }
    if (claims !== undefined && renditions.length === 0 && !this.options.knowsStream(report.streamId)) {
      const { httpBytes, p2pBytes, uploadedBytes } = report.deltas;
      this.clipped.swarm_not_joined += Math.max(
        0,
        httpBytes + p2pBytes + uploadedBytes - listed.http - listed.p2p - listed.upload,
      );
      return undefined;
    }
    // Stream bytes outside the listed renditions cannot be tied to a swarm.
    const { httpBytes, p2pBytes, uploadedBytes } = report.deltas;
    this.clipped.swarm_not_joined +=
      Math.max(0, httpBytes - listed.http) +
      Math.max(0, p2pBytes - listed.p2p) +
      Math.max(0, uploadedBytes - listed.upload);

    const scale = this.allow(report.clientId, renditions, nowMs);
    const counted = renditions.map((entry) => {
      const http = Math.floor(entry.httpBytes * scale);
      const p2p = Math.floor(entry.p2pBytes * scale);
      this.clipped.rate += entry.httpBytes - http + (entry.p2pBytes - p2p);
      if (claims === undefined)
        return {
          rendition: entry.rendition,
          httpBytes: http,
          p2pBytes: p2p,
          uploadedBytes: entry.uploadedBytes,
        };
      // With a session, P2P bytes and uploads count when the ledger confirms them.
      let fromListedPeers = 0;
      for (const transfer of entry.transfers ?? []) {
        const receivedBytes = Math.floor(transfer.receivedBytes * scale);
        fromListedPeers += receivedBytes;
        transfers.push({
          infoHash: swarmInfoHash(report.streamId, entry.rendition),
          streamId: report.streamId,
          rendition: entry.rendition,
          self: claims.peerId,
          peer: transfer.peer,
          receivedBytes,
          sentBytes: transfer.sentBytes,
        });
      }
      this.clipped.p2p_unconfirmed += Math.max(0, p2p - fromListedPeers);
      const sentToListedPeers = (entry.transfers ?? []).reduce((sum, t) => sum + t.sentBytes, 0);
      this.clipped.upload_unconfirmed += Math.max(0, entry.uploadedBytes - sentToListedPeers);
      return { rendition: entry.rendition, httpBytes: http, p2pBytes: 0, uploadedBytes: 0 };
    });
    const sum = (pick: (r: RenditionDeltas) => number) => counted.reduce((total, r) => total + pick(r), 0);
    return {
      ...report,
      deltas: {
        httpBytes: sum((r) => r.httpBytes),
        p2pBytes: sum((r) => r.p2pBytes),
        uploadedBytes: sum((r) => r.uploadedBytes),
      },
      renditions: counted,
    };
  }

  /**
   * The share of what the renditions claim (HTTP + P2P received) that fits the client's allowance: a
   * token bucket of bytes refilled at the viewer's plausible rate, holding REPORT_BURST_SEC of it.
   */
  private allow(clientId: string, renditions: readonly RenditionDeltas[], nowMs: number): number {
    const claimed = renditions.reduce((sum, r) => sum + r.httpBytes + r.p2pBytes, 0);
    if (claimed === 0) return 1;
    const rate = this.plausibleRate(renditions);
    let allowance = this.allowances.get(clientId);
    if (allowance === undefined) {
      allowance = { tokens: rate * REPORT_BURST_SEC, lastMs: nowMs };
      if (this.allowances.size >= this.options.maxClients)
        this.allowances.delete(this.allowances.keys().next().value as string);
    } else {
      this.allowances.delete(clientId);
      allowance.tokens = Math.min(
        rate * REPORT_BURST_SEC,
        allowance.tokens + (rate * Math.max(0, nowMs - allowance.lastMs)) / 1000,
      );
      allowance.lastMs = Math.max(allowance.lastMs, nowMs);
    }
    this.allowances.set(clientId, allowance);
    const granted = Math.min(claimed, allowance.tokens);
    allowance.tokens -= granted;
    return granted / claimed;
  }

  /** Bytes per second: the cap, or a multiple of the declared bandwidth when every rendition declares one. */
  private plausibleRate(renditions: readonly RenditionDeltas[]): number {
    let declared = 0;
    for (const { rendition } of renditions) {
      const bps = /^v(\d{1,10})-/.exec(rendition)?.[1];
      if (bps === undefined) return this.maxBytesPerSec;
      declared = Math.max(declared, Number(bps));
    }
    return Math.min(this.maxBytesPerSec, (declared * RENDITION_RATE_HEADROOM) / 8);
  }
}

function refuse(status: 401 | 403 | 429, reason: ReportRefusal, message: string): GateRefusal {
  return { ok: false, status, reason, message };
}
