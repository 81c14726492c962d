import { describe, expect, it } from "vitest";
import { FETCHING_TTL_MS } from "../../../sdk/src/p2p/constants.js";
import {
  AvailabilityBoard,
  newHolderRecord,
  visibleLength,
  visibleState,
} from "../../../bench/sim/sim-availability.js";

const link = { latencyMs: 10, connectedAtMs: 0 };

describe("visibleState (what Peer.canServe would say on the neighbour's side)", () => {
  it("sees a `fetching` announcement one latency after it was sent, until FETCHING_TTL_MS", () => {
    const rec = { ...newHolderRecord(), fetchingAt: 100 };
    expect(visibleState(rec, 109, link)).toBeUndefined();
    expect(visibleState(rec, 110, link)).toBe("fetching");
    expect(visibleState(rec, 110 + FETCHING_TTL_MS - 1, link)).toBe("fetching");
    expect(visibleState(rec, 110 + FETCHING_TTL_MS, link)).toBeUndefined();
  });

  it("moves from partial to complete as the deltas arrive, and forgets a removed segment", () => {
    const rec = { ...newHolderRecord(), fetchingAt: 100, addedAt: 120, completeAt: 150, totalBytes: 5 };
    expect(visibleState(rec, 131, link)).toBe("fetching");
    expect(visibleState(rec, 160, link)).toBe("complete");
    expect(visibleLength(rec, 129, link)).toBeUndefined();
    expect(visibleLength(rec, 130, link)).toBe(5);
    rec.removedAt = 200;
    expect(visibleState(rec, 209, link)).toBe("complete");
    expect(visibleState(rec, 210, link)).toBeUndefined();
  });

  it("learns the store's state from before the connection with the availability map, but not old `fetching`", () => {
    const late = { latencyMs: 10, connectedAtMs: 1000 };
    expect(visibleState({ ...newHolderRecord(), completeAt: 50, addedAt: 50 }, 1009, late)).toBeUndefined();
    expect(visibleState({ ...newHolderRecord(), completeAt: 50, addedAt: 50 }, 1010, late)).toBe("complete");
    expect(visibleState({ ...newHolderRecord(), fetchingAt: 900 }, 1100, late)).toBeUndefined();
  });

  it("forgets what it heard before an `absent`, and believes news sent after it", () => {
    const rec = { ...newHolderRecord(), fetchingAt: 100 };
    expect(visibleState(rec, 200, link, 150)).toBeUndefined();
    rec.addedAt = 180;
    rec.completeAt = 190;
    expect(visibleState(rec, 200, link, 150)).toBe("complete");
  });

  it("drops a `fetching` note on `fetch-cancelled`", () => {
    const rec = { ...newHolderRecord(), fetchingAt: 100, cancelledAt: 150 };
    expect(visibleState(rec, 159, link)).toBe("fetching");
    expect(visibleState(rec, 160, link)).toBeUndefined();
  });

  it("knows nothing of a holder without a record", () => {
    expect(visibleState(undefined, 1000, link)).toBeUndefined();
  });
});

describe("AvailabilityBoard", () => {
  it("creates records on first use and forgets whole segments below a sequence number", () => {
    const board = new AvailabilityBoard();
    board.record(5, 1).fetchingAt = 10;
    board.record(6, 1).fetchingAt = 20;
    expect(board.get(5, 1)?.fetchingAt).toBe(10);
    expect(board.record(5, 1)).toBe(board.get(5, 1));
    board.pruneBelow(6);
    expect(board.get(5, 1)).toBeUndefined();
    expect(board.get(6, 1)?.fetchingAt).toBe(20);
    expect(board.segments).toBe(1);
  });
});
