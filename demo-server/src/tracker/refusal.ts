// How the tracker tells a refused viewer, and its operator, why. A browser's WebSocket API hides the
// HTTP status of a refused upgrade (the page sees close code 1006 and nothing else, like a server
// that is down), so access refusals complete the upgrade and close at once with a close code and the
// reason's key; the SDK reads them and stops retrying. The operator gets an info log line per reason,
// at most once a minute, with the count since the last line.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocketServer } from "ws";
import type { AccessRefusal, TrackerConnectionRefusal } from "../net/refusal-reasons.js";
import type { TrackerLogger } from "./options.js";

/**
 * Close codes of the refusals a page can read (RFC 6455 §7.4.2: 4000–4999 are the application's).
 * 44xx mirrors the HTTP status and means "refused until the page's configuration changes" (a new
 * token, a page on an allowed origin): the SDK does not reconnect (sdk/src/p2p/tracker-client.ts).
 */
export const ACCESS_CLOSE_CODES: Readonly<Record<AccessRefusal, number>> = {
  token_missing: 4401,
  token_invalid: 4401,
  token_expired: 4401,
  origin_not_allowed: 4403,
};

/**
 * Explained refusals open at once: beyond this many, a refusal is a plain HTTP error again, so a
 * flood of refused upgrades holds no more sockets than this.
 */
export const MAX_EXPLAINED_REFUSALS = 256;
/** A refused socket is destroyed after this long whether or not the client answered the close. */
export const EXPLAINED_REFUSAL_TIMEOUT_MS = 2_000;
/** One info line per refusal reason at most this often (the counters count every refusal). */
export const REFUSAL_LOG_INTERVAL_MS = 60_000;

/** What an operator reading the log should know about each reason. */
const HINTS: Readonly<Record<TrackerConnectionRefusal, string>> = {
  token_missing: "join tokens are required and the page's tracker URL has no ?token=",
  token_invalid: "the join token is malformed or signed with another secret",
  token_expired: "the join token has expired (mint one per page view, with a TTL covering the session)",
  origin_not_allowed: "the page's Origin is not in --tracker-allowed-origins",
  ip_limit: "this address holds its maximum of tracker sockets",
  tracker_full: "the tracker holds its maximum of sockets",
  no_address: "the client address could not be read",
  closed: "the tracker is shutting down",
};

/**
 * Answers a refused upgrade with a WebSocket that closes at once with {@link ACCESS_CLOSE_CODES}
 * and `reason` as the close reason. The sockets doing so are kept in `explaining` (for `close()`)
 * and bounded by {@link MAX_EXPLAINED_REFUSALS}; returns false, having done nothing, at that bound.
 */
export function explainRefusal(
  wss: WebSocketServer,
  explaining: Set<Duplex>,
  [req, socket, head]: [IncomingMessage, Duplex, Buffer],
  reason: AccessRefusal,
): boolean {
  if (explaining.size >= MAX_EXPLAINED_REFUSALS) return false;
  explaining.add(socket);
  const timer = setTimeout(() => socket.destroy(), EXPLAINED_REFUSAL_TIMEOUT_MS);
  timer.unref();
  socket.once("close", () => {
    clearTimeout(timer);
    explaining.delete(socket);
  });
  // An invalid upgrade (no Sec-WebSocket-Key…) is answered 400 by ws itself, which destroys the socket.
  wss.handleUpgrade(req, socket, head, (ws) => ws.close(ACCESS_CLOSE_CODES[reason], reason));
  return true;
}

/**
 * Info lines about refusals, one per reason per {@link REFUSAL_LOG_INTERVAL_MS}, with the count since
 * the last line. `what` names what was refused ("a connection", "an announce"); `hint` says what an
 * operator should know about a reason.
 */
export class RefusalLog<R extends string = TrackerConnectionRefusal> {
  private readonly lastLogMs = new Map<R, number>();
  private readonly unlogged = new Map<R, number>();

  constructor(
    private readonly logger: TrackerLogger,
    private readonly what: string = "a connection",
    private readonly hint: (reason: R) => string = (reason) => HINTS[reason as TrackerConnectionRefusal],
    private readonly now: () => number = Date.now,
  ) {}

  refused(reason: R): void {
    const count = (this.unlogged.get(reason) ?? 0) + 1;
    const now = this.now();
    const last = this.lastLogMs.get(reason);
    if (last !== undefined && now - last < REFUSAL_LOG_INTERVAL_MS) {
      this.unlogged.set(reason, count);
      return;
    }
    this.lastLogMs.set(reason, now);
    this.unlogged.delete(reason);
    const since = last === undefined ? "" : ` (${count} since the last line about it)`;
    this.logger.info(
      { reason, count },
      `tracker: refused ${this.what}: ${reason}: ${this.hint(reason)}${since}`,
    );
  }
}
