import {
  BINARY_ID_LENGTH,
  MAX_OFFER_ID_LENGTH,
  MAX_REGION_LENGTH,
  MAX_SDP_LENGTH,
  MAX_SWARM_KEY_LENGTH,
  REGION_PATTERN,
} from "./constants.js";
import type {
  AnnounceEvent,
  AnnounceRequest,
  AnswerRequest,
  Rejection,
  RelayOffer,
  ScrapeRequest,
  SessionDescription,
  TrackerRequest,
} from "./protocol.js";
import type { BinaryId } from "../net/binary-id.js";
import type { TrackerMessageRefusal } from "../net/refusal-reasons.js";

export interface ParseLimits {
  maxOffersPerAnnounce: number;
  maxNumwant: number;
  maxScrapeInfoHashes: number;
}

export type ParseResult = { ok: true; request: TrackerRequest } | { ok: false; rejection: Rejection };

/** Thrown inside the parser, caught at its boundary: never escapes `parseMessage`. */
class InvalidField extends Error {
  override readonly name = "InvalidField";
  constructor(
    readonly reason: TrackerMessageRefusal,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

// A Map, not an object literal: "constructor" or "__proto__" must not look like known events.
const EVENTS: ReadonlyMap<string, AnnounceEvent> = new Map([
  ["started", "started"],
  ["stopped", "stopped"],
  ["completed", "completed"],
  ["update", "update"],
  ["paused", "update"],
  ["empty", "update"],
]);

/**
 * Validates one text frame from a client. Unknown fields are ignored (other clients add their own);
 * every field the tracker reads or relays is checked for type, length and range.
 */
export function parseMessage(text: string, limits: ParseLimits): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail({ reason: "invalid_json", message: "message is not valid JSON" });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return fail({ reason: "not_an_object", message: "message must be a JSON object" });
  }
  const json = data as Json;
  const action = json.action;
  if (action !== "announce" && action !== "scrape") {
    return fail({ reason: "invalid_action", message: "invalid action in WS request" });
  }
  // Echo the info_hash in failures when it is valid, so the client can match the failure.
  const echoHash = isBinaryId(json.info_hash) ? json.info_hash : undefined;
  try {
    const request = action === "scrape" ? parseScrape(json, limits) : parseAnnounceOrAnswer(json, limits);
    return { ok: true, request };
  } catch (err) {
    if (!(err instanceof InvalidField)) throw err;
    return fail({
      reason: err.reason,
      message: err.message,
      action,
      ...(echoHash === undefined || action === "scrape" ? {} : { infoHash: echoHash }),
    });
  }
}

function fail(rejection: Rejection): ParseResult {
  return { ok: false, rejection };
}

/** True for a string of exactly 20 chars, each a byte (code 0–255). */
export function isBinaryId(value: unknown): value is BinaryId {
  return typeof value === "string" && value.length === BINARY_ID_LENGTH && isLatin1(value);
}

function isLatin1(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

/** The `region` hint (announce field or `?region=` URL param); undefined when absent or invalid. */
export function parseRegion(value: unknown): string | undefined {
  return typeof value === "string" && value.length <= MAX_REGION_LENGTH && REGION_PATTERN.test(value)
    ? value
    : undefined;
}

function binaryId(json: Json, field: string, reason: TrackerMessageRefusal): BinaryId {
  const value = json[field];
  if (!isBinaryId(value)) {
    throw new InvalidField(reason, `invalid ${field}: expected ${BINARY_ID_LENGTH} bytes as a binary string`);
  }
  return value;
}

function parseAnnounceOrAnswer(json: Json, limits: ParseLimits): AnnounceRequest | AnswerRequest {
  const infoHash = binaryId(json, "info_hash", "invalid_info_hash");
  const peerId = binaryId(json, "peer_id", "invalid_peer_id");
  if (json.answer !== undefined) {
    if (json.offers !== undefined) {
      throw new InvalidField("invalid_answer", "an answer cannot carry offers");
    }
    return {
      action: "answer",
      infoHash,
      peerId,
      toPeerId: binaryId(json, "to_peer_id", "invalid_to_peer_id"),
      offerId: offerId(json.offer_id),
      answer: sessionDescription(json.answer, "answer", "invalid_answer"),
    };
  }
  // Recoverable problems: the announce still works, the client is told via "warning message".
  const warnings: string[] = [];
  const region = parseRegion(json.region);
  if (json.region !== undefined && region === undefined) {
    warnings.push(`region ignored: expected up to ${MAX_REGION_LENGTH} chars of letters, digits, "._:-"`);
  }
  const numwant = optionalCount(json.numwant, "numwant");
  if (numwant !== undefined && numwant > limits.maxNumwant) {
    warnings.push(`numwant capped at ${limits.maxNumwant}`);
  }
  const swarmKey =
    typeof json.swarm_key === "string" &&
    json.swarm_key.length > 0 &&
    json.swarm_key.length <= MAX_SWARM_KEY_LENGTH
      ? json.swarm_key
      : undefined;
  if (json.swarm_key !== undefined && swarmKey === undefined) {
    warnings.push(`swarm_key ignored: expected a string of 1-${MAX_SWARM_KEY_LENGTH} characters`);
  }
  // Informational byte counters: unused, but still type-checked.
  optionalCount(json.uploaded, "uploaded");
  optionalCount(json.downloaded, "downloaded");
  return {
    action: "announce",
    infoHash,
    peerId,
    event: announceEvent(json.event),
    numwant: numwant === undefined ? undefined : Math.min(numwant, limits.maxNumwant),
    left: optionalCount(json.left, "left"),
    offers: offers(json.offers, limits.maxOffersPerAnnounce),
    region,
    swarmKey,
    warnings,
  };
}

function announceEvent(value: unknown): AnnounceEvent {
  if (value === undefined || value === null) return "update";
  const event = typeof value === "string" ? EVENTS.get(value) : undefined;
  if (event === undefined) {
    throw new InvalidField("invalid_event", "invalid event: expected started, stopped, completed or update");
  }
  return event;
}

/** Non-negative integer count; null (JSON of NaN/Infinity) means "not given". */
function optionalCount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidField("invalid_number", `invalid ${field}: expected a non-negative number`);
  }
  return Math.floor(value);
}

function offerId(value: unknown): string {
  if (
    typeof value !== "string" ||
    value.length === 0 ||
    value.length > MAX_OFFER_ID_LENGTH ||
    !isLatin1(value)
  ) {
    throw new InvalidField(
      "invalid_offer_id",
      `invalid offer_id: expected 1-${MAX_OFFER_ID_LENGTH} bytes as a binary string`,
    );
  }
  return value;
}

function sessionDescription<T extends "offer" | "answer">(
  value: unknown,
  type: T,
  reason: TrackerMessageRefusal,
): SessionDescription<T> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidField(reason, `invalid ${type}: expected {type, sdp}`);
  }
  const { type: actualType, sdp } = value as Json;
  if (actualType !== type) {
    throw new InvalidField(reason, `invalid ${type}: type must be "${type}"`);
  }
  if (typeof sdp !== "string" || sdp.length === 0 || sdp.length > MAX_SDP_LENGTH) {
    throw new InvalidField(reason, `invalid ${type}: sdp must be a string of 1-${MAX_SDP_LENGTH} chars`);
  }
  // Only {type, sdp} is relayed: other keys (e.g. `candidate`, `renegotiate`) would be interpreted
  // by simple-peer on the receiving side and are not part of tracker signalling.
  return { type, sdp };
}

function offers(value: unknown, max: number): RelayOffer[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new InvalidField("invalid_offers", "invalid offers: expected an array");
  }
  if (value.length > max) {
    throw new InvalidField("too_many_offers", `too many offers: at most ${max} per announce`);
  }
  return value.map((item: unknown) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new InvalidField("invalid_offers", "invalid offers: each must be {offer_id, offer}");
    }
    const entry = item as Json;
    return {
      offerId: offerId(entry.offer_id),
      offer: sessionDescription(entry.offer, "offer", "invalid_offers"),
    };
  });
}

function parseScrape(json: Json, limits: ParseLimits): ScrapeRequest {
  const value = json.info_hash;
  if (value === undefined || value === null) return { action: "scrape", infoHashes: undefined };
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length > limits.maxScrapeInfoHashes) {
    throw new InvalidField(
      "too_many_info_hashes",
      `too many info_hash values: at most ${limits.maxScrapeInfoHashes} per scrape`,
    );
  }
  if (!list.every(isBinaryId)) {
    throw new InvalidField(
      "invalid_info_hash",
      `invalid info_hash: expected ${BINARY_ID_LENGTH} bytes as a binary string`,
    );
  }
  return { action: "scrape", infoHashes: [...new Set(list as BinaryId[])] };
}
