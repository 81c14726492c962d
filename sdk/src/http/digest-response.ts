// Boundary of the digest service's answers: read no more than an answer can be, then take a digest
// only in the exact shape of the wire contract, for the segments asked about, in order; anything
// else is `bad_response`.
import { concat } from "../core/bytes.js";
import type { ChunkDigests, DigestLookup } from "./digest-client.js";
import {
  DIGEST_CHUNK_BYTES,
  MAX_DIGEST_CHUNKS,
  MAX_DIGEST_RESPONSE_BYTES,
  chunkCount,
  type DigestSegmentQuery,
} from "./digest-wire.js";

const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A reason or status word from the server, shown in `detail`: short and plain. */
const WORD = /^[a-z_]{1,40}$/;

/**
 * One {@link DigestLookup} per asked segment from an HTTP status and body text. Never throws.
 * A digest whose byte count disagrees with the asked byte range is `bad_response`.
 */
export function parseDigestResponse(
  status: number,
  text: string,
  asked: readonly DigestSegmentQuery[],
): DigestLookup[] {
  const all = (result: DigestLookup) => asked.map(() => result);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status !== 200) {
    const reason = wordOf(body, "reason");
    return all({ ok: false, reason: "rejected", detail: reason ? `${status} ${reason}` : String(status) });
  }
  if (!isObject(body)) return all({ ok: false, reason: "bad_response", detail: "not a JSON object" });
  if (body["served"] === false) {
    const size = body["swarmSize"];
    const min = body["minSwarmSize"];
    const detail = `${wordOf(body, "reason") ?? "not served"}: swarm ${String(size)} < ${String(min)}`;
    return all({ ok: false, reason: "spot_checks", detail });
  }
  const digests = body["digests"];
  if (body["served"] !== true || !Array.isArray(digests) || digests.length !== asked.length) {
    return all({ ok: false, reason: "bad_response", detail: "digests do not match the segments asked" });
  }
  return digests.map((entry: unknown, i) => entryOf(entry, asked[i]!));
}

/** The body as text, or undefined beyond `maxBytes` (read no further than that). */
export async function readCapped(
  response: Response,
  maxBytes = MAX_DIGEST_RESPONSE_BYTES,
): Promise<string | undefined> {
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.body) return response.text();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(concat(chunks, total));
}

function entryOf(entry: unknown, query: DigestSegmentQuery): DigestLookup {
  if (!isObject(entry)) return { ok: false, reason: "bad_response", detail: "entry is not an object" };
  switch (entry["status"]) {
    case "ok": {
      const { sha256, bytes } = entry;
      const expected = query.range ? query.range[1] - query.range[0] : undefined;
      if (typeof sha256 !== "string" || !SHA256_HEX.test(sha256)) {
        return { ok: false, reason: "bad_response", detail: "sha256 is not 64 hex characters" };
      }
      if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 0) {
        return { ok: false, reason: "bad_response", detail: "bytes is not a byte count" };
      }
      if (expected !== undefined && bytes !== expected) {
        return { ok: false, reason: "bad_response", detail: `${bytes} bytes for a ${expected}-byte range` };
      }
      const chunks = chunksOf(entry, bytes);
      if (typeof chunks === "string") return { ok: false, reason: "bad_response", detail: chunks };
      return { ok: true, sha256, bytes, ...(chunks ? { chunks } : {}) };
    }
    case "pending":
      return { ok: false, reason: "pending" };
    case "unavailable": {
      const httpStatus = typeof entry["httpStatus"] === "number" ? ` ${entry["httpStatus"]}` : "";
      return { ok: false, reason: "unavailable", detail: `${wordOf(entry, "reason") ?? "?"}${httpStatus}` };
    }
    case "refused":
      return { ok: false, reason: "refused", detail: wordOf(entry, "reason") ?? "?" };
    default:
      return { ok: false, reason: "bad_response", detail: "unknown entry status" };
  }
}

/**
 * An `ok` entry's chunk digests: undefined when it has none (a whole-segment digest), a problem text
 * when they are not exactly {@link chunkCount} SHA-256 values of {@link DIGEST_CHUNK_BYTES} chunks
 * (the only chunk size this client knows; at most {@link MAX_DIGEST_CHUNKS}).
 */
function chunksOf(entry: Record<string, unknown>, bytes: number): ChunkDigests | string | undefined {
  const { chunkBytes, chunks } = entry;
  if (chunkBytes === undefined && chunks === undefined) return undefined;
  if (chunkBytes !== DIGEST_CHUNK_BYTES) return `chunkBytes is not ${DIGEST_CHUNK_BYTES}`;
  const count = chunkCount(bytes, chunkBytes);
  if (count === 0 || count > MAX_DIGEST_CHUNKS) return `${count} chunks`;
  if (typeof chunks !== "string" || chunks.length !== Math.ceil((count * 32) / 3) * 4 || !BASE64.test(chunks))
    return `chunks is not ${count} base64 SHA-256 values`;
  const binary = atob(chunks);
  const sha256 = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) sha256[i] = binary.charCodeAt(i);
  return sha256.byteLength === count * 32 ? { chunkBytes, sha256 } : `chunks is not ${count} SHA-256 values`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function wordOf(value: unknown, key: string): string | undefined {
  const word = isObject(value) ? value[key] : undefined;
  return typeof word === "string" && WORD.test(word) ? word : undefined;
}
