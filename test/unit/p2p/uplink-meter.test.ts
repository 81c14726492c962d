// The uplink meter (sdk/src/p2p/uplink-meter.ts): what left the channels' send queues while they were
// backlogged, from bytes handed over and the queues read on a timer that runs only while bytes wait.
import { describe, expect, it } from "vitest";
import { UPLINK_BACKLOG_MIN_BYTES, UPLINK_METER_INTERVAL_MS } from "../../../sdk/src/p2p/constants.js";
import { UplinkMeter } from "../../../sdk/src/p2p/uplink-meter.js";

/** A meter on a hand-driven clock and timer, with channels whose queues the test sets. */
function rig() {
  const clock = { nowMs: 0 };
  let tick: (() => void) | undefined;
  const samples: [number, number, number][] = [];
  const meter = new UplinkMeter({
    onSample: (bytes, busyMs, endMs) => samples.push([bytes, busyMs, endMs]),
    now: () => clock.nowMs,
    setInterval: (fn) => (tick = fn),
    clearInterval: () => (tick = undefined),
  });
  const advance = () => {
    clock.nowMs += UPLINK_METER_INTERVAL_MS;
    tick?.();
  };
  return { meter, samples, advance, timerRunning: () => tick !== undefined };
}

describe("UplinkMeter", () => {
  it("reports what left a backlogged queue per interval, at the link's pace, not the sender's", () => {
    const { meter, samples, advance } = rig();
    const channel = { bufferedBytes: 0 };
    // A 220-kB segment handed over at once; a 500 kbit/s uplink drains 15,625 bytes per 250 ms.
    channel.bufferedBytes = 220_000;
    meter.handedOver(channel, 220_000);
    channel.bufferedBytes -= 15_625;
    advance();
    expect(samples).toEqual([[15_625, UPLINK_METER_INTERVAL_MS, UPLINK_METER_INTERVAL_MS]]);
    // More handed over meanwhile counts as sent only once it left the queue.
    channel.bufferedBytes += 65_536;
    meter.handedOver(channel, 65_536);
    channel.bufferedBytes -= 15_625;
    advance();
    expect(samples[1]).toEqual([15_625, UPLINK_METER_INTERVAL_MS, 2 * UPLINK_METER_INTERVAL_MS]);
  });

  it("adds up every channel: the uplink is shared", () => {
    const { meter, samples, advance } = rig();
    const a = { bufferedBytes: 100_000 };
    const b = { bufferedBytes: 0 };
    meter.handedOver(a, 100_000);
    b.bufferedBytes = 100_000;
    meter.handedOver(b, 100_000);
    a.bufferedBytes -= 8_000;
    b.bufferedBytes -= 7_000;
    advance();
    expect(samples).toEqual([[15_000, UPLINK_METER_INTERVAL_MS, UPLINK_METER_INTERVAL_MS]]);
  });

  it("reports nothing for an interval the queue was short at either end, and stops once it is empty", () => {
    const { meter, samples, advance, timerRunning } = rig();
    const channel = { bufferedBytes: UPLINK_BACKLOG_MIN_BYTES + 10_000 };
    meter.handedOver(channel, channel.bufferedBytes);
    channel.bufferedBytes = 10_000; // drained below the backlog: the link may have idled
    advance();
    channel.bufferedBytes = 0;
    advance();
    expect(samples).toEqual([]);
    expect(timerRunning()).toBe(false);
    // An idle uplink runs no timer; the next bytes start it again.
    channel.bufferedBytes = 65_536;
    meter.handedOver(channel, 65_536);
    expect(timerRunning()).toBe(true);
    meter.destroy();
    expect(timerRunning()).toBe(false);
  });
});
