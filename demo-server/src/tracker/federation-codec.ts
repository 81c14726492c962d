// Wire forms of the Redis federation: keys, membership entries and relay messages. Pure, so the
// formats are unit-tested without a Redis. Ids travel as hex (binary latin1 strings are not safe
// as Redis hash fields for every client library and are unreadable in redis-cli).
import { BINARY_ID_LENGTH } from "./constants.js";
import type { RemotePeer } from "./federation.js";
import type { BinaryId } from "../net/binary-id.js";

const HEX_ID_LENGTH = BINARY_ID_LENGTH * 2;
const HEX_ID = /^[0-9a-f]{40}$/;
/** Instance ids are ours (random hex); anything else in the store is foreign and skipped. */
const INSTANCE_ID = /^[0-9a-f]{8,32}$/;

export function idToHex(id: BinaryId): string {
  return Buffer.from(id, "latin1").toString("hex");
}

export function hexToId(hex: string): BinaryId {
  return Buffer.from(hex, "hex").toString("latin1");
}

/** Hash of one swarm's members: field = peer_id (hex), value = {@link encodeEntry}. */
export function swarmKey(prefix: string, infoHash: BinaryId): string {
  return `${prefix}swarm:${idToHex(infoHash)}`;
}

/** Pub/sub channel on which an instance receives relays for its peers. */
export function relayChannel(prefix: string, instanceId: string): string {
  return `${prefix}relay:${instanceId}`;
}

export interface StoredEntry {
  instanceId: string;
  complete: boolean;
  /** Epoch ms after which the entry is stale (its instance stopped refreshing it). */
  expiresAtMs: number;
  ipPrefix: string | undefined;
  region: string | undefined;
}

/** Tab-separated; region and prefix never contain tabs (validated / produced by the tracker). */
export function encodeEntry(entry: StoredEntry): string {
  return [
    entry.instanceId,
    entry.complete ? "1" : "0",
    String(Math.round(entry.expiresAtMs)),
    entry.ipPrefix ?? "",
    entry.region ?? "",
  ].join("\t");
}

/** Undefined for anything malformed (a foreign writer, a format from another version). */
export function decodeEntry(value: string): StoredEntry | undefined {
  const parts = value.split("\t");
  if (parts.length !== 5) return undefined;
  const [instanceId, complete, expires, ipPrefix, region] = parts as [string, string, string, string, string];
  const expiresAtMs = Number(expires);
  if (!INSTANCE_ID.test(instanceId) || (complete !== "0" && complete !== "1")) return undefined;
  if (!Number.isSafeInteger(expiresAtMs)) return undefined;
  return {
    instanceId,
    complete: complete === "1",
    expiresAtMs,
    ipPrefix: ipPrefix === "" ? undefined : ipPrefix,
    region: region === "" ? undefined : region,
  };
}

/**
 * The live remote members of a swarm hash (`HGETALL`): entries of other instances that have not
 * expired. `stale` lists the fields to delete (expired or malformed).
 */
export function decodeSwarm(
  hash: Record<string, string>,
  selfId: string,
  nowMs: number,
): { peers: RemotePeer[]; stale: string[] } {
  const peers: RemotePeer[] = [];
  const stale: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
    const entry = decodeEntry(value);
    if (!HEX_ID.test(field) || entry === undefined || entry.expiresAtMs < nowMs) {
      stale.push(field);
      continue;
    }
    if (entry.instanceId === selfId) continue;
    peers.push({
      peerId: hexToId(field),
      instanceId: entry.instanceId,
      complete: entry.complete,
      ipPrefix: entry.ipPrefix,
      region: entry.region,
    });
  }
  return { peers, stale };
}

/** A relay message: info_hash and to_peer_id in hex (fixed length), then the frame to send as is. */
export function encodeRelay(infoHash: BinaryId, toPeerId: BinaryId, frame: string): string {
  return idToHex(infoHash) + idToHex(toPeerId) + frame;
}

export function decodeRelay(
  message: string,
): { infoHash: BinaryId; toPeerId: BinaryId; frame: string } | undefined {
  const head = message.slice(0, 2 * HEX_ID_LENGTH);
  const infoHex = head.slice(0, HEX_ID_LENGTH);
  const peerHex = head.slice(HEX_ID_LENGTH);
  if (!HEX_ID.test(infoHex) || !HEX_ID.test(peerHex) || message.length === head.length) return undefined;
  return { infoHash: hexToId(infoHex), toPeerId: hexToId(peerHex), frame: message.slice(head.length) };
}
