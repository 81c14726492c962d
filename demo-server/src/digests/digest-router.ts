// HTTP face of the digest service:
//   POST /api/digests   digests of segments for members of a swarm (200 / 400 / 403 / 413 / 415 /
//                       429 / 502 / 503; see docs/digest-service.md)
// Cheap checks first (address rate limit, content type, body size) so a flood costs little.
import express from "express";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { MAX_DIGEST_REQUEST_BYTES, type DigestRequestError } from "nearcast";
import { KeyedRateLimiter } from "../net/rate-limiter.js";
import { connectionLimitKey, resolveClientAddress } from "../net/ip-address.js";
import type { DigestServiceOptions } from "./digest-options.js";
import { parseDigestRequest } from "./digest-request.js";
import type { DigestAnswer, DigestService } from "./digest-service.js";

/** Without a preflight a page can send only text/plain; fetch with JSON headers sends application/json. */
const ACCEPTED_TYPES = ["text/plain", "application/json"];

export interface DigestRouterOptions {
  /** Take the client address from `X-Forwarded-For` (rightmost entry); only behind your own proxy. */
  trustProxy: boolean;
  limits: Pick<DigestServiceOptions, "ipRateLimit" | "maxRateKeys">;
  /** Epoch ms. @default Date.now */
  now?: () => number;
}

export function createDigestRouter(service: DigestService, options: DigestRouterOptions): express.Router {
  const now = options.now ?? Date.now;
  const ipLimiter = new KeyedRateLimiter({
    ...options.limits.ipRateLimit,
    maxKeys: options.limits.maxRateKeys,
  });
  const router = express.Router();
  const send = (res: Response, answer: DigestAnswer) => {
    if (answer.retryAfterMs !== undefined) {
      res.set("Retry-After", String(Math.max(1, Math.ceil(answer.retryAfterMs / 1000))));
    }
    res.status(answer.status).set("Cache-Control", "no-store").json(answer.body);
  };
  const refuse = (
    res: Response,
    status: number,
    reason: DigestRequestError,
    error: string,
    retryAfterMs?: number,
  ) => {
    service.counters.requests.add([reason]);
    send(res, { status, body: { reason, error }, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  };
  const addressOf = (req: Request) =>
    resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], options.trustProxy);

  const limitAddress: RequestHandler = (req, res, next) => {
    const address = addressOf(req);
    if (address === undefined) return refuse(res, 400, "bad_request", "no client address");
    const decision = ipLimiter.take(connectionLimitKey(address), now());
    if (decision.ok) return next();
    refuse(res, 429, "rate_limited", "too many digest requests from this address", decision.retryAfterMs);
  };

  const checkType: RequestHandler = (req, res, next) => {
    const match = req.is(ACCEPTED_TYPES);
    if (match === null) return refuse(res, 400, "bad_request", "empty body");
    if (match === false) {
      return refuse(
        res,
        415,
        "unsupported_media_type",
        "Content-Type must be text/plain or application/json",
      );
    }
    next();
  };

  const readBody = express.text({
    type: () => true,
    limit: MAX_DIGEST_REQUEST_BYTES,
    defaultCharset: "utf-8",
  });

  const handle: RequestHandler = async (req, res) => {
    const parsed = parseDigestRequest(typeof req.body === "string" ? req.body : "");
    if ("problem" in parsed) return refuse(res, 400, "bad_request", parsed.problem);
    send(res, await service.handle(parsed.body, addressOf(req)!));
  };

  const bodyErrors = (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const type = (error as { type?: unknown } | null)?.type;
    if (type === "entity.too.large")
      return refuse(res, 413, "body_too_large", `body over ${MAX_DIGEST_REQUEST_BYTES} bytes`);
    refuse(res, 400, "bad_request", "unreadable body");
  };

  // Any page may ask: the player is usually served from another origin than this server.
  router.use("/api/digests", (req, res, next) => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    if (req.method !== "OPTIONS") return next();
    res.setHeader("Access-Control-Allow-Methods", "POST, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", "Content-Type");
    res.setHeader("Access-Control-Max-Age", "600");
    res.status(204).end();
  });
  router.post("/api/digests", limitAddress, checkType, readBody, handle, bodyErrors);
  router.all("/api/digests", (_req, res) => {
    res.status(405).set({ Allow: "POST, OPTIONS", "Cache-Control": "no-store" }).json({ error: "use POST" });
  });
  return router;
}
