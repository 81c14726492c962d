import { describe, expect, it } from "vitest";
import { percentile, saturated, stepFigures } from "../../../bench/tracker/figures.js";

describe("tracker bench figures", () => {
  it("uses the benches' percentile when every announce was answered", () => {
    expect(percentile([1, 2, 3, 4], 4, 0.5)).toBe(2.5);
    expect(percentile([10, 20], 2, 0.99)).toBeCloseTo(19.9);
  });

  it("counts unanswered announces as infinitely late", () => {
    const answered = Array.from({ length: 95 }, (_, i) => i + 1);
    expect(percentile(answered, 100, 0.99)).toBe(Number.POSITIVE_INFINITY);
    expect(percentile(answered, 100, 0.5)).toBeLessThan(60);
    expect(percentile([], 0, 0.5)).toBeNaN();
  });

  it("calls a step saturated at p99 > 250 ms or under 90 % answered", () => {
    const result = (latenciesMs: number[], sent: number) => ({
      type: "load" as const,
      sent,
      latenciesMs,
      offersReceived: 0,
      answersReceived: 0,
      failures: 0,
      maxLagMs: 0,
    });
    expect(saturated(stepFigures(100, 1000, [result(Array(100).fill(5), 100)]))).toBe(false);
    expect(saturated(stepFigures(100, 1000, [result(Array(100).fill(300), 100)]))).toBe(true);
    expect(saturated(stepFigures(100, 1000, [result(Array(89).fill(5), 100)]))).toBe(true);
  });
});
