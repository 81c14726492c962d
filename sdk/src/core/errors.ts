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
