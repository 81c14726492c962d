import { describe, expect, it } from "vitest";
import { PlaybackModel } from "../../../bench/lib/swarm-playback.js";

describe("PlaybackModel (the simulated player's buffer and stall model)", () => {
  it("starts once a segment is buffered and records start-up from the join", () => {
    const m = new PlaybackModel(1000);
    expect(m.bufferAheadSec(1100)).toBe(0);
    m.append(0, 2, 1250);
    expect(m.startupMs).toBe(250);
    expect(m.playing).toBe(true);
    expect(m.bufferAheadSec(1750)).toBeCloseTo(1.5);
    expect(m.positionSec).toBeCloseTo(0.5);
  });

  it("plays at 1× and stalls when the buffer runs dry, counting the stalled time from the dry moment", () => {
    const m = new PlaybackModel(0);
    m.append(0, 2, 0);
    m.append(2, 2, 1000); // 4 s buffered at t=1 s, position 1 s
    expect(m.stalls).toBe(0);
    m.advance(4500); // dry at t = 4 s
    expect(m.playing).toBe(false);
    expect(m.stalls).toBe(1);
    expect(m.positionSec).toBe(4);
    m.append(4, 2, 5000); // resumes: stalled from 4 s to 5 s
    expect(m.playing).toBe(true);
    expect(m.stalledMs).toBe(1000);
    expect(m.stalls).toBe(1);
  });

  it("resumes only when resumeBufferSec is buffered", () => {
    const m = new PlaybackModel(0, 3);
    m.append(0, 2, 0);
    expect(m.playing).toBe(false);
    expect(m.startupMs).toBeUndefined();
    m.append(2, 2, 100);
    expect(m.playing).toBe(true);
    expect(m.startupMs).toBe(100);
  });

  it("a live start behind the edge plays from the first segment's start", () => {
    const m = new PlaybackModel(0);
    m.append(120, 2, 10);
    expect(m.positionSec).toBe(120);
    expect(m.bufferAheadSec(510)).toBeCloseTo(1.5);
  });

  it("an open stall is counted up to the viewer leaving", () => {
    const m = new PlaybackModel(0);
    m.append(0, 2, 0);
    m.finish(3000);
    expect(m.stalls).toBe(1);
    expect(m.stalledMs).toBe(1000);
    m.finish(3000);
    expect(m.stalledMs).toBe(1000);
  });

  it("the end of a VOD is not a stall", () => {
    const m = new PlaybackModel(0);
    m.append(0, 2, 0);
    m.append(2, 2, 10);
    m.endOfStream(20);
    m.advance(10_000);
    m.finish(10_000);
    expect(m.positionSec).toBe(4);
    expect(m.stalls).toBe(0);
    expect(m.stalledMs).toBe(0);
  });

  it("never starts without media, and so never stalls", () => {
    const m = new PlaybackModel(0);
    m.advance(60_000);
    m.finish(60_000);
    expect(m.startupMs).toBeUndefined();
    expect(m.stalls).toBe(0);
  });
});
