// POST /api/stats/report: rate limits, body limits, content type, validation, then the intake
// (session, plausibility, cross-checks, aggregation). Cheap checks run first (address rate limit,
// content type) so a flood costs little; the whole batch is validated before any of it is counted,
// so a rejected request changes no totals.
import express from "express";
import type { StatsReportBatch } from "nearcast";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { MAX_REPORT_BODY_BYTES } from "nearcast";
import { connectionLimitKey, resolveClientAddress } from "../net/ip-address.js";
import type { StatsAggregator } from "./aggregator.js";
import type { ReportIntake } from "./report-intake.js";
import type { KeyedRateLimiter } from "../net/rate-limiter.js";
import type { ReportRefusal } from "../net/refusal-reasons.js";
import { validateReportBatch } from "./report-schema.js";

/** `navigator.sendBeacon(url, string)` sends text/plain; fetch sends application/json. */
const ACCEPTED_TYPES = ["application/json", "text/plain"];

export interface ReportOutcomes {
  /**
   * `batch` is the validated batch just counted (shared with other instances when scaled out, each
   * taking it through its own intake); `anonymous` when it carried no session.
   */
  accepted(reports: number, duplicates: number, batch: StatsReportBatch, anonymous: boolean): void;
  rejected(reason: ReportRefusal): void;
}

export interface ReportEndpointOptions {
  aggregator: StatsAggregator;
  intake: ReportIntake;
  clientLimiter: KeyedRateLimiter;
  ipLimiter: KeyedRateLimiter;
  outcomes: ReportOutcomes;
  /** Take the client address from `X-Forwarded-For` (rightmost entry); only behind your own proxy. */
  trustProxy: boolean;
  logger: Logger;
}

/** Middleware chain for `POST /api/stats/report` (mount after CORS). */
export function reportEndpoint(options: ReportEndpointOptions): (RequestHandler | ErrorHandler)[] {
  const { aggregator, outcomes, logger } = options;
  const reject = (res: Response, status: number, reason: ReportRefusal, message: string, extra = {}) => {
    outcomes.rejected(reason);
    logger.debug({ reason, status, message }, "stats: report rejected");
    res
      .status(status)
      .set("Cache-Control", "no-store")
      .json({ error: message, ...extra });
  };
  const retryAfter = (res: Response, retryAfterMs: number) =>
    res.set("Retry-After", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));

  const addressKey = (req: Request): string => {
    const address = resolveClientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      options.trustProxy,
    );
    return address === undefined ? "unknown" : connectionLimitKey(address);
  };

  const limitAddress: RequestHandler = (req, res, next) => {
    const decision = options.ipLimiter.take(addressKey(req), aggregator.now());
    if (decision.ok) return next();
    retryAfter(res, decision.retryAfterMs);
    reject(res, 429, "rate_limited_ip", "too many reports from this address; slow down");
  };

  const checkType: RequestHandler = (req, res, next) => {
    const match = req.is(ACCEPTED_TYPES);
    if (match === null)
      return reject(res, 400, "malformed_json", "body: is empty (expected a JSON report batch)");
    if (match === false) {
      const got = (req.headers["content-type"] ?? "none").slice(0, 100);
      return reject(
        res,
        415,
        "unsupported_media_type",
        `Content-Type must be application/json or text/plain, got ${got}`,
      );
    }
    next();
  };

  const readBody = express.text({ type: () => true, limit: MAX_REPORT_BODY_BYTES, defaultCharset: "utf-8" });

  const handle: RequestHandler = (req, res) => {
    const text: unknown = req.body;
    if (typeof text !== "string" || text.trim() === "") {
      return reject(res, 400, "malformed_json", "body: is empty (expected a JSON report batch)");
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return reject(res, 400, "malformed_json", `body: is not valid JSON (${(error as Error).message})`);
    }
    const validation = validateReportBatch(body);
    if (!validation.ok) {
      return reject(res, 400, validation.reason, validation.message, { field: validation.field });
    }
    const clientIds = validation.batch.reports.map((report) => report.clientId);
    const decision = options.clientLimiter.takeAll(clientIds, aggregator.now());
    if (!decision.ok) {
      retryAfter(res, decision.retryAfterMs);
      return reject(res, 429, "rate_limited_client", "too many reports from this clientId; slow down");
    }
    const result = options.intake.take(validation.batch, addressKey(req));
    if (!result.ok) {
      if (result.retryAfterMs !== undefined) retryAfter(res, result.retryAfterMs);
      return reject(res, result.status, result.reason, result.message);
    }
    outcomes.accepted(result.accepted, result.duplicates, validation.batch, result.anonymous);
    res
      .status(200)
      .set("Cache-Control", "no-store")
      .json({ accepted: result.accepted, duplicates: result.duplicates });
  };

  /** Errors of the body reader (size, charset, aborted upload) as JSON, counted. */
  const bodyErrors: ErrorHandler = (error, _req, res, next) => {
    const type = (error as { type?: unknown } | null)?.type;
    if (res.headersSent) return next(error);
    if (type === "entity.too.large") {
      return reject(res, 413, "body_too_large", `body: larger than ${MAX_REPORT_BODY_BYTES} bytes`);
    }
    if (type === "charset.unsupported" || type === "encoding.unsupported") {
      return reject(res, 415, "unsupported_media_type", `body: ${(error as Error).message}`);
    }
    reject(res, 400, "malformed_json", "body: could not be read");
  };

  return [limitAddress, checkType, readBody, handle, bodyErrors];
}

type ErrorHandler = (error: unknown, req: Request, res: Response, next: NextFunction) => void;
