// GET /api/ice: the one place viewers learn their ICE servers (SDK option `iceConfigUrl`).
import express from "express";
import type { IceOptions } from "./ice-options.js";
import { mintTurnCredential } from "./turn-credentials.js";

/** What GET /api/ice answers. */
export interface IceConfigBody {
  /** W3C RTCIceServer entries: STUN first, then TURN with a fresh credential. */
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  /** Seconds the TURN credential stays valid (the SDK fetches again at half of it). */
  ttlSec: number;
}

/** The body for one request: a new TURN credential each time (nothing is stored). */
export function iceConfigBody(options: IceOptions, nowMs: number): IceConfigBody {
  const iceServers: IceConfigBody["iceServers"] = [];
  if (options.stunUrls.length > 0) iceServers.push({ urls: [...options.stunUrls] });
  if (options.turnUrls.length > 0 && options.turnSecret) {
    const { username, credential } = mintTurnCredential({
      secret: options.turnSecret,
      ttlSec: options.turnTtlSec,
      nowMs,
    });
    iceServers.push({ urls: [...options.turnUrls], username, credential });
  }
  return { iceServers, ttlSec: options.turnTtlSec };
}

/**
 * Router serving `GET /api/ice`. Answers are never cached (each holds a credential) and readable
 * from any origin, like the demo origin: a page embedding the SDK may live elsewhere. Anyone who
 * can load the page can use the TURN relay until the credential expires; that is the REST scheme's
 * trade-off, and why the TTL is short.
 */
export function createIceRouter(options: IceOptions, clock: () => number): express.Router {
  const router = express.Router();
  router.get("/api/ice", (_req, res) => {
    res
      .set("Cache-Control", "no-store")
      .set("Access-Control-Allow-Origin", "*")
      .type("json")
      .send(JSON.stringify(iceConfigBody(options, clock())));
  });
  return router;
}
