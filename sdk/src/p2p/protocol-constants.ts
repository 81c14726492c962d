/**
 * Version of the frame layout. A frame's first byte is `FRAME_MAGIC | PROTOCOL_VERSION`; any change
 * to a layout below bumps it, and a peer speaking another version is disconnected on its first frame.
 */
export const PROTOCOL_VERSION = 1;

/**
 * High bits of every frame's first byte. 0xC0 and 0xC1 never occur in UTF-8, so a text message or
 * a frame of another protocol that lands on the channel is rejected at byte 0, not misparsed.
 */
export const FRAME_MAGIC = 0xc0;

/** Mask selecting the version from a frame's first byte (versions 0-63). */
export const FRAME_VERSION_MASK = 0x3f;

/**
 * Largest chunk payload in one `data` frame. Small enough that a request for a near-playhead
 * chunk never waits behind megabytes on the ordered channel, and that senders can pace by
 * `bufferedAmountLowThreshold`; large enough that the 14-byte header costs under 0.03%.
 */
export const MAX_CHUNK_BYTES = 65_536;

/**
 * Largest frame sent or accepted. Chrome advertises `max-message-size:262144` in SDP and
 * `RTCDataChannel.send` throws above the remote's limit, so nothing larger could be delivered;
 * a decoder refuses it before reading anything.
 */
export const MAX_FRAME_BYTES = 262_144;

/**
 * Longest segment id, UTF-8 bytes. Ids are short ("1234", "12@0-5000"); the bound keeps one
 * availability entry under 140 bytes and lets the length fit in one byte.
 */
export const MAX_SEGMENT_ID_BYTES = 128;

/** Longest client name in `hello`, UTF-8 bytes: a label for debugging, not an identity. */
export const MAX_CLIENT_NAME_BYTES = 64;

/**
 * Most entries (added + removed) in one availability frame. A live window or a bounded store
 * holds far fewer; larger maps go out as one `availability-full` plus `availability-delta`s
 * (see `availabilityMessages`). Bounds the work one frame can cost a receiver.
 */
export const MAX_AVAILABILITY_ENTRIES = 2_000;

/** Bytes before the payload of a `data` frame: magic/version, type, requestId, offset, totalLength. */
export const DATA_HEADER_BYTES = 14;

/** Frame type codes (byte 1). Control messages below 0x10, transfer messages from 0x10. */
export const MessageCode = {
  hello: 0x01,
  availabilityFull: 0x02,
  availabilityDelta: 0x03,
  fetching: 0x04,
  fetchCancelled: 0x05,
  request: 0x10,
  data: 0x11,
  absent: 0x12,
  cancel: 0x13,
} as const;
