import { describe, expect, it } from "vitest";
import { decodeMessage, encodeMessage } from "../../../sdk/src/p2p/protocol.js";
import { MessageCode } from "../../../sdk/src/p2p/protocol-constants.js";
import { ProtocolError } from "../../../sdk/src/core/errors.js";
import { SAMPLE_MESSAGES, seededRandom } from "./protocol-fixtures.js";

const SEED = 0x5eed_cafe;
const INPUTS = 20_000;
const CODES = Object.values(MessageCode);
const SEEDS = SAMPLE_MESSAGES.map(encodeMessage).filter((f) => f.byteLength <= 2_000);

describe("peer protocol: fuzz", () => {
  it(`decodes ${INPUTS} seeded random inputs to a canonical message or a ProtocolError`, () => {
    const random = seededRandom(SEED);
    const int = (n: number): number => Math.floor(random() * n);
    const randomBytes = (n: number): number[] => Array.from({ length: n }, () => int(256));

    const accepted = new Map<string, number>();
    const rejected = new Map<string, number>();
    const failures: string[] = [];

    for (let i = 0; i < INPUTS; i++) {
      const kind = random();
      let input: Uint8Array;
      if (kind < 0.15) {
        input = new Uint8Array(randomBytes(int(48)));
      } else if (kind < 0.5) {
        // A valid header and type, so the body parsers see the noise.
        input = new Uint8Array([0xc1, CODES[int(CODES.length)] ?? 0, ...randomBytes(int(40))]);
      } else {
        input = mutate(SEEDS[int(SEEDS.length)] ?? new Uint8Array(0), int, randomBytes);
      }
      try {
        const msg = decodeMessage(input);
        accepted.set(msg.type, (accepted.get(msg.type) ?? 0) + 1);
        // The encoding is canonical: whatever decodes re-encodes to the very same bytes.
        const again = encodeMessage(msg);
        if (!sameBytes(again, input)) failures.push(`#${i} not canonical: ${hex(input)} -> ${hex(again)}`);
      } catch (err) {
        if (!(err instanceof ProtocolError)) failures.push(`#${i} ${String(err)} on ${hex(input)}`);
        else rejected.set(err.code, (rejected.get(err.code) ?? 0) + 1);
      }
    }

    expect(failures.slice(0, 5)).toEqual([]);
    // The generator must reach deep enough to produce both outcomes, for most codes and types.
    expect([...accepted.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(1_000);
    expect(accepted.size).toBe(9);
    expect([...rejected.keys()].sort()).toEqual(
      [
        "BAD_FIELD",
        "BAD_STRING",
        "BAD_TYPE",
        "BAD_VERSION",
        "TOO_LARGE",
        "TRAILING_BYTES",
        "TRUNCATED",
      ].sort(),
    );
  });
});

function mutate(
  frame: Uint8Array,
  int: (n: number) => number,
  randomBytes: (n: number) => number[],
): Uint8Array {
  const out = [...frame];
  const edits = 1 + int(3);
  for (let e = 0; e < edits; e++) {
    const at = int(out.length + 1);
    switch (int(5)) {
      case 0: // flip a bit, sparing the header byte half of the time so bodies get exercised
        if (out.length > 1) {
          const pos = int(2) === 0 ? 1 + int(out.length - 1) : int(out.length);
          out[pos] = (out[pos] ?? 0) ^ (1 << int(8));
        }
        break;
      case 1:
        out.splice(at, 0, ...randomBytes(1 + int(4)));
        break;
      case 2:
        out.splice(at, 1 + int(4));
        break;
      case 3:
        out.length = Math.min(out.length, at);
        break;
      default:
        if (at < out.length) out[at] = int(256);
    }
  }
  return new Uint8Array(out);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 64)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
