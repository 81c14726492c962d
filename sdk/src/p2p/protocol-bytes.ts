import { isUint32 } from "../core/availability.js";
import { ProtocolError } from "../core/errors.js";

// fatal: invalid UTF-8 is a malformed frame, not text to repair. ignoreBOM: a leading U+FEFF is
// part of the id; stripping it would make two different ids decode equal.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

// TextEncoder silently turns a lone surrogate into U+FFFD, so such an id would not survive the trip.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 bytes of a non-empty string of at most `maxBytes`, or a ProtocolError naming `field`. */
export function encodeString(value: string, field: string, maxBytes: number): Uint8Array {
  if (typeof value !== "string" || value.length === 0) {
    throw new ProtocolError("BAD_STRING", `${field} must be a non-empty string`);
  }
  if (LONE_SURROGATE.test(value)) throw new ProtocolError("BAD_STRING", `${field} has a lone surrogate`);
  const bytes = utf8Encoder.encode(value);
  if (bytes.byteLength > maxBytes) {
    throw new ProtocolError("TOO_LARGE", `${field} is ${bytes.byteLength} bytes, max ${maxBytes}`);
  }
  return bytes;
}

export function checkUint32(value: number, field: string): void {
  if (!isUint32(value)) throw new ProtocolError("BAD_FIELD", `${field} ${value} is not a u32`);
}

/** Sequential big-endian reader over one frame; every read is bounds-checked. */
export class FrameReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.pos++);
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.pos);
    this.pos += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.pos);
    this.pos += 4;
    return value;
  }

  /** A u8-length-prefixed UTF-8 string that must be non-empty and at most `maxBytes`. */
  string(field: string, maxBytes: number): string {
    const length = this.u8(`${field} length`);
    if (length === 0) throw new ProtocolError("BAD_STRING", `${field} is empty`);
    return this.stringOfLength(length, field, maxBytes);
  }

  stringOfLength(length: number, field: string, maxBytes: number): string {
    if (length > maxBytes)
      throw new ProtocolError("TOO_LARGE", `${field} is ${length} bytes, max ${maxBytes}`);
    this.need(length, field);
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    try {
      return utf8Decoder.decode(slice);
    } catch {
      throw new ProtocolError("BAD_STRING", `${field} is not valid UTF-8`);
    }
  }

  /** Everything after the current position, as a view (no copy). */
  rest(): Uint8Array {
    const view = this.bytes.subarray(this.pos);
    this.pos = this.bytes.byteLength;
    return view;
  }

  end(): void {
    if (this.remaining !== 0) {
      throw new ProtocolError("TRAILING_BYTES", `${this.remaining} bytes after the last field`);
    }
  }

  private need(n: number, field: string): void {
    if (this.pos + n > this.bytes.byteLength) {
      throw new ProtocolError("TRUNCATED", `frame ends inside ${field}`);
    }
  }
}

/** Sequential big-endian writer into a buffer sized up front, so a frame is one allocation. */
export class FrameWriter {
  readonly bytes: Uint8Array<ArrayBuffer>;
  private readonly view: DataView;
  private pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(value: number): void {
    this.view.setUint8(this.pos++, value);
  }

  u16(value: number): void {
    this.view.setUint16(this.pos, value);
    this.pos += 2;
  }

  u32(value: number): void {
    this.view.setUint32(this.pos, value);
    this.pos += 4;
  }

  raw(value: Uint8Array): void {
    this.bytes.set(value, this.pos);
    this.pos += value.byteLength;
  }

  /** A string already encoded by {@link encodeString}, with its u8 length prefix. */
  string(value: Uint8Array): void {
    this.u8(value.byteLength);
    this.raw(value);
  }

  finish(): Uint8Array<ArrayBuffer> {
    // A size mismatch is a bug in this codec, not bad input: fail loudly rather than send garbage.
    if (this.pos !== this.bytes.byteLength) {
      throw new Error(`frame writer wrote ${this.pos} of ${this.bytes.byteLength} bytes`);
    }
    return this.bytes;
  }
}
