// Every reason the server refuses or closes something, in one vocabulary. Each list is the key set
// of a counter in `/api/tracker/stats` or `/api/stats` and the `reason` label of its metric
// (`nearcast_tracker_rejected_total`, `nearcast_tracker_connections_rejected_total`,
// `nearcast_tracker_disconnects_total`, `nearcast_stats_rejected_total`, `nearcast_ice_requests_total`).
// A reason means the same wherever it appears (`token_expired` at the tracker and at /api/ice).

/** Refusals of the access rules (join token, Origin allow-list): tracker upgrades and `GET /api/ice`. */
export const ACCESS_REFUSALS = [
  "origin_not_allowed",
  "token_missing",
  "token_invalid",
  "token_expired",
] as const;
export type AccessRefusal = (typeof ACCESS_REFUSALS)[number];

/** Why a tracker message was answered with a `failure reason` (or dropped as undecodable). */
export const TRACKER_MESSAGE_REFUSALS = [
  "binary_frame",
  "invalid_json",
  "not_an_object",
  "invalid_action",
  "invalid_info_hash",
  "invalid_peer_id",
  "invalid_to_peer_id",
  "invalid_offer_id",
  "invalid_event",
  "invalid_number",
  "invalid_offers",
  "too_many_offers",
  "invalid_answer",
  "too_many_info_hashes",
  "answer_without_membership",
  "unknown_peer",
  "swarm_limit",
  "swarm_full",
  "connection_swarm_limit",
  "message_too_large",
  "info_hash_not_allowed",
  "token_scope",
  "stopped_not_owner",
  "peer_id_in_use",
  /** The connection already holds another peer_id in this swarm: one membership per socket per swarm. */
  "second_peer_id",
] as const;
export type TrackerMessageRefusal = (typeof TRACKER_MESSAGE_REFUSALS)[number];

/** Why a tracker upgrade was refused before it became a WebSocket. */
export const TRACKER_CONNECTION_REFUSALS = [
  "tracker_full",
  "ip_limit",
  "no_address",
  "closed",
  ...ACCESS_REFUSALS,
] as const;
export type TrackerConnectionRefusal = (typeof TRACKER_CONNECTION_REFUSALS)[number];

/** Why the tracker closed an open socket. */
export const TRACKER_DISCONNECT_REASONS = [
  "flood",
  "slow_consumer",
  "idle",
  "no_pong",
  "message_too_large",
  "protocol_error",
  /** A full tracker: the address holding the most sockets gave one up to a less crowded newcomer. */
  "fairness",
] as const;
export type TrackerDisconnectReason = (typeof TRACKER_DISCONNECT_REASONS)[number];

/** Why an admin action (`POST /api/origin/stats/reset`) was refused. */
export const ADMIN_REFUSALS = [
  /** 403: the server has no admin secret, so admin actions are off. */
  "admin_off",
  /** 401: the `Authorization: Bearer` secret is missing or wrong. */
  "admin_denied",
] as const;
export type AdminRefusal = (typeof ADMIN_REFUSALS)[number];

/** Why the HTTP server refused a connection or a request, or closed a connection (net/connection-gate.ts). */
export const HTTP_CONNECTION_REFUSALS = [
  /** The oldest of its address's connections still sending headers, closed for a newer one. */
  "pending_evicted_ip",
  /** The oldest of all connections still sending headers, closed for a newer one. */
  "pending_evicted",
  /** A new connection from an address already holding `maxHttpConnectionsPerIp`, closed on arrival. */
  "connection_ip_limit",
  /** Reset: its response bytes made no progress to the kernel for `writeStallTimeoutMs`. */
  "write_stalled",
] as const;
export type HttpConnectionRefusal = (typeof HTTP_CONNECTION_REFUSALS)[number];

/** Why the HTTP server refused a request before any handler ran (net/response-budget.ts). */
export const HTTP_REQUEST_REFUSALS = [
  /** 503: a request from an address already waiting for `maxResponsesInFlightPerIp` responses. */
  "response_ip_limit",
] as const;
export type HttpRequestRefusal = (typeof HTTP_REQUEST_REFUSALS)[number];

/** Why a dashboard event stream (`GET /api/stats/events`) was refused or closed for another. */
export const DASHBOARD_REFUSALS = [
  /** 503: every stream is taken and the asking address already holds the most of them. */
  "sse_full",
  /** The oldest stream of the address holding the most, closed for a newcomer from a less crowded one. */
  "sse_evicted",
] as const;
export type DashboardRefusal = (typeof DASHBOARD_REFUSALS)[number];

/**
 * Why a `POST /api/stats/report` was refused. A refused request changes no totals.
 */
export const REPORT_REFUSALS = [
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
  /** 401: no tracker session (`session`), and the server does not accept anonymous reports. */
  "session_missing",
  /** 401: a session that is not this server's, is malformed or has expired. */
  "session_invalid",
  /** 403: the session already reported for another clientId (one viewer per session). */
  "session_reused",
  /** 429: this address introduces new clientIds faster than NEW_CLIENTS_PER_IP. */
  "rate_limited_new_clients",
  /** 429: this address introduces new streams faster than NEW_STREAMS_PER_IP. */
  "rate_limited_new_streams",
] as const;
export type ReportRefusal = (typeof REPORT_REFUSALS)[number];

/**
 * Bytes of accepted reports that were not counted, by reason (`nearcast_stats_clipped_bytes_total`).
 */
export const REPORT_CLIP_REASONS = [
  /** Beyond the viewer's plausible rate (MAX_VIEWER_BITS_PER_SEC, or its rendition's bandwidth). */
  "rate",
  /** For a rendition whose swarm the session never joined (or stream bytes listed in no rendition). */
  "swarm_not_joined",
  /** P2P bytes received that the sending peer never reported sending (or from no listed peer). */
  "p2p_unconfirmed",
  /** Bytes sent that the receiving peer never reported receiving. */
  "upload_unconfirmed",
] as const;
export type ReportClipReason = (typeof REPORT_CLIP_REASONS)[number];

/** A zero count for every reason of a list: the initial value of a refusal counter. */
export function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}
