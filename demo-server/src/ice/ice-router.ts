// GET /api/ice: the one place viewers learn their ICE servers (SDK option `iceConfigUrl`).
import express from "express";
import type { AccessPolicy } from "../net/access-policy.js";
import type { AccessRefusal } from "../net/refusal-reasons.js";
import type { IceOptions } from "./ice-options.js";
import { mintTurnCredential } from "./turn-credentials.js";

/** What GET /api/ice answers. */
export interface IceConfigBody {
  /** W3C RTCIceServer entries: STUN first, then TURN with a fresh credential. */
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  /** Seconds the TURN credential stays valid (the SDK fetches again at half of it). */
  ttlSec: number;
}

/**
 * The body for one request: a new TURN credential each time (nothing is stored). The credential
 * lives `turnTtlSec`, but never past `admittedUntilMs` (the expiry of the join token that obtained
 * it): a viewer admitted for a minute does not get a relay for a week.
 */
export function iceConfigBody(
  options: IceOptions,
  nowMs: number,
  admittedUntilMs: number = Number.POSITIVE_INFINITY,
): IceConfigBody {
  const iceServers: IceConfigBody["iceServers"] = [];
  if (options.stunUrls.length > 0) iceServers.push({ urls: [...options.stunUrls] });
  const ttlSec = Math.max(1, Math.min(options.turnTtlSec, Math.floor((admittedUntilMs - nowMs) / 1000)));
  if (options.turnUrls.length > 0 && options.turnSecret) {
    const { username, credential } = mintTurnCredential({ secret: options.turnSecret, ttlSec, nowMs });
    iceServers.push({ urls: [...options.turnUrls], username, credential });
  }
  return { iceServers, ttlSec };
}

/** Outcomes of `GET /api/ice` requests: "ok", or the reason one was refused. */
export type IceRequestResult = "ok" | AccessRefusal;

/** The bearer token of an `Authorization` header, if any. */
function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Router serving `GET /api/ice`, under the tracker's access rules (`access`): with join tokens on,
 * a request needs a valid one (`?token=` — the SDK's `iceConfigUrl` carries it as the tracker URL
 * does — or `Authorization: Bearer`), else 401; with an Origin allow-list, a request from a page
 * elsewhere, or without an `Origin`, is refused with 403 and may not read the answer. So TURN
 * credentials go to the tracker's users only, and expire with their join token; with neither rule
 * the endpoint is open, as the tracker is (the server refuses to start with TURN that way unless
 * told `turnOpen`). Answers are never cached (each holds a credential). `counts` tallies requests by
 * {@link IceRequestResult}.
 */
export function createIceRouter(
  options: IceOptions,
  clock: () => number,
  access: AccessPolicy,
  counts: Map<IceRequestResult, number> = new Map(),
): express.Router {
  const router = express.Router();
  router.get("/api/ice", (req, res) => {
    const origin = req.get("origin");
    const query = req.query["token"];
    const token = typeof query === "string" ? query : bearerToken(req.get("authorization"));
    const check = access.checkUpgrade(origin, token);
    const result: IceRequestResult = check.ok ? "ok" : check.reason;
    counts.set(result, (counts.get(result) ?? 0) + 1);
    res.set("Cache-Control", "no-store").set("Vary", "Origin");
    if (!access.restrictsOrigins) res.set("Access-Control-Allow-Origin", "*");
    else if (origin !== undefined && access.originAllowed(origin))
      res.set("Access-Control-Allow-Origin", origin);
    if (!check.ok) {
      res
        .status(check.status)
        .type("json")
        .send(JSON.stringify({ error: check.reason }));
      return;
    }
    res.type("json").send(JSON.stringify(iceConfigBody(options, clock(), check.grant?.expiresAtMs)));
  });
  return router;
}
