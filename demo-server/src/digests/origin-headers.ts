// Operator-configured request headers per origin, for CDNs that want credentials from the server
// (an Authorization header, a shared secret header). From the options and/or a JSON file, so secrets
// need not appear on a command line; validated once at start.
import { readFileSync } from "node:fs";
import { normalizeOrigin } from "../net/access-policy.js";

/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value without line breaks or other control characters (no header injection). */
// eslint-disable-next-line no-control-regex
const VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;
/** Headers the service sets itself: an operator entry must not change what is fetched or how. */
const RESERVED = new Set([
  "host",
  "range",
  "accept-encoding",
  "content-length",
  "transfer-encoding",
  "connection",
]);

/**
 * Normalised origin → headers. `file` (JSON of the same shape as `table`) adds to and overrides
 * `table`. @throws RangeError naming the bad entry, or when the file cannot be read.
 */
export function originHeaderTable(
  table: Readonly<Record<string, Readonly<Record<string, string>>>>,
  file: string | undefined,
): Map<string, Record<string, string>> {
  let fromFile: unknown = {};
  if (file !== undefined) {
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      throw new RangeError(`digests.originHeadersFile: ${(error as Error).message}`, { cause: error });
    }
  }
  const out = new Map<string, Record<string, string>>();
  for (const source of [table, fromFile]) {
    if (typeof source !== "object" || source === null || Array.isArray(source)) {
      throw new RangeError('digests.originHeaders: expected { "https://origin": { "Header": "value" } }');
    }
    for (const [origin, headers] of Object.entries(source)) {
      const normalized = normalizeOrigin(origin);
      if (normalized === undefined)
        throw new RangeError(`digests.originHeaders: ${JSON.stringify(origin)} is not an origin`);
      out.set(normalized, { ...out.get(normalized), ...checkedHeaders(origin, headers) });
    }
  }
  return out;
}

function checkedHeaders(origin: string, headers: unknown): Record<string, string> {
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    throw new RangeError(`digests.originHeaders[${JSON.stringify(origin)}]: expected an object of headers`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      !TOKEN.test(name) ||
      RESERVED.has(name.toLowerCase()) ||
      typeof value !== "string" ||
      !VALUE.test(value)
    ) {
      throw new RangeError(
        `digests.originHeaders[${JSON.stringify(origin)}]: header ${JSON.stringify(name)} is not allowed`,
      );
    }
    out[name] = value;
  }
  return out;
}
