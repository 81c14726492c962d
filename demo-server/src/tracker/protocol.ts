/**
 * The WebTorrent WebSocket tracker protocol as the tracker sees it: validated inbound requests and
 * the outbound frames it sends. Ids (`info_hash`, `peer_id`, `offer_id`) stay in their wire form, a
 * latin1 "binary" string (one char per byte), so they are relayed byte-for-byte.
 */
import type { BinaryId } from "../net/binary-id.js";
import type { TrackerMessageRefusal } from "../net/refusal-reasons.js";

/** `paused` and `empty` (accepted by bittorrent-tracker's server) are normalised to `update`. */
export type AnnounceEvent = "started" | "stopped" | "completed" | "update";

export interface SessionDescription<T extends "offer" | "answer"> {
  type: T;
  sdp: string;
}

export interface RelayOffer {
  offerId: string;
  offer: SessionDescription<"offer">;
}

export interface AnnounceRequest {
  action: "announce";
  infoHash: BinaryId;
  peerId: BinaryId;
  event: AnnounceEvent;
  /** Already clamped to `maxNumwant`; undefined when the client sent none. */
  numwant: number | undefined;
  /** Bytes left to download; undefined when unknown. 0 marks a seeder ("complete"). */
  left: number | undefined;
  offers: RelayOffer[];
  /** Nearcast extension: proximity hint that overrides the socket's `?region=`. */
  region: string | undefined;
  /**
   * Nearcast extension: the swarm key the info-hash was made from (`<stream>|<rendition>`), sent
   * by the SDK to trackers that require a join token, so a stream-scoped token can be checked.
   */
  swarmKey: string | undefined;
  /** Recoverable problems (ignored hint, capped numwant), sent back as `warning message`. */
  warnings: string[];
}

export interface AnswerRequest {
  action: "answer";
  infoHash: BinaryId;
  peerId: BinaryId;
  toPeerId: BinaryId;
  offerId: string;
  answer: SessionDescription<"answer">;
}

export interface ScrapeRequest {
  action: "scrape";
  /** undefined: every swarm (up to the scrape cap). */
  infoHashes: BinaryId[] | undefined;
}

export type TrackerRequest = AnnounceRequest | AnswerRequest | ScrapeRequest;

export interface Rejection {
  reason: TrackerMessageRefusal;
  message: string;
  /** Echoed so a client can match the failure to its request (bittorrent-tracker needs both). */
  action?: "announce" | "scrape";
  infoHash?: BinaryId;
}

export interface ScrapeFile {
  complete: number;
  incomplete: number;
  downloaded: number;
}

/**
 * Nearcast's extra field of an announce reply (`"nearcast": {...}`): the viewer's session, which its
 * stats reports and digest requests carry (see net/session-token.ts). Other clients ignore it
 * (bittorrent-tracker's client reads only the fields it knows).
 */
export interface NearcastReplyField {
  /** Opaque signed session token. */
  session: string;
  /** Seconds the session stays valid; every announce reply carries a fresh one. */
  expires_in: number;
}

// Outbound frames. Field names are the wire names; keep them byte-compatible with bittorrent-tracker.
// `nearcast` and `nearcast_from` are Nearcast's additions, ignored by other WebTorrent clients.

export function encodeAnnounceResponse(r: {
  infoHash: BinaryId;
  intervalSec: number;
  complete: number;
  incomplete: number;
  warning?: string;
  nearcast?: NearcastReplyField;
}): string {
  return JSON.stringify({
    action: "announce",
    interval: r.intervalSec,
    info_hash: r.infoHash,
    complete: r.complete,
    incomplete: r.incomplete,
    ...(r.warning === undefined ? {} : { "warning message": r.warning }),
    ...(r.nearcast === undefined ? {} : { nearcast: r.nearcast }),
  });
}

/**
 * An offer relayed to its target. `from` (wire name `nearcast_from`) is the sender's address
 * fingerprint, so a viewer that bans a lying peer can refuse every peer_id of that address.
 */
export function encodeOfferRelay(
  infoHash: BinaryId,
  fromPeerId: BinaryId,
  offer: RelayOffer,
  from: string | undefined,
): string {
  return JSON.stringify({
    action: "announce",
    offer: offer.offer,
    offer_id: offer.offerId,
    peer_id: fromPeerId,
    info_hash: infoHash,
    ...(from === undefined ? {} : { nearcast_from: from }),
  });
}

/** An answer relayed to the offer's sender, with the answerer's `nearcast_from` as for offers. */
export function encodeAnswerRelay(answer: AnswerRequest, from: string | undefined): string {
  return JSON.stringify({
    action: "announce",
    answer: answer.answer,
    offer_id: answer.offerId,
    peer_id: answer.peerId,
    info_hash: answer.infoHash,
    ...(from === undefined ? {} : { nearcast_from: from }),
  });
}

export function encodeScrapeResponse(files: Map<BinaryId, ScrapeFile>, intervalSec: number): string {
  return JSON.stringify({
    action: "scrape",
    files: Object.fromEntries(files),
    flags: { min_request_interval: intervalSec },
  });
}

/**
 * A refusal: WebTorrent's `failure reason` (words), plus Nearcast's `nearcast_reason` (the reason's
 * key from refusal-reasons.ts), so a client can tell a refusal of a swarm (`token_scope`,
 * `swarm_full`, …) from one of a single message (`unknown_peer`, …) without parsing words.
 */
export function encodeFailure(rejection: Rejection): string {
  return JSON.stringify({
    "failure reason": rejection.message,
    nearcast_reason: rejection.reason,
    ...(rejection.action === undefined ? {} : { action: rejection.action }),
    ...(rejection.infoHash === undefined ? {} : { info_hash: rejection.infoHash }),
  });
}
