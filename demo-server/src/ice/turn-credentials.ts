// TURN credentials in coturn's shared-secret scheme ("TURN REST API", draft-uberti-behave-turn-rest-00,
// coturn `--use-auth-secret --static-auth-secret`): the server and coturn share a secret, nothing is
// stored per viewer, and coturn refuses the credential once its expiry time has passed.
import { createHmac, randomBytes } from "node:crypto";

export interface TurnCredential {
  /** `<expiry unix seconds>:<user id>`, as coturn parses it. */
  username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  credential: string;
  /** Unix time (seconds) after which coturn refuses it. */
  expiresAtSec: number;
}

/**
 * Mint one TURN credential valid for `ttlSec` from `nowMs`. `userId` only labels the allocation in
 * coturn's logs and quotas (default: random). Throws on an empty secret or a non-positive TTL.
 */
export function mintTurnCredential(options: {
  secret: string;
  ttlSec: number;
  nowMs: number;
  userId?: string;
}): TurnCredential {
  if (options.secret.length === 0) throw new Error("TURN secret must not be empty");
  if (!(options.ttlSec > 0)) throw new Error("TURN credential TTL must be positive");
  const expiresAtSec = Math.floor(options.nowMs / 1000) + Math.ceil(options.ttlSec);
  const userId = options.userId ?? randomBytes(6).toString("hex");
  if (userId.includes(":")) throw new Error("TURN user id must not contain ':'");
  const username = `${expiresAtSec}:${userId}`;
  const credential = createHmac("sha1", options.secret).update(username).digest("base64");
  return { username, credential, expiresAtSec };
}
