/**
 * Why a `POST /api/stats/report` was refused, as counted in `/api/stats` and in
 * `nearcast_stats_rejected_total{reason}`. A rejected request changes no totals.
 */
export const REJECT_REASONS = [
  /** 415: neither application/json nor text/plain (or an unsupported charset). */
  "unsupported_media_type",
  /** 413: body over MAX_REPORT_BODY_BYTES. */
  "body_too_large",
  /** 400: empty body or not JSON. */
  "malformed_json",
  /** 400: `v` is not a version this server reads. */
  "unsupported_version",
  /** 400: more than MAX_REPORTS_PER_BATCH reports, or none. */
  "too_many_reports",
  /** 400: more than MAX_RENDITIONS_PER_REPORT renditions in one report. */
  "too_many_renditions",
  /** 400: clientId missing or not 8–64 of [A-Za-z0-9_-]. */
  "bad_client_id",
  /** 400: streamId or a rendition name missing, empty, too long or with control characters. */
  "bad_name",
  /** 400: a count that is not a non-negative safe integer (string, fraction, negative…). */
  "bad_number",
  /** 400: a count above its plausibility cap (bytes per report, peers). */
  "implausible_value",
  /** 400: anything else about the shape (missing object, wrong type of `final`…). */
  "bad_shape",
  /** 429: this clientId sends faster than its token bucket allows. */
  "rate_limited_client",
  /** 429: this address sends faster than its token bucket allows. */
  "rate_limited_ip",
  /** 503: the client table is full of active viewers. */
  "server_full",
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

export function zeroRejections(): Record<RejectReason, number> {
  return Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
}
