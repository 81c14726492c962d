// Boundary validation of `POST /api/digests` bodies (the contract in sdk/src/http/digest-wire.ts):
// a body is valid as a whole or refused with one message naming the first bad field.
import { z } from "zod";
import {
  MAX_DIGEST_SEGMENTS_PER_REQUEST,
  MAX_DIGEST_SESSION_CHARS,
  MAX_DIGEST_SWARM_KEY_CHARS,
  MAX_DIGEST_URL_CHARS,
  MAX_DIGEST_WAIT_MS,
  type DigestRequestBody,
} from "nearcast";

/** Printable text: control characters have no place in a URL or key, and break logs. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
/** Byte offsets stay exact in a double below 2^53; 2^50 (1 PiB) is more than any segment file. */
const MAX_OFFSET = 2 ** 50;

const url = z.string().min(1).max(MAX_DIGEST_URL_CHARS).regex(NO_CONTROL_CHARS);

const schema = z.object({
  swarmKey: z.string().min(3).max(MAX_DIGEST_SWARM_KEY_CHARS).regex(NO_CONTROL_CHARS).includes("|"),
  peerId: z.string().regex(/^[0-9a-fA-F]{40}$/, "40 hexadecimal characters (a 20-byte peer_id)"),
  session: z.string().min(1).max(MAX_DIGEST_SESSION_CHARS).regex(NO_CONTROL_CHARS).optional(),
  manifestUrl: url.optional(),
  playlistUrl: url,
  segments: z
    .array(
      z.object({
        url,
        range: z
          .tuple([z.number().int().min(0).max(MAX_OFFSET), z.number().int().min(1).max(MAX_OFFSET)])
          .refine(([start, end]) => end > start, "range end must be after its start")
          .optional(),
      }),
    )
    .min(1)
    .max(MAX_DIGEST_SEGMENTS_PER_REQUEST),
  waitMs: z.number().int().min(0).max(MAX_DIGEST_WAIT_MS).optional(),
});

/** The validated body (peer_id lower-cased), or the first problem as `path: message`. */
export function parseDigestRequest(text: string): { body: DigestRequestBody } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: "body is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join(".") || "body";
    return { problem: `${path}: ${issue?.message ?? "invalid"}` };
  }
  const body: DigestRequestBody = { ...parsed.data, peerId: parsed.data.peerId.toLowerCase() };
  return { body };
}
