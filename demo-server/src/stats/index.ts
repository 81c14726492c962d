export { createStatsService, DEFAULT_DASHBOARD_DIR } from "./stats-service.js";
export type { StatsService, StatsServiceOptions } from "./stats-service.js";
export type {
  MeasuredWindowFigures,
  RenditionSnapshot,
  SeriesSnapshot,
  StatsSnapshot,
  StreamSnapshot,
  WindowFigures,
  WindowName,
} from "./snapshot-types.js";
export { REJECT_REASONS } from "./reject-reasons.js";
export type { RejectReason } from "./reject-reasons.js";
