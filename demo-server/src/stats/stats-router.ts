// HTTP face of the stats service:
//   POST /api/stats/report   viewers' reports in (200 / 400 / 413 / 415 / 429 / 503)
//   GET  /api/stats          StatsSnapshot JSON
//   GET  /api/stats/events   Server-Sent Events: a `snapshot` event every second (503 when full)
//   GET  /metrics            Prometheus exposition
//   GET  /dashboard          the live dashboard page (bundle under /dashboard/dist/)
import path from "node:path";
import express from "express";
import type { NextFunction, Request, Response } from "express";
import type { StatsMetrics } from "./metrics.js";
import { reportEndpoint, type ReportEndpointOptions } from "./report-endpoint.js";
import type { SseHub } from "./sse-hub.js";

export interface StatsRouterOptions extends ReportEndpointOptions {
  /** The current snapshot as JSON text. */
  snapshotJson: () => string;
  hub: SseHub;
  metrics: StatsMetrics;
  /** Folder holding the dashboard's index.html and dist/; unset = no dashboard route. */
  dashboardDir: string | undefined;
}

export function createStatsRouter(options: StatsRouterOptions): express.Router {
  const router = express.Router();

  // Any page may report and read: the player is usually served from another origin than the stats.
  router.use("/api/stats", statsCors);
  router.post("/api/stats/report", ...reportEndpoint(options));
  router.all("/api/stats/report", (_req, res) => {
    res.status(405).set({ Allow: "POST, OPTIONS", "Cache-Control": "no-store" }).json({ error: "use POST" });
  });

  router.get("/api/stats", (_req, res) => {
    res.status(200).set("Cache-Control", "no-store").type("json").send(options.snapshotJson());
  });

  router.get("/api/stats/events", (req, res) => {
    options.hub.accept(req, res, { event: "snapshot", data: options.snapshotJson() });
  });

  router.get("/metrics", async (_req, res, next) => {
    try {
      const text = await options.metrics.render();
      res
        .status(200)
        .set({ "Content-Type": options.metrics.contentType, "Cache-Control": "no-store" })
        .send(text);
    } catch (error) {
      next(error);
    }
  });

  if (options.dashboardDir !== undefined) serveDashboard(router, options.dashboardDir);
  return router;
}

/** `GET /dashboard` (the page) and `/dashboard/dist/…` (its bundle) from `dir`. */
function serveDashboard(router: express.Router, dir: string): void {
  const indexFile = path.join(dir, "index.html");
  router.get("/dashboard", (_req, res, next) => {
    res.sendFile(indexFile, { headers: { "Cache-Control": "no-cache" } }, (error) => {
      if (error !== undefined && !res.headersSent) next();
    });
  });
  router.use(
    "/dashboard/dist",
    express.static(path.join(dir, "dist"), { index: false, fallthrough: true, maxAge: 0 }),
  );
}

function statsCors(req: Request, res: Response, next: NextFunction): void {
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.method === "OPTIONS") {
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", "Content-Type");
    res.setHeader("Access-Control-Max-Age", "600");
    res.status(204).end();
    return;
  }
  next();
}
