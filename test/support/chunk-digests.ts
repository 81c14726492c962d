// The digest service's chunk digests of some bytes, computed independently of the code under test
// (node:crypto, one chunk at a time): what the wire's `chunks` must decode to.
import { createHash } from "node:crypto";
import { DIGEST_CHUNK_BYTES } from "../../sdk/src/http/digest-wire.js";

/** The SHA-256 of each `chunkBytes` chunk of `bytes` (the last one shorter), concatenated. */
export function chunkDigestsOf(bytes: Uint8Array, chunkBytes = DIGEST_CHUNK_BYTES): Buffer {
  const digests: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes)
    digests.push(
      createHash("sha256")
        .update(bytes.subarray(at, at + chunkBytes))
        .digest(),
    );
  return Buffer.concat(digests);
}
