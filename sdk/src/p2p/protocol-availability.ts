import { availabilityProblem, type SegmentAvailability } from "../core/availability.js";
import { encodeString, type FrameReader, type FrameWriter } from "./protocol-bytes.js";
import { MAX_AVAILABILITY_ENTRIES, MAX_FRAME_BYTES, MAX_SEGMENT_ID_BYTES } from "./protocol-constants.js";
import { ProtocolError } from "../core/errors.js";
import type { PeerMessage } from "./protocol-types.js";

/*
 * One availability entry:
 *   flags u8 (bit 0 = complete; other bits reserved, must be 0)
 *   idLength u8, id (UTF-8, 1..128 bytes)
 *   totalLength u32 (0 = unknown, only while partial)
 *   bytesAvailable u32 (only when partial: a complete entry has all totalLength bytes)
 */
const FLAG_COMPLETE = 0x01;
const ENTRY_FIXED_BYTES = 1 + 1 + 4;
const PARTIAL_EXTRA_BYTES = 4;
/** Frame type/version, two u16 counts (delta): the most any availability frame spends outside entries. */
const LIST_FRAME_OVERHEAD_BYTES = 2 + 2 + 2;

export interface PreparedEntry {
  readonly availability: SegmentAvailability;
  readonly id: Uint8Array;
}

/** Validate entries and encode their ids once; `seen` catches ids repeated within one frame. */
export function prepareEntries(
  list: readonly SegmentAvailability[],
  seen: Set<string>,
): { entries: PreparedEntry[]; bytes: number } {
  const entries: PreparedEntry[] = [];
  let bytes = 0;
  for (const availability of list) {
    const id = prepareId(availability.segmentId, seen);
    const problem = availabilityProblem(availability);
    if (problem) throw new ProtocolError("BAD_FIELD", `segment ${availability.segmentId}: ${problem}`);
    entries.push({ availability, id });
    bytes += entryBytes(availability.complete, id.byteLength);
  }
  return { entries, bytes };
}

export function prepareId(segmentId: string, seen: Set<string>): Uint8Array {
  const id = encodeString(segmentId, "segmentId", MAX_SEGMENT_ID_BYTES);
  if (seen.has(segmentId)) throw new ProtocolError("BAD_FIELD", `segment ${segmentId} listed twice`);
  seen.add(segmentId);
  return id;
}

export function writeEntries(writer: FrameWriter, entries: readonly PreparedEntry[]): void {
  for (const { availability, id } of entries) {
    writer.u8(availability.complete ? FLAG_COMPLETE : 0);
    writer.string(id);
    writer.u32(availability.totalLength);
    if (!availability.complete) writer.u32(availability.bytesAvailable);
  }
}

export function readEntries(reader: FrameReader, count: number, seen: Set<string>): SegmentAvailability[] {
  const entries: SegmentAvailability[] = [];
  for (let i = 0; i < count; i++) {
    const flags = reader.u8("availability flags");
    if ((flags & ~FLAG_COMPLETE) !== 0) {
      throw new ProtocolError("BAD_FIELD", `reserved availability flags 0x${flags.toString(16)}`);
    }
    const segmentId = readId(reader, seen);
    const complete = (flags & FLAG_COMPLETE) !== 0;
    const totalLength = reader.u32("totalLength");
    const bytesAvailable = complete ? totalLength : reader.u32("bytesAvailable");
    const availability: SegmentAvailability = { segmentId, totalLength, bytesAvailable, complete };
    const problem = availabilityProblem(availability);
    if (problem) throw new ProtocolError("BAD_FIELD", `segment ${segmentId}: ${problem}`);
    entries.push(availability);
  }
  return entries;
}

export function readId(reader: FrameReader, seen: Set<string>): string {
  const segmentId = reader.string("segmentId", MAX_SEGMENT_ID_BYTES);
  if (seen.has(segmentId)) throw new ProtocolError("BAD_FIELD", `segment ${segmentId} listed twice`);
  seen.add(segmentId);
  return segmentId;
}

/** Reject a declared entry count before reading: over the bound, or more than the frame could hold. */
export function checkEntryCount(count: number, remainingBytes: number): void {
  if (count > MAX_AVAILABILITY_ENTRIES) {
    throw new ProtocolError("TOO_LARGE", `${count} availability entries, max ${MAX_AVAILABILITY_ENTRIES}`);
  }
  if (count * 2 > remainingBytes) {
    // Every entry or removed id takes at least 2 bytes (a flag or length byte plus one id byte).
    throw new ProtocolError("TRUNCATED", `${count} entries cannot fit in ${remainingBytes} bytes`);
  }
}

function entryBytes(complete: boolean, idBytes: number): number {
  return ENTRY_FIXED_BYTES + idBytes + (complete ? 0 : PARTIAL_EXTRA_BYTES);
}

/**
 * The messages that announce a whole availability map: one `availability-full`, then as many
 * `availability-delta`s (additions only) as needed so that no frame exceeds
 * {@link MAX_AVAILABILITY_ENTRIES} or {@link MAX_FRAME_BYTES}. Throws ProtocolError like
 * `encodeMessage` would for an entry that cannot be sent.
 */
export function availabilityMessages(segments: readonly SegmentAvailability[]): PeerMessage[] {
  const { entries } = prepareEntries(segments, new Set());
  let group: SegmentAvailability[] = [];
  const groups = [group];
  let frameBytes = LIST_FRAME_OVERHEAD_BYTES;
  for (const { availability, id } of entries) {
    const bytes = entryBytes(availability.complete, id.byteLength);
    if (group.length === MAX_AVAILABILITY_ENTRIES || frameBytes + bytes > MAX_FRAME_BYTES) {
      group = [];
      groups.push(group);
      frameBytes = LIST_FRAME_OVERHEAD_BYTES;
    }
    group.push(availability);
    frameBytes += bytes;
  }
  return groups.map((group, i) =>
    i === 0
      ? { type: "availability-full", segments: group }
      : { type: "availability-delta", added: group, removed: [] },
  );
}
