// The chain that turns a segment request into the HTTP request Nearcast makes: the page's static
// headers and credentials, then the player's hooks (hls.js xhrSetup / fetchSetup), then the page's
// `httpRequestSetup`. Nearcast keeps the Range header to itself whatever the hooks do.
import type { NearcastConfig } from "../core/config.js";
import { RequestSetupError } from "../core/errors.js";
import type { ByteRange, HttpRequestSetup, HttpRequestSpec, SegmentRequest } from "../core/types.js";

export type RequestSetupConfig = Pick<NearcastConfig, "httpHeaders" | "httpCredentials" | "httpRequestSetup">;

/** Prepares the request for one try at one range of a segment. */
export type PrepareRequest = (range: ByteRange | undefined, attempt: number) => Promise<HttpRequestSpec>;

const CREDENTIALS: readonly RequestCredentials[] = ["omit", "same-origin", "include"];

/**
 * The request preparer of one segment load: `config` headers/credentials, then `player` (the
 * player adapter's hook), then `config.httpRequestSetup`. Each hook sees a copy it may mutate.
 * @throws RequestSetupError (from the returned function) when a hook throws or returns a bad spec.
 */
export function requestPreparer(
  segment: SegmentRequest,
  config: RequestSetupConfig,
  player: HttpRequestSetup | undefined,
): PrepareRequest {
  const hooks: [string, HttpRequestSetup][] = [];
  if (player) hooks.push(["the player's request setup (hls.js xhrSetup/fetchSetup)", player]);
  if (config.httpRequestSetup) hooks.push(["httpRequestSetup", config.httpRequestSetup]);
  return async (range, attempt) => {
    let spec: HttpRequestSpec = {
      url: segment.url,
      headers: { ...config.httpHeaders },
      credentials: config.httpCredentials,
    };
    const context = {
      segmentId: segment.id,
      swarmKey: segment.swarmKey,
      segmentUrl: segment.url,
      range,
      attempt,
    };
    for (const [name, hook] of hooks) {
      const draft = { ...spec, headers: { ...spec.headers } };
      let returned: HttpRequestSpec | void;
      try {
        returned = await hook(draft, { ...context });
      } catch (error) {
        throw new RequestSetupError(`${name} threw: ${(error as Error)?.message ?? String(error)}`);
      }
      spec = checkSpec(returned ?? draft, name);
    }
    return spec;
  };
}

/** The headers to send: the spec's, with any `Range` replaced by the one Nearcast needs. */
export function headersWithRange(
  headers: Record<string, string>,
  range: ByteRange | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== "range") out[name] = value;
  if (range && (range.start > 0 || range.end !== undefined)) {
    out["Range"] = `bytes=${range.start}-${range.end !== undefined ? range.end - 1 : ""}`;
  }
  return out;
}

function checkSpec(spec: unknown, name: string): HttpRequestSpec {
  const candidate = spec as Partial<HttpRequestSpec> | null;
  if (typeof candidate !== "object" || candidate === null) {
    throw new RequestSetupError(`${name} returned ${String(spec)}, not a request`);
  }
  const { url, headers, credentials } = candidate;
  if (typeof url !== "string" || url.length === 0) throw new RequestSetupError(`${name} returned no url`);
  if (typeof headers !== "object" || headers === null) {
    throw new RequestSetupError(`${name} returned headers that are not an object`);
  }
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value !== "string") throw new RequestSetupError(`${name} returned a non-string header ${key}`);
  }
  if (credentials === undefined || !CREDENTIALS.includes(credentials)) {
    throw new RequestSetupError(`${name} returned credentials ${String(credentials)}`);
  }
  return { url, headers: { ...(headers as Record<string, string>) }, credentials };
}
