export { createTracker } from "./tracker-server.js";
export type { Tracker } from "./tracker-server.js";
export { DEFAULT_TRACKER_OPTIONS, resolveTrackerOptions } from "./options.js";
export type { TrackerLogger, TrackerOptions } from "./options.js";
export { trackerStatsJson, CONNECTION_REJECT_REASONS, DISCONNECT_REASONS } from "./stats.js";
export type { ConnectionRejectReason, DisconnectReason, SwarmPeerCount, TrackerStats } from "./stats.js";
export { REJECT_REASONS } from "./protocol.js";
export type { RejectReason } from "./protocol.js";
export { DEFAULT_TRACKER_PATH } from "./constants.js";
