// Requests in flight per client address: a request counts from its headers until its response has
// finished or its connection closed. One address waiting for more than `maxResponsesInFlightPerIp`
// is answered 503 at once, before any handler reads a file or builds a body, so the memory one
// address can make the server fill is bounded also when it pipelines requests on one connection or
// comes through a reverse proxy (where the connection cap, keyed by the socket address, is off).
import type { IncomingMessage, ServerResponse } from "node:http";
import { connectionLimitKey, resolveClientAddress } from "./ip-address.js";
import { HTTP_REQUEST_REFUSALS, zeroCounts } from "./refusal-reasons.js";
import type { HttpRequestRefusal } from "./refusal-reasons.js";

export interface ResponseBudgetOptions {
  /** Responses in flight per client address (IPv4 address or IPv6 /64). */
  maxResponsesInFlightPerIp: number;
  /** Resolve the address from `X-Forwarded-For` (its rightmost entry), as the tracker and stats API do. */
  trustProxy: boolean;
}

export class ResponseBudget {
  /** Refused requests by reason (in `nearcast_server_refused_total`). */
  readonly refused: Record<HttpRequestRefusal, number> = zeroCounts(HTTP_REQUEST_REFUSALS);
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: ResponseBudgetOptions) {
    if (!(options.maxResponsesInFlightPerIp >= 1)) {
      throw new RangeError("maxResponsesInFlightPerIp must be at least 1");
    }
  }

  /** Responses in flight to `key` (a `connectionLimitKey`). */
  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  /**
   * Counts `req` against its address until `res` closes and returns true; or answers 503 with
   * `Retry-After: 1` and returns false when the address is at its cap. Call first for every request.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const address = resolveClientAddress(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"],
      this.options.trustProxy,
    );
    const key = address === undefined ? "unknown" : connectionLimitKey(address);
    const count = this.count(key);
    if (count >= this.options.maxResponsesInFlightPerIp) {
      this.refused.response_ip_limit++;
      res.writeHead(503, { "Content-Type": "text/plain", "Retry-After": "1", "Cache-Control": "no-store" });
      res.end("too many requests in flight from this address\n");
      return false;
    }
    this.inFlight.set(key, count + 1);
    res.once("close", () => {
      const left = this.count(key) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    });
    return true;
  }
}
