export { createStatsService } from "./stats-service.js";
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
