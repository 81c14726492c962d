// The requester's side of a transfer, without sockets: every data frame is held to the size asked
// for, and a peer that breaks a rule is refused at its first offending frame.
import { describe, expect, it } from "vitest";
import type { SegmentAvailability } from "../../../sdk/src/core/availability.js";
import {
  LATE_DATA_ALLOWANCE_BYTES,
  MAX_CONSECUTIVE_PEER_STALLS,
  MAX_PEER_SEGMENT_BYTES,
  STALL_JUDGE_AFTER_MS,
} from "../../../sdk/src/p2p/constants.js";
import { PeerByteBudget } from "../../../sdk/src/p2p/peer-byte-budget.js";
import { PeerDownloads } from "../../../sdk/src/p2p/peer-downloads.js";
import type { PeerError } from "../../../sdk/src/p2p/peer-error.js";
import type { PeerMessage, RequestMessage } from "../../../sdk/src/p2p/protocol.js";

const SIZE = 200_000;

/** PeerDownloads wired to recorders, a budget of its own, a clock the test moves, and an announcement map. */
function setup(announced: Record<string, Partial<SegmentAvailability>> = {}, budget = new PeerByteBudget()) {
  const sent: PeerMessage[] = [];
  const violations: PeerError[] = [];
  const clock = { ms: 0 };
  const downloads = new PeerDownloads({
    send: (m) => sent.push(m),
    isClosed: () => false,
    announced: (id) =>
      announced[id]
        ? ({ segmentId: id, bytesAvailable: 0, ...announced[id] } as SegmentAvailability)
        : undefined,
    reserve: (id, bytes) => budget.reserve(id, bytes),
    accepted: (id, bytes) => budget.received(id, bytes),
    violated: (e) => violations.push(e),
    now: () => clock.ms,
  });
  const requests = () => sent.filter((m): m is RequestMessage => m.type === "request");
  return { downloads, sent, violations, clock, requests, budget };
}

/** Starts a download and records its chunks and how it ended. */
function start(d: PeerDownloads, segmentId: string, expected: number | undefined, rangeStart = 0) {
  const chunks: number[] = [];
  const handle = d.request(segmentId, rangeStart, expected, (offset, chunk) =>
    chunks.push(offset, chunk.byteLength),
  );
  const outcome = handle.done.then(
    () => "done",
    (e: PeerError) => `${e.code}: ${e.message}`,
  );
  return { handle, chunks, outcome };
}

const bytes = (n: number) => new Uint8Array(n);
const codeOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return (error as PeerError).code;
  }
  return "no error";
};

describe("PeerDownloads: a request asks for exactly the expected size", () => {
  it("asks for [rangeStart, expected) and completes on the last byte of frames declaring that size", async () => {
    const { downloads, requests } = setup();
    const { chunks, outcome } = start(downloads, "7", SIZE, 1000);
    expect(requests()).toEqual([
      { type: "request", requestId: 1, segmentId: "7", rangeStart: 1000, rangeEnd: SIZE },
    ]);
    downloads.receive(1, 1000, SIZE, bytes(65_536));
    downloads.receive(1, 66_536, SIZE, bytes(SIZE - 66_536));
    expect(await outcome).toBe("done");
    expect(chunks).toEqual([1000, 65_536, 66_536, SIZE - 66_536]);
  });

  it("without an authority's size, asks for the size the holder announced", () => {
    const { downloads, requests } = setup({
      "7": { totalLength: SIZE, bytesAvailable: SIZE, complete: true },
    });
    start(downloads, "7", undefined);
    expect(requests()[0]?.rangeEnd).toBe(SIZE);
  });

  it("a holder that announced no size yet must announce it before its first data frame", async () => {
    const announced: Record<string, Partial<SegmentAvailability>> = {};
    const { downloads, requests } = setup(announced);
    const { outcome } = start(downloads, "7", undefined);
    expect(requests()[0]?.rangeEnd).toBeUndefined();
    announced["7"] = { totalLength: SIZE, bytesAvailable: 1000, complete: false };
    downloads.receive(1, 0, SIZE, bytes(SIZE));
    expect(await outcome).toBe("done");

    const silent = setup();
    start(silent.downloads, "8", undefined);
    expect(codeOf(() => silent.downloads.receive(1, 0, SIZE, bytes(100)))).toBe("size");
  });
});

describe("PeerDownloads: a sender whose size disagrees is cut at its first frame", () => {
  it.each([
    ["ten times the expected size", 10 * SIZE],
    ["less than expected", SIZE - 1],
    ["an unknown size (0)", 0],
  ])("declaring %s → PeerError size", (_name, declared) => {
    const { downloads, budget } = setup();
    start(downloads, "7", SIZE);
    expect(codeOf(() => downloads.receive(1, 0, declared, bytes(1000)))).toBe("size");
    expect(budget.bufferedBytes).toBe(0);
  });

  it("a holder whose announced size contradicts the playlist's is closed before anything is asked", async () => {
    const { downloads, violations, requests } = setup({ "7": { totalLength: 2 * SIZE, complete: true } });
    const { outcome } = start(downloads, "7", SIZE);
    expect(await outcome).toMatch(/^size:/);
    expect(violations.map((v) => v.code)).toEqual(["size"]);
    expect(requests()).toEqual([]);
  });

  it("an out-of-order chunk is a protocol violation", () => {
    const { downloads } = setup();
    start(downloads, "7", SIZE);
    expect(codeOf(() => downloads.receive(1, 5, SIZE, bytes(10)))).toBe("protocol");
  });
});

describe("PeerDownloads: unrequested data", () => {
  it("data for a request never made is refused", () => {
    const { downloads } = setup();
    expect(codeOf(() => downloads.receive(99, 0, SIZE, bytes(10)))).toBe("unrequested");
  });

  it("data for a finished request is refused: nothing is left to come", async () => {
    const { downloads } = setup();
    const { outcome } = start(downloads, "7", 100);
    downloads.receive(1, 0, 100, bytes(100));
    expect(await outcome).toBe("done");
    expect(codeOf(() => downloads.receive(1, 0, 100, bytes(100)))).toBe("unrequested");
  });

  it("after our cancel, data still in flight is dropped up to what the request had left; more is refused", async () => {
    const { downloads, sent } = setup();
    const size = 100_000;
    const { handle, chunks, outcome } = start(downloads, "7", size);
    downloads.receive(1, 0, size, bytes(40_000));
    handle.cancel("too slow");
    expect(await outcome).toMatch(/^cancelled/);
    expect(sent.at(-1)).toEqual({ type: "cancel", requestId: 1 });
    downloads.receive(1, 40_000, size, bytes(60_000));
    expect(chunks).toEqual([0, 40_000]);
    expect(codeOf(() => downloads.receive(1, 100_000, size, bytes(1)))).toBe("unrequested");
  });

  it("the allowance after a cancel is at most LATE_DATA_ALLOWANCE_BYTES, however large the request", () => {
    const { downloads } = setup();
    const size = MAX_PEER_SEGMENT_BYTES;
    start(downloads, "7", size).handle.cancel("no longer needed");
    for (let sent = 0; sent < LATE_DATA_ALLOWANCE_BYTES; sent += 65_536)
      downloads.receive(1, sent, size, bytes(65_536));
    expect(codeOf(() => downloads.receive(1, LATE_DATA_ALLOWANCE_BYTES, size, bytes(1)))).toBe("unrequested");
  });
});

describe("PeerDownloads: the caps on buffered peer bytes", () => {
  it("refuses a segment over MAX_PEER_SEGMENT_BYTES without asking the peer", async () => {
    const { downloads, requests, violations } = setup();
    const { outcome } = start(downloads, "7", MAX_PEER_SEGMENT_BYTES + 1);
    expect(await outcome).toMatch(/^refused/);
    expect(requests()).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("refuses a load the viewer's budget has no room for; the room comes back when the load ends", async () => {
    const budget = new PeerByteBudget(3 * SIZE, 2 * SIZE);
    const { downloads } = setup({}, budget);
    start(downloads, "a", 2 * SIZE);
    expect(await start(downloads, "b", 2 * SIZE).outcome).toMatch(/^refused/);
    budget.release("a");
    start(downloads, "b", 2 * SIZE);
    expect(budget.reservedBytes).toBe(2 * SIZE);
  });

  it("counts the bytes taken from peers for loads in flight, and their peak", () => {
    const { downloads, budget } = setup();
    start(downloads, "7", SIZE);
    downloads.receive(1, 0, SIZE, bytes(50_000));
    expect(budget.bufferedBytes).toBe(50_000);
    budget.release("7");
    expect(budget.bufferedBytes).toBe(0);
    expect(budget.peakBufferedBytes).toBe(50_000);
  });
});

describe("PeerDownloads: stalls of a peer that announced the whole segment", () => {
  const complete = { "7": { totalLength: SIZE, bytesAvailable: SIZE, complete: true } };

  it(`${MAX_CONSECUTIVE_PEER_STALLS} downloads cancelled with (almost) nothing delivered → the peer is refused for stalling`, () => {
    const { downloads, clock, violations } = setup(complete);
    for (let i = 0; i < MAX_CONSECUTIVE_PEER_STALLS; i++) {
      const { handle } = start(downloads, "7", undefined);
      clock.ms += STALL_JUDGE_AFTER_MS + 500;
      handle.cancel("no data");
    }
    expect(violations.map((v) => v.code)).toEqual(["stalled"]);
  });

  it("a trickle is cut once judged, and counts as a stall", async () => {
    const { downloads, clock, sent } = setup(complete);
    const { outcome } = start(downloads, "7", undefined);
    for (let offset = 0; offset < 3; offset++) {
      clock.ms += 600;
      downloads.receive(1, offset, SIZE, bytes(1));
    }
    expect(await outcome).toMatch(/^stalled: trickling/);
    expect(sent.at(-1)).toEqual({ type: "cancel", requestId: 1 });
  });

  it("a completed download resets the count; a quick cancel, or a peer still fetching, is not judged", () => {
    const { downloads, clock, violations } = setup({
      ...complete,
      "8": { totalLength: SIZE, bytesAvailable: 10, complete: false },
    });
    const stall = (id: string) => {
      const { handle } = start(downloads, id, undefined);
      clock.ms += STALL_JUDGE_AFTER_MS + 1;
      handle.cancel("no data");
    };
    stall("7");
    stall("7");
    start(downloads, "7", undefined);
    downloads.receive(3, 0, SIZE, bytes(SIZE));
    stall("7");
    stall("7");
    for (let i = 0; i < 5; i++) stall("8");
    start(downloads, "7", undefined).handle.cancel("the player moved on");
    expect(violations).toEqual([]);
  });

  it("bytes the load cannot take (they conflict with another source) fail the download, not the peer", async () => {
    const { downloads, violations } = setup();
    const outcome = downloads
      .request("7", 0, SIZE, () => {
        throw new Error("segment size changed");
      })
      .done.catch((e: PeerError) => e.code);
    downloads.receive(1, 0, SIZE, bytes(10));
    expect(await outcome).toBe("refused");
    expect(violations).toEqual([]);
  });
});
