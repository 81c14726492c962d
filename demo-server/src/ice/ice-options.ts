// The ICE servers the demo server hands to viewers (GET /api/ice). Validated once at start-up so a
// typo fails the server, not every viewer's connection attempts.

/** Public STUN servers offered when the operator names none (the SDK's own default too). */
export const DEFAULT_STUN_URLS: readonly string[] = [
  "stun:stun.l.google.com:19302",
  "stun:stun1.l.google.com:19302",
];

export interface IceOptions {
  /** STUN URLs (`stun:host:port`), no credentials. `[]` = none. @default DEFAULT_STUN_URLS */
  stunUrls: string[];
  /**
   * TURN URLs (`turn:host:3478?transport=udp`, `turns:host:5349?transport=tcp`…). Empty = TURN off
   * (the default): relaying costs the operator bandwidth. @default []
   */
  turnUrls: string[];
  /** coturn's `--static-auth-secret`; required with `turnUrls`. @default undefined */
  turnSecret: string | undefined;
  /** Lifetime of each minted TURN credential, seconds. @default 3600 */
  turnTtlSec: number;
}

export const DEFAULT_ICE_OPTIONS: Readonly<IceOptions> = {
  stunUrls: [...DEFAULT_STUN_URLS],
  turnUrls: [],
  turnSecret: undefined,
  turnTtlSec: 3600,
};

export const TURN_TTL_LIMITS = { min: 60, max: 7 * 86400 } as const;

/**
 * Check ICE options; returns a message naming the first problem, or undefined when they are usable.
 * Pure, shared by the CLI and `startServer`.
 */
export function iceOptionsProblem(options: IceOptions): string | undefined {
  for (const url of options.stunUrls) {
    if (!/^stuns?:[^\s/?#]+$/.test(url))
      return `STUN URL must look like stun:host:port, got ${JSON.stringify(url)}`;
  }
  for (const url of options.turnUrls) {
    if (!/^turns?:[^\s/?#]+(\?transport=(udp|tcp))?$/.test(url)) {
      return `TURN URL must look like turn:host:port[?transport=udp|tcp], got ${JSON.stringify(url)}`;
    }
  }
  if (options.turnUrls.length > 0 && !options.turnSecret) {
    return "TURN URLs need the shared secret (TURN_SECRET, as coturn's --static-auth-secret)";
  }
  if (options.turnUrls.length === 0 && options.turnSecret) {
    return "a TURN secret was given but no TURN URL (--turn-url)";
  }
  const { min, max } = TURN_TTL_LIMITS;
  if (!Number.isInteger(options.turnTtlSec) || options.turnTtlSec < min || options.turnTtlSec > max) {
    return `TURN credential TTL must be an integer ${min}-${max} seconds, got ${String(options.turnTtlSec)}`;
  }
  return undefined;
}
