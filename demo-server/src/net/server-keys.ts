// The server's own secret and what it signs: viewer sessions (see session-token.ts) and the address
// fingerprints relayed with offers and answers. One secret, a derived key per purpose, so a value
// signed for one purpose never verifies as another.
import { createHmac, randomBytes } from "node:crypto";

/** A shorter secret is guessable offline from one signed session. */
export const MIN_SERVER_SECRET_BYTES = 16;

/** Bytes of HMAC-SHA256 kept in an address fingerprint: 128 bits cannot be matched by chance. */
const FINGERPRINT_BYTES = 16;

/**
 * Keys derived from the server secret (`--server-secret-file` / `NEARCAST_SERVER_SECRET`). Every
 * instance behind one Redis must share the secret: a session minted by one instance's tracker is
 * checked by whichever instance receives the viewer's report, and a banned address must have the same
 * fingerprint whichever instance relayed its offer.
 */
export class ServerKeys {
  private readonly sessionKey: Buffer;
  private readonly fingerprintKey: Buffer;

  /** @throws RangeError for a secret shorter than {@link MIN_SERVER_SECRET_BYTES}. */
  constructor(secret: string) {
    checkServerSecret(secret);
    this.sessionKey = derive(secret, "nearcast session v1");
    this.fingerprintKey = derive(secret, "nearcast address fingerprint v1");
  }

  /** Keys from a fresh random secret: sessions and fingerprints mean something to this process only. */
  static random(): ServerKeys {
    return new ServerKeys(randomBytes(32).toString("base64url"));
  }

  /** HMAC-SHA256 of a session body, base64url. */
  signSession(body: string): string {
    return createHmac("sha256", this.sessionKey).update(body).digest("base64url");
  }

  /**
   * The opaque fingerprint of an address group (`connectionLimitKey`: an IPv4 address or an IPv6
   * /64): base64url of HMAC-SHA256 truncated to 16 bytes (22 characters). Equal for every peer_id a
   * host uses, meaningless without the secret, and not reversible to the address.
   */
  addressFingerprint(limitKey: string): string {
    return createHmac("sha256", this.fingerprintKey)
      .update(limitKey)
      .digest()
      .subarray(0, FINGERPRINT_BYTES)
      .toString("base64url");
  }
}

export function checkServerSecret(secret: string): void {
  if (typeof secret !== "string" || Buffer.byteLength(secret) < MIN_SERVER_SECRET_BYTES) {
    throw new RangeError(`the server secret must be at least ${MIN_SERVER_SECRET_BYTES} bytes`);
  }
}

function derive(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(purpose).digest();
}
