/**
 * Peer wire protocol: binary frames over one ordered, reliable RTCDataChannel per swarm, one frame
 * per message. All integers are big-endian. Every frame starts with
 *   byte 0: FRAME_MAGIC | PROTOCOL_VERSION (0xC1)    byte 1: type code (MessageCode)
 * Layouts after those two bytes are documented on each encoder below. Decoding validates every
 * field and throws {@link ProtocolError}; the caller drops the peer that sent the frame.
 */
import { checkUint32, encodeString, FrameReader, FrameWriter } from "./protocol-bytes.js";
import {
  checkEntryCount,
  prepareEntries,
  prepareId,
  readEntries,
  readId,
  writeEntries,
} from "./protocol-availability.js";
import {
  DATA_HEADER_BYTES,
  FRAME_MAGIC,
  FRAME_VERSION_MASK,
  MAX_AVAILABILITY_ENTRIES,
  MAX_CHUNK_BYTES,
  MAX_CLIENT_NAME_BYTES,
  MAX_FRAME_BYTES,
  MAX_SEGMENT_ID_BYTES,
  MessageCode,
  PROTOCOL_VERSION,
} from "./protocol-constants.js";
import { ProtocolError } from "../core/errors.js";
import type { DataMessage, PeerMessage } from "./protocol-types.js";

const HEADER_BYTE = FRAME_MAGIC | PROTOCOL_VERSION;
const FLAG_HAS_RANGE_END = 0x01;

/**
 * Encode one message as one frame. Throws ProtocolError for a message that breaks a bound. The
 * result is backed by a plain ArrayBuffer, as `RTCDataChannel.send` requires.
 */
export function encodeMessage(msg: PeerMessage): Uint8Array<ArrayBuffer> {
  switch (msg.type) {
    case "hello": {
      // protocolVersion u8 (1..255), nameLength u8 (0 = no name), name
      if (!Number.isInteger(msg.protocolVersion) || msg.protocolVersion < 1 || msg.protocolVersion > 0xff) {
        throw new ProtocolError("BAD_FIELD", `protocolVersion ${msg.protocolVersion} is not in 1..255`);
      }
      const name =
        msg.clientName === undefined
          ? new Uint8Array(0)
          : encodeString(msg.clientName, "clientName", MAX_CLIENT_NAME_BYTES);
      const w = frame(MessageCode.hello, 2 + name.byteLength);
      w.u8(msg.protocolVersion);
      w.string(name);
      return w.finish();
    }
    case "availability-full": {
      // count u16, count × entry (see protocol-availability.ts)
      checkListSize(msg.segments.length);
      const { entries, bytes } = prepareEntries(msg.segments, new Set());
      const w = frame(MessageCode.availabilityFull, 2 + bytes);
      w.u16(entries.length);
      writeEntries(w, entries);
      return w.finish();
    }
    case "availability-delta": {
      // addedCount u16, addedCount × entry, removedCount u16, removedCount × (idLength u8, id)
      checkListSize(msg.added.length + msg.removed.length);
      const seen = new Set<string>();
      const { entries, bytes } = prepareEntries(msg.added, seen);
      const removed = msg.removed.map((id) => prepareId(id, seen));
      const removedBytes = removed.reduce((sum, id) => sum + 1 + id.byteLength, 0);
      const w = frame(MessageCode.availabilityDelta, 2 + bytes + 2 + removedBytes);
      w.u16(entries.length);
      writeEntries(w, entries);
      w.u16(removed.length);
      for (const id of removed) w.string(id);
      return w.finish();
    }
    case "fetching":
    case "fetch-cancelled": {
      // idLength u8, id
      const id = encodeString(msg.segmentId, "segmentId", MAX_SEGMENT_ID_BYTES);
      const w = frame(
        msg.type === "fetching" ? MessageCode.fetching : MessageCode.fetchCancelled,
        1 + id.length,
      );
      w.string(id);
      return w.finish();
    }
    case "request": {
      // requestId u32, flags u8 (bit 0 = rangeEnd present), rangeStart u32, [rangeEnd u32], idLength u8, id
      checkUint32(msg.requestId, "requestId");
      checkUint32(msg.rangeStart, "rangeStart");
      const hasEnd = msg.rangeEnd !== undefined;
      if (msg.rangeEnd !== undefined) checkRange(msg.rangeStart, msg.rangeEnd);
      const id = encodeString(msg.segmentId, "segmentId", MAX_SEGMENT_ID_BYTES);
      const w = frame(MessageCode.request, 4 + 1 + 4 + (hasEnd ? 4 : 0) + 1 + id.byteLength);
      w.u32(msg.requestId);
      w.u8(hasEnd ? FLAG_HAS_RANGE_END : 0);
      w.u32(msg.rangeStart);
      if (msg.rangeEnd !== undefined) w.u32(msg.rangeEnd);
      w.string(id);
      return w.finish();
    }
    case "data":
      return encodeDataFrame(msg.requestId, msg.offset, msg.totalLength, msg.payload);
    case "absent":
    case "cancel": {
      // requestId u32
      checkUint32(msg.requestId, "requestId");
      const w = frame(msg.type === "absent" ? MessageCode.absent : MessageCode.cancel, 4);
      w.u32(msg.requestId);
      return w.finish();
    }
    default:
      return unknownType(msg);
  }
}

/**
 * The hot path: a `data` frame in one allocation and one copy of the payload.
 * Layout: requestId u32, offset u32, totalLength u32 (0 = unknown), payload (rest of the frame,
 * 1..MAX_CHUNK_BYTES bytes; its length is the frame's, as the channel preserves message boundaries).
 */
export function encodeDataFrame(
  requestId: number,
  offset: number,
  totalLength: number,
  payload: Uint8Array,
): Uint8Array<ArrayBuffer> {
  checkUint32(requestId, "requestId");
  checkData(offset, totalLength, payload.byteLength);
  const frameBytes = new Uint8Array(DATA_HEADER_BYTES + payload.byteLength);
  const view = new DataView(frameBytes.buffer);
  view.setUint8(0, HEADER_BYTE);
  view.setUint8(1, MessageCode.data);
  view.setUint32(2, requestId);
  view.setUint32(6, offset);
  view.setUint32(10, totalLength);
  frameBytes.set(payload, DATA_HEADER_BYTES);
  return frameBytes;
}

/**
 * Decode one received frame. Throws ProtocolError for anything malformed; never another error.
 * A `data` payload is a view into `bytes`: copy it if `bytes` will be reused.
 */
export function decodeMessage(bytes: Uint8Array): PeerMessage {
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new ProtocolError("TOO_LARGE", `frame of ${bytes.byteLength} bytes, max ${MAX_FRAME_BYTES}`);
  }
  if (bytes.byteLength === 0) throw new ProtocolError("TRUNCATED", "empty frame");
  const first = bytes[0] ?? 0;
  if ((first & ~FRAME_VERSION_MASK) !== FRAME_MAGIC) {
    throw new ProtocolError("BAD_VERSION", `first byte 0x${first.toString(16)} is not a Nearcast frame`);
  }
  if ((first & FRAME_VERSION_MASK) !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      "BAD_VERSION",
      `protocol version ${first & FRAME_VERSION_MASK}, expected ${PROTOCOL_VERSION}`,
    );
  }
  const r = new FrameReader(bytes, 1);
  const code = r.u8("type");
  const msg = decodeBody(code, r);
  r.end();
  return msg;
}

function decodeBody(code: number, r: FrameReader): PeerMessage {
  switch (code) {
    case MessageCode.hello: {
      const protocolVersion = r.u8("protocolVersion");
      if (protocolVersion === 0) throw new ProtocolError("BAD_FIELD", "protocolVersion 0");
      const nameLength = r.u8("clientName length");
      if (nameLength === 0) return { type: "hello", protocolVersion };
      const clientName = r.stringOfLength(nameLength, "clientName", MAX_CLIENT_NAME_BYTES);
      return { type: "hello", protocolVersion, clientName };
    }
    case MessageCode.availabilityFull: {
      const count = r.u16("entry count");
      checkEntryCount(count, r.remaining);
      return { type: "availability-full", segments: readEntries(r, count, new Set()) };
    }
    case MessageCode.availabilityDelta: {
      const seen = new Set<string>();
      const addedCount = r.u16("added count");
      checkEntryCount(addedCount, r.remaining);
      const added = readEntries(r, addedCount, seen);
      const removedCount = r.u16("removed count");
      checkListSize(addedCount + removedCount);
      checkEntryCount(removedCount, r.remaining);
      const removed: string[] = [];
      for (let i = 0; i < removedCount; i++) removed.push(readId(r, seen));
      return { type: "availability-delta", added, removed };
    }
    case MessageCode.fetching:
      return { type: "fetching", segmentId: r.string("segmentId", MAX_SEGMENT_ID_BYTES) };
    case MessageCode.fetchCancelled:
      return { type: "fetch-cancelled", segmentId: r.string("segmentId", MAX_SEGMENT_ID_BYTES) };
    case MessageCode.request: {
      const requestId = r.u32("requestId");
      const flags = r.u8("request flags");
      if ((flags & ~FLAG_HAS_RANGE_END) !== 0) {
        throw new ProtocolError("BAD_FIELD", `reserved request flags 0x${flags.toString(16)}`);
      }
      const rangeStart = r.u32("rangeStart");
      const rangeEnd = flags & FLAG_HAS_RANGE_END ? r.u32("rangeEnd") : undefined;
      if (rangeEnd !== undefined) checkRange(rangeStart, rangeEnd);
      const segmentId = r.string("segmentId", MAX_SEGMENT_ID_BYTES);
      return rangeEnd === undefined
        ? { type: "request", requestId, segmentId, rangeStart }
        : { type: "request", requestId, segmentId, rangeStart, rangeEnd };
    }
    case MessageCode.data: {
      const requestId = r.u32("requestId");
      const offset = r.u32("offset");
      const totalLength = r.u32("totalLength");
      const payload = r.rest();
      checkData(offset, totalLength, payload.byteLength);
      const msg: DataMessage = { type: "data", requestId, offset, totalLength, payload };
      return msg;
    }
    case MessageCode.absent:
      return { type: "absent", requestId: r.u32("requestId") };
    case MessageCode.cancel:
      return { type: "cancel", requestId: r.u32("requestId") };
    default:
      throw new ProtocolError("BAD_TYPE", `unknown frame type 0x${code.toString(16)}`);
  }
}

function frame(code: number, bodyBytes: number): FrameWriter {
  const size = 2 + bodyBytes;
  if (size > MAX_FRAME_BYTES)
    throw new ProtocolError("TOO_LARGE", `frame of ${size} bytes, max ${MAX_FRAME_BYTES}`);
  const w = new FrameWriter(size);
  w.u8(HEADER_BYTE);
  w.u8(code);
  return w;
}

function checkListSize(entries: number): void {
  if (entries > MAX_AVAILABILITY_ENTRIES) {
    throw new ProtocolError("TOO_LARGE", `${entries} availability entries, max ${MAX_AVAILABILITY_ENTRIES}`);
  }
}

function checkRange(rangeStart: number, rangeEnd: number): void {
  checkUint32(rangeEnd, "rangeEnd");
  if (rangeEnd <= rangeStart) {
    throw new ProtocolError("BAD_FIELD", `empty or inverted range [${rangeStart}, ${rangeEnd})`);
  }
}

function checkData(offset: number, totalLength: number, payloadBytes: number): void {
  checkUint32(offset, "offset");
  checkUint32(totalLength, "totalLength");
  if (payloadBytes === 0) throw new ProtocolError("BAD_FIELD", "empty data payload");
  if (payloadBytes > MAX_CHUNK_BYTES) {
    throw new ProtocolError("TOO_LARGE", `data payload of ${payloadBytes} bytes, max ${MAX_CHUNK_BYTES}`);
  }
  const end = offset + payloadBytes;
  // totalLength 0 = unknown; otherwise the chunk must lie inside the segment.
  if (end > (totalLength === 0 ? 0xffff_ffff : totalLength)) {
    throw new ProtocolError("BAD_FIELD", `chunk [${offset}, ${end}) past segment end ${totalLength}`);
  }
}

function unknownType(msg: never): never {
  const type = (msg as { type?: unknown }).type;
  throw new ProtocolError("BAD_TYPE", `cannot encode message type ${String(type)}`);
}
