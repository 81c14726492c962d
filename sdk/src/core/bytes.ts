/**
 * Joins byte chunks into one buffer of `totalBytes` (the sum of their lengths). A single chunk is
 * returned as it is, not copied.
 */
export function concat(chunks: Uint8Array[], totalBytes: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
