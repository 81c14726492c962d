import { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ResponseBudget } from "../../../demo-server/src/net/response-budget.js";

class FakeResponse extends EventEmitter {
  status: number | undefined;
  headers: Record<string, string> = {};
  writeHead(status: number, headers: Record<string, string>): void {
    this.status = status;
    this.headers = headers;
  }
  end(): void {
    this.emit("close");
  }
}

function request(budget: ResponseBudget, remoteAddress: string, forwardedFor?: string) {
  const req = { socket: { remoteAddress }, headers: { "x-forwarded-for": forwardedFor } };
  const res = new FakeResponse();
  const admitted = budget.admit(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return { admitted, res, finish: () => res.emit("close") };
}

describe("ResponseBudget", () => {
  it("answers 503 with Retry-After over the cap of one address, and frees a slot when a response ends", () => {
    const budget = new ResponseBudget({ maxResponsesInFlightPerIp: 2, trustProxy: false });
    const first = request(budget, "10.0.0.1");
    request(budget, "10.0.0.1");
    const third = request(budget, "10.0.0.1");
    expect(third.admitted).toBe(false);
    expect(third.res.status).toBe(503);
    expect(third.res.headers["Retry-After"]).toBe("1");
    expect(request(budget, "10.0.0.2").admitted).toBe(true);
    expect(budget.refused.response_ip_limit).toBe(1);
    first.finish();
    expect(request(budget, "10.0.0.1").admitted).toBe(true);
    expect(budget.count("4/10.0.0.1")).toBe(2);
  });

  it("groups an IPv6 /64", () => {
    const budget = new ResponseBudget({ maxResponsesInFlightPerIp: 1, trustProxy: false });
    expect(request(budget, "2001:db8:1:2::1").admitted).toBe(true);
    expect(request(budget, "2001:db8:1:2:abcd::1").admitted).toBe(false);
    expect(request(budget, "2001:db8:1:3::1").admitted).toBe(true);
  });

  it("with trustProxy counts the viewer X-Forwarded-For names, not the proxy", () => {
    const budget = new ResponseBudget({ maxResponsesInFlightPerIp: 1, trustProxy: true });
    expect(request(budget, "127.0.0.1", "198.51.100.7").admitted).toBe(true);
    expect(request(budget, "127.0.0.1", "198.51.100.8").admitted).toBe(true);
    // A forged left entry does not move a viewer: the rightmost entry is the proxy's word.
    expect(request(budget, "127.0.0.1", "203.0.113.1, 198.51.100.7").admitted).toBe(false);
    expect(budget.count("4/127.0.0.1")).toBe(0);
  });

  it("without trustProxy ignores X-Forwarded-For", () => {
    const budget = new ResponseBudget({ maxResponsesInFlightPerIp: 1, trustProxy: false });
    expect(request(budget, "10.0.0.1", "198.51.100.7").admitted).toBe(true);
    expect(request(budget, "10.0.0.1", "198.51.100.8").admitted).toBe(false);
  });
});
