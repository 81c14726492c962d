// The claim part of the server's signed tokens (join tokens `nc1.…`, sessions `ns1.…`): a JSON
// object as base64url, so a token is URL-safe and its claims readable with any base64 decoder.

export function encodeTokenBody(claims: object): string {
  return Buffer.from(JSON.stringify(claims)).toString("base64url");
}

/** The claims object of a token body; undefined for anything that is not base64url JSON of an object. */
export function decodeTokenBody(text: string): Record<string, unknown> | undefined {
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  return typeof claims === "object" && claims !== null ? (claims as Record<string, unknown>) : undefined;
}
