// Admin actions (resetting the origin's counters) need the operator's secret: without it any page a
// viewer opens could send the POST (a form post needs no preflight) and wipe the figures.
import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import { ADMIN_REFUSALS, zeroCounts } from "./refusal-reasons.js";
import type { AdminRefusal } from "./refusal-reasons.js";

/**
 * Middleware letting a request through only with `Authorization: Bearer <adminSecret>`: 401 for a
 * missing or wrong secret, 403 when the server has no admin secret (admin actions are off).
 * `refused` counts refusals by reason.
 */
export function requireAdmin(
  adminSecret: string | undefined,
  refused: Record<AdminRefusal, number> = zeroCounts(ADMIN_REFUSALS),
): RequestHandler {
  const expected = adminSecret === undefined ? undefined : Buffer.from(adminSecret);
  return (req, res, next) => {
    res.set("Cache-Control", "no-store");
    if (expected === undefined) {
      refused.admin_off++;
      res.status(403).json({ error: "admin actions are off: start the server with --admin-secret-file" });
      return;
    }
    const given = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "")?.[1] ?? "");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      refused.admin_denied++;
      res.status(401).set("WWW-Authenticate", "Bearer").json({ error: "admin secret missing or wrong" });
      return;
    }
    next();
  };
}
