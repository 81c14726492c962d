// A validated report batch from its arrival to the figures: the gate (session, swarms, rates,
// newcomers), the aggregator (each report once), and the transfer ledger (P2P bytes both sides
// confirm). Used alike for batches posted here and batches other instances shared through Redis.
import type { StatsReportBatch } from "nearcast";
import type { SessionClaims } from "../net/session-token.js";
import type { ReportClipReason } from "../net/refusal-reasons.js";
import type { StatsAggregator } from "./aggregator.js";
import { ReportGate } from "./report-gate.js";
import type { GateRefusal } from "./report-gate.js";
import { TransferLedger } from "./transfer-ledger.js";

export interface ReportIntakeOptions {
  /** The tracker's session check; absent = no session verifies (only anonymous reports could count). */
  verifySession?: (token: string) => SessionClaims | undefined;
  /** Count batches without a session (see `ServerOptions.acceptAnonymousReports`). @default false */
  acceptAnonymous?: boolean;
  /** @default MAX_VIEWER_BITS_PER_SEC */
  maxViewerBitsPerSec?: number;
}

export type IntakeResult =
  | GateRefusal
  | { ok: false; status: 503; reason: "server_full"; message: string; retryAfterMs: number }
  | { ok: true; accepted: number; duplicates: number; anonymous: boolean };

export class ReportIntake {
  private readonly gate: ReportGate;
  private readonly ledger = new TransferLedger();

  constructor(
    private readonly aggregator: StatsAggregator,
    options: ReportIntakeOptions,
  ) {
    const verify = options.verifySession ?? (() => undefined);
    this.gate = new ReportGate({
      verifySession: verify,
      acceptAnonymous: options.acceptAnonymous ?? false,
      isCounted: (clientId, seq) => aggregator.isCounted(clientId, seq),
      knowsClient: (clientId) => aggregator.hasClient(clientId),
      knowsStream: (streamId) => aggregator.knowsStream(streamId),
      maxClients: aggregator.limits.maxClients,
      maxViewerBitsPerSec: options.maxViewerBitsPerSec,
    });
  }

  /** `address`: the sender's address key; undefined for a batch shared by another instance. */
  take(batch: StatsReportBatch, address: string | undefined): IntakeResult {
    const now = this.aggregator.now();
    const decision = this.gate.admit(batch, address, now);
    if (!decision.ok) return decision;
    const result = this.aggregator.ingest(decision.batch);
    if (!result.ok) return { ...result, ok: false, status: 503, retryAfterMs: 30_000 };
    for (const claim of decision.transfers) {
      for (const credit of this.ledger.record(claim, now)) this.aggregator.credit(credit);
    }
    return {
      ok: true,
      accepted: result.accepted,
      duplicates: result.duplicates,
      anonymous: decision.anonymous,
    };
  }

  /** Bytes of accepted reports that did not count, by reason. */
  clippedBytes(): Record<ReportClipReason, number> {
    const clipped = { ...this.gate.clipped };
    clipped.p2p_unconfirmed += this.ledger.unconfirmed.received;
    clipped.upload_unconfirmed += this.ledger.unconfirmed.sent;
    return clipped;
  }

  /** P2P bytes one side of a transfer reported that the other may still confirm. */
  get awaitingConfirmationBytes(): number {
    return this.ledger.awaitingBytes;
  }

  sweep(nowMs: number): void {
    this.gate.sweep(nowMs);
    this.ledger.sweep(nowMs);
  }
}
