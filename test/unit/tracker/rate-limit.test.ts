import { describe, expect, it } from "vitest";
import { MessageRateLimiter } from "../../../demo-server/src/tracker/rate-limit.js";

const options = { rateLimitBurst: 5, rateLimitPerSec: 2, floodCloseDrops: 10, floodWindowMs: 1_000 };

describe("MessageRateLimiter", () => {
  it("accepts a burst, then drops, then refills at the sustained rate", () => {
    const limiter = new MessageRateLimiter(options, 0);
    for (let i = 0; i < 5; i++) expect(limiter.take(0)).toBe("accept");
    expect(limiter.take(0)).toBe("drop");
    expect(limiter.take(499)).toBe("drop");
    expect(limiter.take(500)).toBe("accept");
  });

  it("never accumulates more than the burst while idle", () => {
    const limiter = new MessageRateLimiter(options, 0);
    const results = Array.from({ length: 6 }, () => limiter.take(3_600_000));
    expect(results.filter((r) => r === "accept")).toHaveLength(5);
  });

  it("asks to close a client that keeps flooding within the window", () => {
    const limiter = new MessageRateLimiter(options, 0);
    const results = Array.from({ length: 20 }, () => limiter.take(0));
    expect(results.slice(5, 14).every((r) => r === "drop")).toBe(true);
    expect(results[14]).toBe("close");
  });

  it("forgives drops spread over separate windows", () => {
    const limiter = new MessageRateLimiter({ ...options, rateLimitPerSec: 0.001 }, 0);
    for (let i = 0; i < 5; i++) limiter.take(0);
    for (let window = 0; window < 5; window++) {
      for (let i = 0; i < 9; i++) expect(limiter.take(window * 1_001)).toBe("drop");
    }
  });
});
