// Who may use the tracker, checked at its boundary: the WebSocket upgrade (Origin allow-list, join
// token) and each announce (info-hash allow-list, the token's scope). Pure: no sockets, no timers.
import { grantCovers, verifyJoinToken } from "./join-token.js";
import type { JoinGrant } from "./join-token.js";
import { hexToBinaryId } from "./binary-id.js";
import type { BinaryId } from "./binary-id.js";
import type { AccessRefusal } from "./refusal-reasons.js";

/** The access options of {@link TrackerOptions}. */
export interface AccessOptions {
  /** HMAC secret of join tokens (≥ 16 bytes); undefined = no token needed. */
  joinTokenSecret: string | undefined;
  /** Page origins (`https://site.example`) allowed to open the WebSocket; undefined = any. */
  allowedOrigins: readonly string[] | undefined;
  /** Info-hashes (40 hex chars) that may be announced; undefined = any. */
  allowedInfoHashes: readonly string[] | undefined;
}

export type UpgradeCheck =
  { ok: true; grant: JoinGrant | undefined } | { ok: false; reason: AccessRefusal; status: 401 | 403 };

/** Lower-cased `scheme://host[:port]`, as browsers send `Origin`; undefined when not an origin. */
export function normalizeOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if (origin.replace(/\/$/, "").toLowerCase() !== url.origin.toLowerCase()) return undefined;
    return url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export class AccessPolicy {
  private readonly origins: ReadonlySet<string> | undefined;
  private readonly infoHashes: ReadonlySet<BinaryId> | undefined;

  constructor(
    private readonly options: AccessOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.origins =
      options.allowedOrigins && new Set(options.allowedOrigins.map((o) => normalizeOrigin(o) ?? o));
    this.infoHashes = options.allowedInfoHashes && new Set(options.allowedInfoHashes.map(hexToBinaryId));
  }

  /**
   * A tracker upgrade, or a request for what only the tracker's users may have (`GET /api/ice`: TURN
   * credentials): the `Origin` header against the allow-list, then the join token. With an allow-list
   * a request without `Origin` is refused: browsers send one on every WebSocket and cross-origin
   * request, and a missing header is not an allowed origin. (Any non-browser client can write the
   * header; the join token is what keeps strangers out.)
   */
  checkUpgrade(origin: string | undefined, token: string | undefined): UpgradeCheck {
    if (this.origins !== undefined) {
      const normalized = origin === undefined ? undefined : normalizeOrigin(origin);
      if (normalized === undefined || !this.origins.has(normalized)) {
        return { ok: false, reason: "origin_not_allowed", status: 403 };
      }
    }
    return this.checkToken(token);
  }

  /** Whether there is an Origin allow-list. */
  get restrictsOrigins(): boolean {
    return this.origins !== undefined;
  }

  /** Whether `origin` may read answers (CORS): on the allow-list, or any origin without one. */
  originAllowed(origin: string): boolean {
    const normalized = normalizeOrigin(origin);
    return this.origins === undefined || (normalized !== undefined && this.origins.has(normalized));
  }

  private checkToken(token: string | undefined): UpgradeCheck {
    if (this.options.joinTokenSecret === undefined) return { ok: true, grant: undefined };
    const check = verifyJoinToken(token, this.options.joinTokenSecret, this.now());
    return check.ok ? { ok: true, grant: check.grant } : { ok: false, reason: check.reason, status: 401 };
  }

  /**
   * An announce's swarm (`infoHash`, and the `swarm_key` it says it was made from) against the
   * allow-list and the connection's token; undefined = allowed. Leaving (`stopped`) is always
   * allowed: who may leave is the swarm registry's business (the owning socket).
   */
  checkAnnounce(
    grant: JoinGrant | undefined,
    announce: { infoHash: BinaryId; swarmKey: string | undefined; event: string },
  ): "info_hash_not_allowed" | "token_scope" | undefined {
    if (announce.event === "stopped") return undefined;
    if (this.infoHashes !== undefined && !this.infoHashes.has(announce.infoHash))
      return "info_hash_not_allowed";
    if (!grantCovers(grant, announce.infoHash, announce.swarmKey)) return "token_scope";
    return undefined;
  }
}
