import type { HttpRejectionReason } from "./types.js";

/** Base class so callers can tell Nearcast's own errors from everything else. */
export class NearcastError extends Error {
  override name = "NearcastError";
}

/** The page passed a configuration that cannot work. Thrown synchronously by the constructor. */
export class ConfigError extends NearcastError {
  override name = "ConfigError";
}

/** An HTTP fetch failed; `status` is 0 for network failures. */
export class HttpError extends NearcastError {
  override name = "HttpError";
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * An HTTP response whose body cannot be trusted: shorter or longer than its Content-Length or the
 * playlist's byte range, a Content-Range other than the one asked for, a body of no stated length
 * that the origin disowns, or bytes that fail the segment's digest. It is never stored or shared.
 * `status` is the response's own (2xx), so a player retries the load as it does a failed request
 * (hls.js retries no status-0 error while online).
 */
export class HttpBodyError extends HttpError {
  override name = "HttpBodyError";
  constructor(
    message: string,
    status: number,
    readonly reason: HttpRejectionReason,
  ) {
    super(message, status);
  }
}

/** A deadline passed before the bytes arrived. `phase` says which deadline. */
export class TimeoutError extends NearcastError {
  override name = "TimeoutError";
  constructor(
    message: string,
    readonly phase: "first-byte" | "total",
  ) {
    super(message);
  }
}

/** The caller aborted the load. Not a failure: never reported to the player as an error. */
export class AbortError extends NearcastError {
  override name = "AbortError";
}
