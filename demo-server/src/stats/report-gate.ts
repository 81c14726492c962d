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
import { ByteAllowance } from "./byte-allowance.js";
import { NEW_CLIENTS_PER_IP, NEW_STREAMS_PER_IP } from "./constants.js";
import { KeyedRateLimiter } from "../net/rate-limiter.js";
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

export class ReportGate {
  /** Bytes of accepted batches not counted, by reason (the ledger adds the unconfirmed ones). */
  readonly clipped: Record<ReportClipReason, number> = zeroCounts(REPORT_CLIP_REASONS);
  /** Session id → the one clientId it reports for, least recently used first. */
  private readonly bindings = new Map<string, { clientId: string; expiresAtMs: number }>();
  private readonly allowance: ByteAllowance;
  private readonly newClients: KeyedRateLimiter;
  private readonly newStreams: KeyedRateLimiter;

  constructor(private readonly options: ReportGateOptions) {
    this.allowance = new ByteAllowance(options.maxClients, options.maxViewerBitsPerSec);
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
    this.allowance.sweep(nowMs);
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
    const joined = this.joinedRenditions(report, claims);
    if (claims !== undefined && joined.length === 0 && !this.options.knowsStream(report.streamId)) {
      return undefined;
    }
    const scale = this.allowance.take(report.clientId, joined, nowMs);
    const counted = joined.map((entry) => {
      const http = Math.floor(entry.httpBytes * scale);
      const p2p = Math.floor(entry.p2pBytes * scale);
      this.clipped.rate += entry.httpBytes - http + (entry.p2pBytes - p2p);
      const bytes = {
        rendition: entry.rendition,
        httpBytes: http,
        p2pBytes: p2p,
        uploadedBytes: entry.uploadedBytes,
      };
      if (claims === undefined) return bytes;
      // With a session, P2P bytes and uploads count when the ledger confirms them.
      this.claimTransfers(report, entry, claims, scale, p2p, transfers);
      return { ...bytes, p2pBytes: 0, uploadedBytes: 0 };
    });
    const sum = (pick: (r: RenditionDeltas) => number) => counted.reduce((total, r) => total + pick(r), 0);
    const deltas = {
      httpBytes: sum((r) => r.httpBytes),
      p2pBytes: sum((r) => r.p2pBytes),
      uploadedBytes: sum((r) => r.uploadedBytes),
    };
    return { ...report, deltas, renditions: counted };
  }

  /**
   * The renditions whose swarms the session joined (all of them without a session). The bytes of the
   * others, and stream bytes listed in no rendition, cannot be tied to a joined swarm: clipped.
   */
  private joinedRenditions(report: StatsReport, claims: SessionClaims | undefined): RenditionDeltas[] {
    const all = (r: { httpBytes: number; p2pBytes: number; uploadedBytes: number }) =>
      r.httpBytes + r.p2pBytes + r.uploadedBytes;
    const listed = report.renditions.reduce((total, entry) => total + all(entry), 0);
    this.clipped.swarm_not_joined += Math.max(0, all(report.deltas) - listed);
    return report.renditions.filter((entry) => {
      const joined =
        claims === undefined || sessionCovers(claims, swarmInfoHash(report.streamId, entry.rendition));
      if (!joined) this.clipped.swarm_not_joined += all(entry);
      return joined;
    });
  }

  /** One rendition's transfers for the ledger; P2P or uploads from no listed peer are clipped. */
  private claimTransfers(
    report: StatsReport,
    entry: RenditionDeltas,
    claims: SessionClaims,
    scale: number,
    p2pBytes: number,
    out: TransferClaim[],
  ): void {
    const infoHash = swarmInfoHash(report.streamId, entry.rendition);
    let received = 0;
    let sent = 0;
    for (const transfer of entry.transfers ?? []) {
      const receivedBytes = Math.floor(transfer.receivedBytes * scale);
      received += receivedBytes;
      sent += transfer.sentBytes;
      out.push({
        infoHash,
        streamId: report.streamId,
        rendition: entry.rendition,
        self: claims.peerId,
        peer: transfer.peer,
        receivedBytes,
        sentBytes: transfer.sentBytes,
      });
    }
    this.clipped.p2p_unconfirmed += Math.max(0, p2pBytes - received);
    this.clipped.upload_unconfirmed += Math.max(0, entry.uploadedBytes - sent);
  }
}

function refuse(status: 401 | 403 | 429, reason: ReportRefusal, message: string): GateRefusal {
  return { ok: false, status, reason, message };
}
