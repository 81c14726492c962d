// Every SDK error class carries its `code` and `name`, keeps its own fields, and stays an instance
// of the classes an embedder may already test for (HttpBodyError is an HttpError).
import { describe, expect, it } from "vitest";
import {
  AbortError,
  ConfigError,
  HttpBodyError,
  HttpError,
  NearcastError,
  PeerError,
  ProtocolError,
  RequestSetupError,
  TimeoutError,
} from "../../../sdk/src/core/errors.js";

describe("SDK errors", () => {
  it.each([
    [new ConfigError("maxBufferBytes must be positive"), "ConfigError", "config"],
    [new NearcastError("engine destroyed", "destroyed"), "NearcastError", "destroyed"],
    [new HttpError("HTTP 503", 503), "HttpError", "http"],
    [new HttpBodyError("short body", 200, "length-mismatch"), "HttpBodyError", "http-body"],
    [new TimeoutError("no first byte", "first-byte"), "TimeoutError", "timeout"],
    [new AbortError("aborted"), "AbortError", "aborted"],
    [new RequestSetupError("httpRequestSetup threw"), "RequestSetupError", "request-setup"],
    [new PeerError("peer has no such segment", "absent"), "PeerError", "absent"],
    [new ProtocolError("TRUNCATED", "frame ends early"), "ProtocolError", "TRUNCATED"],
  ])("%s has name %s and code %s", (error, name, code) => {
    expect(error).toBeInstanceOf(NearcastError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
  });

  it("keeps each class's own fields beside the code", () => {
    const body = new HttpBodyError("digest mismatch", 206, "digest-mismatch");
    expect(body).toBeInstanceOf(HttpError);
    expect([body.status, body.reason]).toEqual([206, "digest-mismatch"]);
    expect(new HttpError("network", 0).status).toBe(0);
    expect(new TimeoutError("slow", "total").phase).toBe("total");
    expect(new ProtocolError("BAD_FIELD", "reserved flag").message).toBe("BAD_FIELD: reserved flag");
  });
});
