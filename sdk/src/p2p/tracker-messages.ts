/** Inbound WebTorrent tracker messages, validated at the boundary. */

export interface SessionDescription {
  type: "offer" | "answer";
  sdp: string;
}

/**
 * A Nearcast tracker's session for this viewer (the `nearcast` field of its announce replies): shown
 * with stats reports so the server counts them. Other trackers send none.
 */
export interface TrackerSession {
  /** Opaque signed token. */
  token: string;
  /** Seconds it stays valid from receipt. */
  expiresInSec: number;
}

export type TrackerMessage =
  | {
      kind: "announce-response";
      infoHash: string;
      intervalSec: number | undefined;
      complete?: number;
      incomplete?: number;
      session?: TrackerSession;
    }
  | {
      kind: "offer";
      infoHash: string;
      peerId: string;
      offerId: string;
      offer: SessionDescription;
      /** See {@link senderFingerprint}. */
      from?: string;
    }
  | {
      kind: "answer";
      infoHash: string;
      peerId: string;
      offerId: string;
      answer: SessionDescription;
      from?: string;
    }
  | {
      kind: "failure";
      infoHash: string | undefined;
      /** The tracker's words (`failure reason`). */
      reason: string;
      /** A Nearcast tracker's key for the reason (`nearcast_reason`, e.g. `token_scope`), when sent. */
      reasonKey?: string;
    }
  | { kind: "warning"; infoHash: string | undefined; message: string }
  | { kind: "ignored" };

const MAX_SDP_CHARS = 32 * 1024;
const MAX_SESSION_CHARS = 2048;
const SESSION_TOKEN = /^[A-Za-z0-9._-]+$/;
/** A refusal reason's key (demo-server/src/net/refusal-reasons.ts): short snake_case. */
const REASON_KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** The `nearcast.session` of an announce reply, or undefined when absent or malformed. */
function session(v: unknown): TrackerSession | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const { session: token, expires_in: expiresIn } = v as { session?: unknown; expires_in?: unknown };
  if (typeof token !== "string" || token.length > MAX_SESSION_CHARS || !SESSION_TOKEN.test(token))
    return undefined;
  if (typeof expiresIn !== "number" || !(expiresIn > 0) || expiresIn > 86_400) return undefined;
  return { token, expiresInSec: expiresIn };
}

/** Longest `nearcast_from` kept; a fingerprint is a short hash, anything longer is not one. */
const MAX_FINGERPRINT_CHARS = 128;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

const isBinaryId = (v: unknown): v is string => typeof v === "string" && v.length === 20;

function description(v: unknown, type: "offer" | "answer"): SessionDescription | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const d = v as { type?: unknown; sdp?: unknown };
  if (d.type !== type || typeof d.sdp !== "string" || d.sdp.length === 0 || d.sdp.length > MAX_SDP_CHARS)
    return undefined;
  return { type, sdp: d.sdp };
}

/** Parse one text frame from a tracker. Throws a TypeError naming what is wrong. */
export function parseTrackerMessage(text: string): TrackerMessage {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TypeError("tracker sent invalid JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new TypeError("tracker message is not an object");
  const m = data as Record<string, unknown>;
  const infoHash = isBinaryId(m.info_hash) ? m.info_hash : undefined;
  if (typeof m["failure reason"] === "string") {
    const key = typeof m.nearcast_reason === "string" && REASON_KEY.test(m.nearcast_reason);
    return {
      kind: "failure",
      infoHash,
      reason: m["failure reason"].slice(0, 200),
      ...(key ? { reasonKey: m.nearcast_reason as string } : {}),
    };
  }
  if (typeof m["warning message"] === "string")
    return { kind: "warning", infoHash, message: m["warning message"].slice(0, 200) };
  if (m.action === "scrape") return { kind: "ignored" };
  if (m.action !== "announce")
    throw new TypeError(`unknown tracker action ${JSON.stringify(m.action)?.slice(0, 40)}`);
  if (!infoHash) throw new TypeError("tracker message without a valid info_hash");
  if (m.offer !== undefined || m.answer !== undefined) {
    if (!isBinaryId(m.peer_id)) throw new TypeError("signal without a valid peer_id");
    if (typeof m.offer_id !== "string" || m.offer_id.length === 0 || m.offer_id.length > 40)
      throw new TypeError("signal without a valid offer_id");
    const from = senderFingerprint(m.nearcast_from);
    const signal = { infoHash, peerId: m.peer_id, offerId: m.offer_id, ...(from ? { from } : {}) };
    if (m.offer !== undefined) {
      const offer = description(m.offer, "offer");
      if (!offer) throw new TypeError("malformed offer");
      return { kind: "offer", ...signal, offer };
    }
    const answer = description(m.answer, "answer");
    if (!answer) throw new TypeError("malformed answer");
    return { kind: "answer", ...signal, answer };
  }
  const interval =
    typeof m.interval === "number" && m.interval > 0 && m.interval < 86_400 ? m.interval : undefined;
  const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);
  const nearcast = session(m.nearcast);
  return {
    kind: "announce-response",
    infoHash,
    intervalSec: interval,
    complete: count(m.complete),
    incomplete: count(m.incomplete),
    ...(nearcast ? { session: nearcast } : {}),
  };
}

/**
 * `nearcast_from` of a relayed offer or answer: the Nearcast tracker's opaque fingerprint of the
 * sender's address, which the sender cannot choose (other trackers send none). Up to 128 printable
 * ASCII characters; anything else is ignored, not fatal: signaling works without it.
 */
export function senderFingerprint(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > MAX_FINGERPRINT_CHARS || !PRINTABLE_ASCII.test(value))
    return undefined;
  return value;
}
